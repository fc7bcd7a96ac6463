"""Headless OpenGL contexts: EGL (no display; Mesa llvmpipe on CPU machines, the GPU on servers) or GLFW."""

from __future__ import annotations

import ctypes
import ctypes.util
import os

import moderngl

BACKENDS = ("egl", "glfw")


class GLUnavailable(RuntimeError):
    """No OpenGL 3.3 context could be made with the requested backend/device."""


def egl_device_count() -> int | None:
    """How many devices EGL can render on (GPUs, plus Mesa's software device), or None if unknown."""
    try:
        egl = ctypes.CDLL(ctypes.util.find_library("EGL") or "libEGL.so.1")
    except OSError:
        return None
    egl.eglGetProcAddress.restype = ctypes.c_void_p
    address = egl.eglGetProcAddress(b"eglQueryDevicesEXT")
    if not address:
        return None
    query = ctypes.CFUNCTYPE(ctypes.c_uint, ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int))(address)
    count = ctypes.c_int(0)
    return count.value if query(0, None, ctypes.byref(count)) and count.value > 0 else None


def default_device_index() -> int:
    """Under torchrun each local rank renders on its own EGL device (wrapping around when there are fewer
    devices than ranks, e.g. one software rasteriser); otherwise the first device."""
    rank = int(os.environ.get("LOCAL_RANK", "0"))
    return rank % (egl_device_count() or 1) if rank else 0


def create_context(backend: str = "egl", device_index: int | None = None) -> moderngl.Context:
    """An OpenGL 3.3 core context that needs no window system (``egl``) or a hidden GLFW window."""
    if backend not in BACKENDS:
        raise GLUnavailable(f"unknown GL backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if backend == "egl":
        index = default_device_index() if device_index is None else device_index
        try:
            ctx = moderngl.create_standalone_context(require=330, backend="egl", device_index=index)
        except Exception as exc:  # glcontext raises a bare Exception
            raise GLUnavailable(f"EGL context on device {index} failed: {exc}") from None
    else:
        ctx = _glfw_context()
    describe(ctx)  # moderngl reads the driver's strings once, at first use; after programs are compiled it reads ""
    return ctx


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
    """The renderer and GL version the context runs on, e.g. ``llvmpipe (LLVM 15.0.6, 256 bits) (4.5 ...)``."""
    return f"{ctx.info['GL_RENDERER']} ({ctx.info['GL_VERSION']})"
