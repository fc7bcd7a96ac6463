"""Headless OpenGL contexts: EGL (no display; Mesa llvmpipe on CPU machines, the GPU on servers) or GLFW."""

from __future__ import annotations

import os

import moderngl

BACKENDS = ("egl", "glfw")


class GLUnavailable(RuntimeError):
    """No OpenGL 3.3 context could be made with the requested backend/device."""


def default_device_index() -> int:
    """Under torchrun each local rank renders on its own GPU; otherwise the first EGL device."""
    return int(os.environ.get("LOCAL_RANK", "0"))


def create_context(backend: str = "egl", device_index: int | None = None) -> moderngl.Context:
    """An OpenGL 3.3 core context that needs no window system (``egl``) or a hidden GLFW window."""
    if backend not in BACKENDS:
        raise GLUnavailable(f"unknown GL backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if backend == "egl":
        index = default_device_index() if device_index is None else device_index
        try:
            return moderngl.create_standalone_context(require=330, backend="egl", device_index=index)
        except Exception as exc:  # glcontext raises a bare Exception
            raise GLUnavailable(f"EGL context on device {index} failed: {exc}") from None
    return _glfw_context()


def _glfw_context() -> moderngl.Context:
    import glfw

    if not glfw.init():
        raise GLUnavailable("GLFW could not start (no display?): run under xvfb-run, or use --backend egl")
    glfw.window_hint(glfw.VISIBLE, glfw.FALSE)
    glfw.window_hint(glfw.CONTEXT_VERSION_MAJOR, 3)
    glfw.window_hint(glfw.CONTEXT_VERSION_MINOR, 3)
    glfw.window_hint(glfw.OPENGL_PROFILE, glfw.OPENGL_CORE_PROFILE)
    glfw.window_hint(glfw.OPENGL_FORWARD_COMPAT, glfw.TRUE)
    window = glfw.create_window(16, 16, "synthkd", None, None)
    if not window:
        glfw.terminate()
        raise GLUnavailable("GLFW could not open an OpenGL 3.3 core window")
    glfw.make_context_current(window)
    ctx = moderngl.create_context(require=330)
    ctx.extra = window  # keep the window alive as long as the context
    return ctx


def describe(ctx: moderngl.Context) -> str:
    return f"{ctx.info['GL_RENDERER']} ({ctx.info['GL_VERSION']})"
