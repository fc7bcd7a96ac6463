"""Merging shards (``synthkd merge``): the shard directories of one dataset joined into the unsharded dataset
directory, with hard links where possible, after every chunk is checked so that a damaged one is not passed on.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from synthkd.core.chunks import CHUNKS, chunk_images, chunk_meta, summarize
from synthkd.core.dataset import HEADER, open_dataset, planned_sizes, verify
from synthkd.core.errors import DatasetError, DatasetFault
from synthkd.core.files import guard_out, lock_folder, unlock_folder, write_json


def merge(out: str | Path, shards: Sequence[str | Path]) -> Path:
    """Join shard directories into one unsharded dataset directory at ``out`` (hard links where possible); every
    chunk is checked first, so a damaged one is not passed on."""
    ds = open_dataset(shards)
    bad = verify([*ds.roots])["bad"]
    if bad:
        raise DatasetFault(f"{bad[0][0]} {bad[0][1]} ({len(bad)} damaged files in the shards); run the command "
                           "that made them again to repair them")
    out = Path(out)
    if guard_out(out, HEADER, "a dataset"):
        raise DatasetError(f"{out} already holds a dataset; merge into a new or empty folder")
    lock_folder(out)
    (out / CHUNKS).mkdir(parents=True, exist_ok=True)
    for root, c in ds._chunks:
        for src in (chunk_images(root, c), chunk_meta(root, c)):
            dst = out / CHUNKS / src.name
            try:
                os.link(src, dst)
            except OSError:
                shutil.copy2(src, dst)
    header = {**ds.header, "shard": None, "count": len(ds), "complete": True}
    if header.get("variable"):
        header["chunk_sizes"] = ds.chunk_sizes
    header["summary"] = summarize((out, c) for c in range(len(planned_sizes(header))))
    if ds.fingerprint is not None:
        header["fingerprint"] = ds.fingerprint
    write_json(out / HEADER, header)
    unlock_folder(out)
    return out
