"""synthkd.procgen: procedural images: Leaves and noise datasets (render-leaves, render-noise)."""

if __name__ != "synthkd.procgen":  # this folder is only importable as part of synthkd, never as a top-level package
    raise ImportError(f"{__name__!r} is synthkd's folder; import synthkd.procgen instead (after 'pip install -e .')")
