import re

import pytest

from synthkd.shaders.twigl import MODES, ModeError, candidate_modes, normalize_mode, read_header, translate
from tests.helpers import MODES as MODES_DIR


@pytest.mark.parametrize(("spelling", "mode"), [
    ("geekest (300 es)", "geekest300"), ("Geeker MRT", "geeker-mrt"), ("classic", "classic"),
    ("geek300", "geek300"), ("geekest-mrt", "geekest-mrt"), ("Shadertoy", "shadertoy"),
    ("classic (MRT)", "classic-mrt"),
])
def test_mode_spellings(spelling, mode):
    assert normalize_mode(spelling) == mode


@pytest.mark.parametrize("bad", ["geekiest", "shadertoy 300", "", "classic geek"])
def test_unknown_mode_is_an_error(bad):
    with pytest.raises(ModeError):
        normalize_mode(bad)


def test_header_is_read_from_leading_comments_only():
    src = "// mode: geekest300\n// family: fractal\n\no = vec4(1.);\n// family: not-this\n"
    assert read_header(src) == {"mode": "geekest300", "family": "fractal"}
    assert candidate_modes(src) == ["geekest300"]


def test_every_mode_has_a_test_shader():
    found = {normalize_mode(read_header(p.read_text())["mode"]) for p in MODES_DIR.glob("*.glsl")}
    assert found == set(MODES)


@pytest.mark.parametrize(("source", "first"), [
    ("void mainImage(out vec4 c, in vec2 f){ c = vec4(1.); }", "shadertoy"),
    ("precision highp float; uniform vec2 resolution; void main(){ gl_FragColor = vec4(1.); }", "classic"),
    ("precision highp float; uniform vec2 r; uniform float t; void main(){ gl_FragColor = vec4(1.); }", "geek"),
    ("#version 300 es\nprecision highp float; uniform vec2 r; out vec4 o; void main(){ o = vec4(1.); }",
     "geek300"),
    ("o = vec4(FC.xy / r, 0., 1.);", "geekest300"),
    ("o0 = vec4(1.); o1 = vec4(0.);", "geekest-mrt"),
])
def test_candidate_modes_put_the_likely_mode_first(source, first):
    order = candidate_modes(source)
    assert order[0] == first
    assert sorted(order) == sorted(MODES)


def test_translation_rewrites_tokens_not_macros():
    src = (MODES_DIR / "classic.glsl").read_text()
    out = translate(src, "classic").fragment
    assert out.startswith("#version 330 core\n")
    user = out.split("#line 1", 1)[1].split("void main() {\n    vec2 p = gl_FragCoord.xy;")[0]
    # The user's code reads per-tile values, never the window's gl_FragCoord or a uniform 'time'.
    assert "gl_FragCoord" not in user and "_sk_FragCoord" in user
    assert not re.search(r"uniform\s+float\s+time", out)
    assert "#define gl_" not in out
    assert "texture2D" not in out and "gl_FragColor" not in user


def test_geekest_body_is_wrapped_unless_it_has_main():
    body = translate("o = vec4(1.);", "geekest300").fragment
    assert "void _sk_main() {" in body
    full = translate("void main(){ o = vec4(1.); }", "geekest300").fragment
    assert full.count("_sk_main()") == 2  # its own definition and our call


def test_full_program_modes_need_main():
    with pytest.raises(ModeError):
        translate("gl_FragColor = vec4(1.);", "classic")
