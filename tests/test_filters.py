import numpy as np
import pytest

from synthkd.shaders.filters import REASONS, FilterSettings, classify


def _image(fill=(10, 20, 30), size=16):
    img = np.empty((size, size, 3), np.uint8)
    img[:] = fill
    return img


def _textured(seed=0, size=16):
    return np.random.default_rng(seed).integers(0, 256, (size, size, 3), dtype=np.uint8)


def _reasons(images, bad=None, **kw):
    images = np.stack(images)
    bad = np.zeros(len(images), bool) if bad is None else np.asarray(bad)
    return [REASONS[c] for c in classify(images, bad, FilterSettings(**kw))]


def test_each_filter_catches_its_case_and_keeps_texture():
    constant = _image()
    near_constant = _image()
    near_constant[0, 0] = (15, 25, 35)  # spans 5 levels < 8
    two = _image((255, 0, 0))
    two[:, :8] = (0, 0, 255)
    sparse = _image((0, 0, 0))
    sparse[0, :5] = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (9, 9, 9), (200, 100, 0)]  # 5/256 < 5 %
    good = _textured()
    nan = _textured(1)
    got = _reasons([constant, near_constant, two, sparse, good, nan], bad=[0, 0, 0, 0, 0, 1])
    assert got == ["constant", "constant", "few_colours", "mostly_background", "kept", "nan_inf"]


def test_three_colours_pass_the_colour_test():
    img = _image((255, 0, 0))
    img[:, :5] = (0, 0, 255)
    img[:, 5:10] = (0, 255, 0)
    assert _reasons([img]) == ["kept"]


def test_foreground_threshold_is_a_setting():
    img = _image((0, 0, 0))
    img[:2] = _textured(size=16)[:2]  # 2 of 16 rows = 12.5 % foreground
    assert _reasons([img]) == ["kept"]
    assert _reasons([img], min_foreground=0.2) == ["mostly_background"]


def test_nan_wins_over_other_reasons():
    assert _reasons([_image()], bad=[True]) == ["nan_inf"]


def test_bad_settings():
    with pytest.raises(ValueError):
        FilterSettings(min_range=0)
    with pytest.raises(ValueError):
        FilterSettings(min_foreground=0.5)
