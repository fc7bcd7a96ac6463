"""The diversity figure: zero for identical images, low for noise, higher for varied renders, deterministic."""

import numpy as np

from synthkd.core.diversity import diversity, features
from synthkd.shaders.render import Draw
from tests.helpers import MODES


def _noise(n, seed=0):
    rng = np.random.default_rng(seed)
    return (np.clip(rng.normal(0.49, 0.25, (n, 32, 32, 3)), 0, 1) * 255).round().astype(np.uint8)


def test_identical_images_score_zero_and_features_are_unit_length():
    same = np.repeat(_noise(1), 20, axis=0)
    assert diversity(same) < 1e-6  # zero up to float rounding
    f = features(_noise(5))
    assert f.shape[0] == 5 and np.allclose(np.linalg.norm(f, axis=1), 1.0)


def test_shader_renders_are_more_diverse_than_noise(renderer):
    programs = [renderer.compile(p.read_text()) for p in sorted(MODES.glob("*.glsl"))]
    renders, _ = renderer.render([Draw(p, [0.5, 2.0, 4.5, 8.0]) for p in programs])
    assert diversity(renders) > 2 * diversity(_noise(len(renders)))


def test_figure_is_deterministic_and_sample_seeded():
    images = _noise(100, seed=3)
    assert diversity(images, sample=50, seed=1) == diversity(images, sample=50, seed=1)
    assert diversity(images, sample=50, seed=1) != diversity(images, sample=50, seed=2)
    assert diversity(images[::-1].copy(), sample=1000) == diversity(images, sample=1000)
