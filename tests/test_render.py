"""Real renders through EGL: every TwiGL mode, page-position independence, NaN flags, the hang guard."""

import os
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

from synthkd.shaders.corpus import BUILTIN_CORPUS, CheckSettings, check_shaders, load_corpus, mark_slow
from synthkd.shaders.filters import classify, image_stats
from synthkd.shaders.gl import create_context
from synthkd.shaders.render import CompileError, Draw
from synthkd.shaders.twigl import normalize_mode, read_header
from tests.helpers import BAD, MODES

MODE_FILES = sorted(MODES.glob("*.glsl"))
TIMES = [0.5, 1.5, 3.0, 7.0]


@pytest.mark.parametrize("path", MODE_FILES, ids=lambda p: p.stem)
def test_each_mode_renders_non_trivially(renderer, path):
    source = path.read_text()
    program = renderer.compile(source)
    assert program.mode == normalize_mode(read_header(source)["mode"])
    images, bad = renderer.render([Draw(program, TIMES)])
    assert images.shape == (4, 32, 32, 3) and not bad.any()
    assert (classify(images, bad) == 0).all(), "every frame passes the filters"
    # time advances: no two frames are the same picture
    for i in range(len(TIMES)):
        for j in range(i):
            assert not np.array_equal(images[i], images[j])


@pytest.mark.parametrize("path", MODE_FILES, ids=lambda p: p.stem)
def test_mode_is_detected_without_a_header(renderer, path):
    source = path.read_text()
    body = "\n".join(ln for ln in source.splitlines() if not ln.startswith("// mode:"))
    expected, _ = renderer.render([Draw(renderer.compile(source), TIMES[:2])])
    detected, _ = renderer.render([Draw(renderer.compile(body), TIMES[:2])])
    assert np.array_equal(detected, expected)


def test_image_does_not_depend_on_its_place_in_the_page(renderer):
    program = renderer.compile((MODES / "geekest300.glsl").read_text())
    alone, _ = renderer.render([Draw(program, [2.25])])
    # 300 draws of 7 frames span several page rows and wrap mid-row; then our frame at the very end.
    many = [Draw(program, [0.1 * k for k in range(7)]) for _ in range(300)] + [Draw(program, [2.25])]
    images, _ = renderer.render(many)
    assert len(images) == 2101
    assert np.array_equal(images[-1], alone[0])
    assert np.array_equal(images[3], images[7 * 250 + 3])


def test_pages_split_when_full(ctx):
    from synthkd.shaders.render import TileRenderer

    big = TileRenderer(ctx, 224)
    program = big.compile((MODES / "geek.glsl").read_text())
    draws = [Draw(program, [float(k)] * 64) for k in range(6)]  # 384 images > one 224 px page
    assert big.page_capacity < 384
    images, bad = big.render(draws)
    assert images.shape == (384, 224, 224, 3) and not bad.any()
    assert np.array_equal(images[0], images[63]) and not np.array_equal(images[0], images[64])


def test_image_orientation_is_top_row_first(renderer):
    program = renderer.compile("o = vec4(FC.x / r.x, FC.y / r.y, 0., 1.);", "geekest300")
    img = renderer.render([Draw(program, [1.0])])[0][0]
    assert img[0, 0, 1] > 240 and img[-1, 0, 1] < 15  # green = y: high at the top
    assert img[0, 0, 0] < 15 and img[0, -1, 0] > 240  # red = x: high at the right


@pytest.mark.parametrize("size", [32, 50, 64, 224])
def test_gpu_filter_statistics_equal_the_cpu_reference(ctx, size):
    from synthkd.shaders.render import TileRenderer

    renderer = TileRenderer(ctx, size)
    sources = [p.read_text() for p in [*MODE_FILES, *(BAD / f"{n}.glsl" for n in
                                                      ("constant", "two-colour", "mostly-background", "nan"))]]
    sources += [p.read_text() for p in sorted(BUILTIN_CORPUS.glob("*.glsl"))[::10]]
    draws = [Draw(renderer.compile(src), [0.7, 2.9, 6.1]) for src in sources]
    seen = set()
    for images, _, stats in renderer.render_pages(draws):
        assert np.array_equal(stats, image_stats(images))
        seen |= {(int(c), bool(m)) for _, c, m in stats}
    assert {(1, True), (2, False), (3, True), (3, False)} <= seen  # constant, two colours, with/without majority


