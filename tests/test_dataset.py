"""The dataset directory format, without any rendering: chunks, shards, resume bookkeeping, refusals."""

import json

import numpy as np
import pytest

from synthkd.core.dataset import Shard, chunk_sizes, open_dataset
from synthkd.core.errors import DatasetError
from synthkd.core.merge import merge
from synthkd.core.writer import DatasetWriter


def _identity(**over):
    base = {"generator": "test", "total": 10, "image_size": 4, "seed": 0, "chunk_size": 4, "settings": {"a": 1}}
    return {**base, **over}


def _chunk(c, n, size=4):
    images = np.full((n, size, size, 3), c, np.uint8)
    images[:, 0, 0, 0] = np.arange(n)
    return images, {"chunk": [c] * n, "j": list(range(n))}


def _write_all(writer):
    for c in writer.todo():
        images, metas = _chunk(c, writer.chunk_count(c))
        writer.write_chunk(c, images, metas, {"rendered": len(images) + 1, "kept": len(images)})
    return writer.finish()


def test_round_trip(tmp_path):
    summary = _write_all(DatasetWriter(tmp_path / "d", _identity()))
    assert summary == {"counts": {"kept": 10, "rendered": 13}}
    ds = open_dataset(tmp_path / "d")
    assert len(ds) == 10 and ds.image_size == 4
    image, meta = ds[9]
    assert image.shape == (4, 4, 3) and image.dtype == np.uint8
    assert image[0, 0, 0] == 1 and image[1, 1, 1] == 2  # chunk 2 (sizes 4, 4, 2), second image
    assert meta == {"generator": "test", "index": 9, "chunk": 2, "j": 1}
    assert ds[-1][1]["index"] == 9
    assert ds.images(3, 6).shape == (3, 4, 4, 3)
    fresh = open_dataset(tmp_path / "d")  # columns read from the files answer as the cached metadata does
    assert fresh.column("index") == ds.column("index") == list(range(10)) and fresh.column("j") == ds.column("j")
    assert fresh.column("generator") == ["test"] * 10
    with pytest.raises(IndexError):
        ds[10]


def test_a_dataset_keeps_a_bounded_number_of_bytes_mapped(tmp_path, monkeypatch):
    _write_all(DatasetWriter(tmp_path / "d", _identity(total=40)))  # ten chunks of 4 images, 192 bytes each
    monkeypatch.setattr("synthkd.core.dataset.MAPPED_BYTES", 2 * 192 + 1)
    ds = open_dataset(tmp_path / "d")
    for k in [*range(ds.num_chunks), 3, 9]:
        assert ds.chunk_images(k)[0, 0, 0, 1] == k  # the right chunk, mapped again if it had been dropped
        assert len(ds._images) <= 2 and k in ds._images
    monkeypatch.setattr("synthkd.core.dataset.MAPPED_BYTES", 0)
    assert ds.chunk_images(5).shape == (4, 4, 4, 3) and list(ds._images) == [5]  # always the one asked for


def test_shards_are_contiguous_and_join_to_the_whole(tmp_path):
    assert chunk_sizes(10, 4) == [4, 4, 2]
    assert [list(Shard(i, 2).chunks(3)) for i in range(2)] == [[0], [1, 2]]
    whole = tmp_path / "whole"
    _write_all(DatasetWriter(whole, _identity()))
    for i in range(2):
        _write_all(DatasetWriter(tmp_path / f"shard-{i}-of-2", _identity(), Shard(i, 2)))
    expect = open_dataset(whole).images()
    for joined in (open_dataset(tmp_path), open_dataset([tmp_path / "shard-1-of-2", tmp_path / "shard-0-of-2"])):
        assert np.array_equal(joined.images(), expect)
        assert [joined[i][1] for i in range(10)] == [open_dataset(whole)[i][1] for i in range(10)]
    merged = merge(tmp_path / "merged", [tmp_path / "shard-0-of-2", tmp_path / "shard-1-of-2"])
    assert np.array_equal(open_dataset(merged).images(), expect)
    assert json.loads((merged / "dataset.json").read_text())["summary"]["counts"]["kept"] == 10


def test_missing_or_foreign_shards_are_refused(tmp_path):
    _write_all(DatasetWriter(tmp_path / "a", _identity(), Shard(0, 2)))
    with pytest.raises(DatasetError, match="missing"):
        open_dataset([tmp_path / "a"])
    _write_all(DatasetWriter(tmp_path / "b", _identity(seed=1), Shard(1, 2)))
    with pytest.raises(DatasetError, match="different dataset"):
        open_dataset([tmp_path / "a", tmp_path / "b"])


def test_resume_writes_only_missing_chunks(tmp_path):
    w = DatasetWriter(tmp_path / "d", _identity())
    images, metas = _chunk(0, 4)
    w.write_chunk(0, images, metas, {"kept": 4})
    with pytest.raises(DatasetError, match="incomplete"):
        open_dataset(tmp_path / "d")
    (tmp_path / "d" / "chunks" / ".c000001.npy.123.tmp").write_bytes(b"half a file")
    w2 = DatasetWriter(tmp_path / "d", _identity())
    assert w2.todo() == [1, 2]
    assert not list((tmp_path / "d" / "chunks").glob(".*.tmp"))  # leftovers of a killed run are removed
    _write_all(w2)
    assert len(open_dataset(tmp_path / "d")) == 10


def test_a_different_dataset_is_never_mixed_in(tmp_path):
    _write_all(DatasetWriter(tmp_path / "d", _identity()))
    with pytest.raises(DatasetError, match=r"different dataset \(differs in seed"):
        DatasetWriter(tmp_path / "d", _identity(seed=3))
    with pytest.raises(DatasetError, match=r"settings\.a"):
        DatasetWriter(tmp_path / "d", _identity(settings={"a": 2}))
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(DatasetError, match="not empty"):
        DatasetWriter(tmp_path / "other", _identity())


def test_unwritable_or_file_outputs_are_refused(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(DatasetError, match="is a file"):
        DatasetWriter(tmp_path / "file", _identity())
    with pytest.raises(DatasetError, match="cannot write"):
        DatasetWriter(tmp_path / "file" / "sub", _identity())


def test_chunk_shape_is_checked(tmp_path):
    w = DatasetWriter(tmp_path / "d", _identity())
    with pytest.raises(DatasetError, match="chunk 0"):
        w.write_chunk(0, np.zeros((3, 4, 4, 3), np.uint8), {"j": [0, 1, 2]}, {})


@pytest.mark.parametrize("text", ["2/2", "a/b", "1", "-1/2"])
def test_bad_shard_text(text):
    with pytest.raises(DatasetError):
        Shard.parse(text)
