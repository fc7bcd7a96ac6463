"""synthkd.shaders: GLSL shader programs rendered headlessly into datasets (render-shaders)."""

if __name__ != "synthkd.shaders":  # this folder is only importable as part of synthkd, never as a top-level package
    raise ImportError(f"{__name__!r} is synthkd's folder; import synthkd.shaders instead (after 'pip install -e .')")