def test_nan_and_inf_are_flagged(renderer):
    program = renderer.compile((BAD / "nan.glsl").read_text())
    _, bad = renderer.render([Draw(program, TIMES)])
    assert bad.all()
    inf = renderer.compile("o = vec4(1. / (FC.x - FC.x), 0., 0., 1.);", "geekest300")
    assert renderer.render([Draw(inf, [1.0])])[1].all()


def test_compile_errors_name_the_line(renderer):
    with pytest.raises(CompileError, match="0:2"):
        renderer.compile((BAD / "syntax-error.glsl").read_text())


@pytest.mark.slow
def test_check_skips_broken_and_hanging_shaders():
    sources, _ = load_corpus([BAD])
    start = time.monotonic()
    results = check_shaders(sources, CheckSettings(size=32, timeout=3.0))
    status = {s.name: results[s.sha]["status"] for s in sources}
    assert status == {"constant.glsl": "ok", "hang.glsl": "hang", "mostly-background.glsl": "ok",
                      "nan.glsl": "ok", "syntax-error.glsl": "compile_error", "two-colour.glsl": "ok"}
    assert time.monotonic() - start < 40, "a hung shader costs its timeout, not its full render"


def test_slow_shaders_are_marked_relative_to_the_median():
    results = {str(i): {"status": "ok", "ms_per_image": 1.0} for i in range(5)}
    results["slow"] = {"status": "ok", "ms_per_image": 30.0}
    results["broken"] = {"status": "compile_error"}
    mark_slow(results, 25.0)
    assert results["slow"]["status"] == "too_slow" and results["0"]["status"] == "ok"
    assert "median" in results["slow"]["error"]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed (apt-get install xvfb)")
def test_glfw_backend_under_xvfb_matches_egl(tmp_path, renderer):
    display = ":97"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "64x64x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)
        script = (
            "import sys, numpy as np\n"
            "from synthkd.shaders.gl import create_context\n"
            "from synthkd.shaders.render import TileRenderer, Draw\n"
            "r = TileRenderer(create_context('glfw'), 32)\n"
            "p = r.compile(open(sys.argv[1]).read())\n"
            "np.save(sys.argv[2], r.render([Draw(p, [0.5, 1.5])])[0])\n"
        )
        out = tmp_path / "glfw.npy"
        env = {**os.environ, "DISPLAY": display}
        subprocess.run([sys.executable, "-c", script, str(MODES / "geekest.glsl"), str(out)],
                       env=env, check=True, timeout=120)
    finally:
        xvfb.kill()
    egl, _ = renderer.render([Draw(renderer.compile((MODES / "geekest.glsl").read_text()), [0.5, 1.5])])
    assert np.array_equal(np.load(out), egl)


def test_glfw_without_display_is_a_clear_error():
    script = "from synthkd.shaders.gl import create_context\ncreate_context('glfw')\n"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "xvfb-run" in proc.stderr


def test_a_renderer_draws_in_its_own_context_when_another_is_current(ctx, renderer):
    program = renderer.compile((MODES / "geekest300.glsl").read_text())
    before, _ = renderer.render([Draw(program, [1.25, 3.5])])
    other = create_context("egl")  # now current; moderngl would send the next calls here
    from synthkd.shaders.render import TileRenderer

    TileRenderer(other, 16).render([Draw(TileRenderer(other, 16).compile("o = vec4(1.);", "geekest300"), [1.0])])
    after, _ = renderer.render([Draw(program, [1.25, 3.5])])
    assert np.array_equal(before, after)
    other.release()
