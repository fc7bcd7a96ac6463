"""TwiGL and Shadertoy fragment programs -> one desktop GLSL 3.30 program that renders a grid of tiles.

TwiGL (the editor the paper's shaders come from) runs a fragment shader on a full-screen quad in one of
several *modes* that differ in what the editor adds around the user's text.
We translate every mode to ``#version 330 core`` and, at the same time, make the program render many
images in one draw: each tile of the atlas gets its own local ``gl_FragCoord``, resolution and time.

The rewrite is done on tokens (``gl_FragCoord`` -> ``_sk_FragCoord`` and so on) rather than with
``#define gl_...`` because drivers other than Mesa may reject macros whose names start with ``gl_``.
Per-tile values (``time``/``t``/``iTime``...) become ordinary globals that our own ``main`` assigns
before calling the user's renamed ``main``; the user's colour output is read back from a global too, so
that we can clamp it and flag NaN/Inf pixels in the alpha channel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

MAX_TILES_PER_DRAW = 64  # length of the per-tile time array uniform

BASE_MODES = ("classic", "geek", "geeker", "geekest")
MODES = (
    *BASE_MODES,
    *(f"{m}300" for m in BASE_MODES),
    *(f"{m}-mrt" for m in BASE_MODES),
    "shadertoy",
)

# Per-tile values by role; each mode names them differently.
_ROLE_NAMES = {
    "classic": {"resolution": "res", "mouse": "mouse", "time": "time", "frame": "frame"},
    "geek": {"r": "res", "m": "mouse", "t": "time", "f": "frame", "s": "sound"},
    "shadertoy": {
        "iResolution": "res", "iTime": "time", "iGlobalTime": "time", "iTimeDelta": "dt",
        "iFrameRate": "fps", "iFrame": "frame", "iMouse": "mouse_px", "iDate": "date",
        "iSampleRate": "rate",
    },
}

VERTEX_SHADER = """#version 330 core
void main() {
    vec2 p = vec2(float(gl_VertexID & 1), float(gl_VertexID >> 1)) * 2.0 - 1.0;
    gl_Position = vec4(p, 0.0, 1.0);
}
"""


class ModeError(ValueError):
    """The source cannot be read in the requested mode."""


@dataclass(frozen=True)
class Translated:
    mode: str
    fragment: str
    vertex: str = VERTEX_SHADER


def normalize_mode(name: str) -> str:
    """Accept the editor's spellings: 'geekest (300 es)', 'Geeker MRT', 'classic300', 'shadertoy'."""
    s = name.strip().lower().replace("_", " ")
    s = re.sub(r"\bes\b|[()]", " ", s)
    mrt = "mrt" in s
    s = s.replace("mrt", " ")
    has300 = "300" in s
    s = s.replace("300", " ").replace("-", " ").split()
    base = s[0] if s else ""
    if base == "shadertoy" and not (mrt or has300):
        return "shadertoy"
    if base not in BASE_MODES or len(s) != 1:
        raise ModeError(f"unknown TwiGL mode {name!r}; known: {', '.join(MODES)}")
    return f"{base}-mrt" if mrt else f"{base}300" if has300 else base


def read_header(source: str) -> dict[str, str]:
    """``// key: value`` lines in the leading comment block (mode, family, title, ...)."""
    header: dict[str, str] = {}
    for line in source.splitlines():
        line = line.strip()
        if not line:
            continue
        if not line.startswith("//"):
            break
        m = re.match(r"//\s*([A-Za-z][\w-]*)\s*:\s*(.*?)\s*$", line)
        if m:
            header[m.group(1).lower()] = m.group(2)
    return header


def candidate_modes(source: str) -> list[str]:
    """Modes to try, most likely first: the header's mode alone if it has one, else all, ordered by clues."""
    header = read_header(source)
    if "mode" in header:
        return [normalize_mode(header["mode"])]
    code = _strip_comments(source)
    es300 = re.search(r"^\s*#\s*version\s+300\s+es", code, re.M) is not None
    has_main = re.search(r"\bvoid\s+main\s*\(", code) is not None
    uses_mrt = re.search(r"\bo[01]\b", code) is not None
    order: list[str] = []
    if "mainImage" in code:
        order.append("shadertoy")
    if has_main:
        declares = set(re.findall(r"\buniform\s+\w+\s+(\w+)", code))
        full = ["classic", "geek"] if "resolution" in declares or "r" not in declares else ["geek", "classic"]
        order += [f"{m}{'-mrt' if uses_mrt else '300'}" if es300 else m for m in full]
        order += ["geeker-mrt", "geeker300"] if uses_mrt else ["geeker300", "geeker"]
    else:
        order += ["geekest-mrt", "geekest300"] if uses_mrt else ["geekest300", "geekest"]
    return order + [m for m in MODES if m not in order]


