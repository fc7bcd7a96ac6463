"""synthkd.probe: the teacher labels, balances and probes the data (probe)."""

if __name__ != "synthkd.probe":  # this folder is only importable as part of synthkd, never as a top-level package
    raise ImportError(f"{__name__!r} is synthkd's folder; import synthkd.probe instead (after 'pip install -e .')")
