"""GLSL source text for the shader synthesizer: literals, indented lines, and how time enters a value.

The grammar (``synthkd.shaders.synth`` and its stage modules) writes every number through these helpers, so
that each literal is valid GLSL ES 3.00 and a program's text is the same for the same seed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


def _f(x: float, digits: int = 2) -> str:
    """A GLSL float literal (always with a decimal point, never '-0.0')."""
    s = f"{x:.{digits}f}".rstrip("0")
    if s.endswith("."):
        s += "0"
    return "0.0" if s in ("-0.0", "-0") else s


def _v2(x: float, y: float, digits: int = 2) -> str:
    return f"vec2({_f(x, digits)}, {_f(y, digits)})"


def _v3(x: float, y: float, z: float, digits: int = 2) -> str:
    return f"vec3({_f(x, digits)}, {_f(y, digits)}, {_f(z, digits)})"


class _Code:
    """Lines of GLSL with indentation."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 0

    def __call__(self, *lines: str) -> None:
        self.lines += ["    " * self.depth + line if line else "" for line in lines]

    @contextmanager
    def block(self, head: str = "{") -> Iterator[None]:
        self(head)
        self.depth += 1
        yield
        self.depth -= 1
        self("}")


def _t(speed: float) -> str:
    """``t * speed``, the way time enters every animated quantity."""
    return f"t * {_f(speed)}"


_SIGNS = ((" + t * -", " - t * "), (" - t * -", " + t * "), ("(t * -", "(-t * "), (", t * -", ", -t * "),
          ("= t * -", "= -t * "))


def _tidy(line: str) -> str:
    """``a + t * -0.3`` -> ``a - t * 0.3``: the same value, easier to read."""
    for old, new in _SIGNS:
        line = line.replace(old, new)
    return line