def translate(source: str, mode: str) -> Translated:
    """Build the atlas-tile fragment shader for ``source`` read in ``mode``."""
    mode = normalize_mode(mode)
    base, es300, mrt = mode.split("-")[0].removesuffix("300"), "300" in mode or "mrt" in mode, "mrt" in mode
    code = re.sub(r"^[ \t]*#[ \t]*(version|extension)\b.*$", "", source, flags=re.M)

    # Which names carry per-tile values, and where the user declares them.
    if base in ("classic", "geek", "shadertoy"):
        code, declared = _ununiform(code, _ROLE_NAMES[base])
    else:  # geeker / geekest: the editor declares r, m, t, f, s, b
        declared = {"r": "vec2", "m": "vec2", "t": "float", "f": "float", "s": "float"}

    preamble: list[str] = []
    if base in ("geeker", "geekest"):
        preamble.append("vec2 r; vec2 m; float t; float f; float s;")
        preamble.append("uniform sampler2D b0; uniform sampler2D b1;" if mrt else "uniform sampler2D b;")
    if base == "geekest":
        preamble.append(_geekest_helpers())
    if base == "shadertoy":
        preamble.append(_shadertoy_globals(declared))

    # Where the colour goes: ES 1.00 writes gl_FragColor, ES 3.00 declares its own outputs.
    if mrt and base in ("geeker", "geekest"):
        preamble.append("vec4 o0; vec4 o1;")
        output = "o0"
    elif es300 and base in ("geeker", "geekest"):
        preamble.append("vec4 o;")
        output = "o"
    elif base == "shadertoy":
        output = "_sk_color"
    elif es300:
        code, output = _unout(code)
    else:
        preamble.append("vec4 _sk_FragColor; vec4 _sk_FragData[4];")
        output = "_sk_FragColor"
        code = _sub_tokens(code, {"gl_FragColor": "_sk_FragColor", "gl_FragData": "_sk_FragData"})
    if output == "_sk_FragData":
        output = "_sk_FragData[0]"

    if not es300:
        code = _sub_tokens(code, {"texture2D": "texture", "textureCube": "texture", "texture2DLod": "textureLod",
                                  "texture2DLodEXT": "textureLod", "texture2DProj": "textureProj"})
    body_has_main = re.search(r"\bvoid\s+main\s*\(", _strip_comments(code)) is not None
    if base == "geekest" and not body_has_main:
        code = "void main() {\n#line 1\n" + code + "\n}"
    elif base != "shadertoy" and not body_has_main:
        raise ModeError(f"mode {mode} expects a 'void main()' in the source")
    code = _sub_tokens(code, {"main": "_sk_main", "gl_FragCoord": "_sk_FragCoord"})
    preamble = [_sub_tokens(p, {"gl_FragCoord": "_sk_FragCoord"}) for p in preamble]

    call = "mainImage(_sk_color, _sk_FragCoord.xy);" if base == "shadertoy" else "_sk_main();"
    fragment = "\n".join([
        "#version 330 core",
        _TILE_HEADER,
        *preamble,
        "#line 1",
        code,
        _tile_main(_assignments(declared), call, output),
    ])
    return Translated(mode=mode, fragment=fragment)


_TILE_HEADER = """
uniform float _sk_cell;       // tile stride in pixels (image size rounded up to even)
uniform float _sk_size;       // image size in pixels
uniform int _sk_cols;         // cells per row of the page
uniform int _sk_first;        // page cell of this draw's first tile
uniform int _sk_count;        // tiles in this draw
uniform float _sk_times[64];  // each tile's time
uniform vec2 _sk_mouse;       // mouse position, 0..1
vec4 _sk_FragCoord;
float _sk_time;
vec4 _sk_color = vec4(0.0, 0.0, 0.0, 1.0);
layout(location = 0) out vec4 _sk_result;
layout(location = 1) out float _sk_nan;  // 1 where the colour was NaN or Inf
"""


def _tile_main(assignments: list[str], call: str, output: str) -> str:
    lines = "\n    ".join(assignments)
    return f"""
void main() {{
    vec2 p = gl_FragCoord.xy;
    ivec2 cell = ivec2(floor(p / _sk_cell));
    int tile = cell.x + cell.y * _sk_cols - _sk_first;
    if (tile < 0 || tile >= _sk_count) discard;
    _sk_FragCoord = vec4(p - vec2(cell) * _sk_cell, gl_FragCoord.zw);
    _sk_time = _sk_times[tile];
    {lines}
    {call}
    vec3 c = ({output}).rgb;
    _sk_result = vec4(clamp(c, 0.0, 1.0), 1.0);
    _sk_nan = any(isnan(c)) || any(isinf(c)) ? 1.0 : 0.0;
}}
"""


