"""synthkd.distill: train the student on the teacher's soft labels (distill)."""

if __name__ != "synthkd.distill":  # this folder is only importable as part of synthkd, never as a top-level package
    raise ImportError(f"{__name__!r} is synthkd's folder; import synthkd.distill instead (after 'pip install -e .')")