_ROLE_VALUES = {  # each role's value for the current tile, as a vec4 to swizzle down to the declared type
    "res": "vec4(_sk_size, _sk_size, 1.0, 1.0)",
    "time": "vec4(_sk_time)",
    "frame": "vec4(floor(_sk_time * 60.0))",
    "mouse": "vec4(_sk_mouse, 0.0, 0.0)",
    "mouse_px": "vec4(0.0)",
    "sound": "vec4(0.0)",
    "dt": "vec4(1.0 / 60.0)",
    "fps": "vec4(60.0)",
    "date": "vec4(2026.0, 0.0, 1.0, _sk_time)",
    "rate": "vec4(44100.0)",
}
_SWIZZLE = {"float": "{}.x", "int": "int({}.x)", "vec2": "{}.xy", "vec3": "{}.xyz", "vec4": "{}"}


def _assignments(declared: dict[str, str]) -> list[str]:
    """Our main's statements that give each per-tile global its value for this tile."""
    roles = {**_ROLE_NAMES["classic"], **_ROLE_NAMES["geek"], **_ROLE_NAMES["shadertoy"]}
    return [f"{name} = {_SWIZZLE[t].format(_ROLE_VALUES[roles[name]])};"
            for name, t in declared.items() if t in _SWIZZLE]


def _shadertoy_globals(declared: dict[str, str]) -> str:
    """Shadertoy's inputs the user did not declare themselves."""
    defaults = {"iResolution": "vec3", "iTime": "float", "iTimeDelta": "float", "iFrameRate": "float",
                "iFrame": "int", "iMouse": "vec4", "iDate": "vec4", "iSampleRate": "float"}
    missing = {k: v for k, v in defaults.items() if k not in declared}
    declared.update(missing)
    decls = [f"{t} {n};" for n, t in missing.items()]
    decls.append("uniform sampler2D iChannel0; uniform sampler2D iChannel1;")
    decls.append("uniform sampler2D iChannel2; uniform sampler2D iChannel3;")
    decls.append("const vec3 iChannelResolution[4] = vec3[4](vec3(1.0), vec3(1.0), vec3(1.0), vec3(1.0));")
    decls.append("const float iChannelTime[4] = float[4](0.0, 0.0, 0.0, 0.0);")
    return "\n".join(decls)


_UNIFORM = re.compile(r"\buniform\s+((?:(?:highp|mediump|lowp)\s+)?)(\w+)\s+([\w\s,]+);")


def _ununiform(code: str, names: dict[str, str]) -> tuple[str, dict[str, str]]:
    """Turn the user's ``uniform T name;`` for per-tile names into plain globals; report name -> type."""
    declared: dict[str, str] = {}

    def repl(m: re.Match) -> str:
        qual, gl_type, names_text = m.groups()
        vars_ = [v.strip() for v in names_text.split(",")]
        ours = [v for v in vars_ if v in names]
        if not ours:
            return m.group(0)
        for v in ours:
            declared[v] = gl_type
        rest = [v for v in vars_ if v not in names]
        kept = f"uniform {qual}{gl_type} {', '.join(rest)};" if rest else ""
        return f"{qual}{gl_type} {', '.join(ours)};{kept}"

    return _UNIFORM.sub(repl, code), declared


_OUT = re.compile(r"(layout\s*\(\s*location\s*=\s*(\d+)\s*\)\s*)?"  # optional layout(location = N)
                  r"\bout\s+((?:(?:highp|mediump|lowp)\s+)?vec4)\s+(\w+)\s*;")


def _unout(code: str) -> tuple[str, str]:
    """Turn the user's ``out vec4 X;`` declarations into globals; return the one at location 0."""
    outs: list[tuple[int, str]] = []

    def repl(m: re.Match) -> str:
        outs.append((int(m.group(2) or 0), m.group(4)))
        return f"{m.group(3)} {m.group(4)};"

    code = _OUT.sub(repl, code)
    if not outs:
        raise ModeError("no 'out vec4' colour output declared")
    return code, min(outs)[1]


def _sub_tokens(code: str, table: dict[str, str]) -> str:
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, table)) + r")\b")
    return pattern.sub(lambda m: table[m.group(1)], code)


def _strip_comments(code: str) -> str:
    code = re.sub(r"/\*.*?\*/", " ", code, flags=re.S)
    return re.sub(r"//[^\n]*", "", code)


@cache
def _geekest_helpers() -> str:
    return resources.files("synthkd.shaders").joinpath("glsl/geekest.glsl").read_text()
