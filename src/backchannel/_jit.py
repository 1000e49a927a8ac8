"""Compiled kernels: :func:`jit` compiles a plain-Python loop with Numba on its first call.

Numba (BSD) is imported only when a kernel first runs, so commands that never
reach one do not pay its import (about 0.2 s).  Compiled code is cached on disk
(``cache=True``, in ``__pycache__`` beside the module or, where that is not
writable, in Numba's user cache), so only the first run on a machine pays the
compilation.  Setting ``NUMBA_DISABLE_JIT=1`` runs the kernels as plain Python,
for debugging.

A kernel is a module-level function over NumPy arrays and scalars; it may
call another kernel by its name (the compiled callee is bound in when the
caller compiles).
"""

from __future__ import annotations

import functools
import os
import sys
import threading
import types
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["jit", "use_kernels"]

F = TypeVar("F", bound=Callable[..., Any])
_LOCK = threading.RLock()  # one compilation at a time (kernels may first run in threads)


class _Kernel:
    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self._compiled: Callable[..., Any] | None = None
        functools.update_wrapper(self, fn)

    @property
    def compiled(self) -> Callable[..., Any]:
        if self._compiled is None:
            with _LOCK:
                if self._compiled is None:
                    self._compiled = self._compile()
        return self._compiled

    def _compile(self) -> Callable[..., Any]:
        import numba

        fn = self.fn
        names = fn.__code__.co_names
        if any(isinstance(fn.__globals__.get(name), _Kernel) for name in names):
            # the callees, compiled, in a copy of the module's namespace
            env = dict(fn.__globals__)
            for name in names:
                if isinstance(env.get(name), _Kernel):
                    env[name] = env[name].compiled
            fn = types.FunctionType(fn.__code__, env, fn.__name__, fn.__defaults__, fn.__closure__)
            fn.__qualname__, fn.__module__ = self.fn.__qualname__, self.fn.__module__
        return numba.njit(cache=True, nogil=True)(fn)

    def __call__(self, *args: Any) -> Any:
        return self.compiled(*args)


def use_kernels(work: int, threshold: int, *, once_loaded: bool = False) -> bool:
    """Whether a problem of size ``work`` runs on the compiled kernels: from
    ``threshold`` on (below, loading Numba, about half a second per process,
    costs more than the problem), or at any size when ``once_loaded`` and
    Numba is loaded already.  ``BACKCHANNEL_KERNELS=always`` or ``never``
    decides instead (tests, debugging); both forms give the same results."""
    force = os.environ.get("BACKCHANNEL_KERNELS", "").strip().lower()
    if force in ("always", "never"):
        return force == "always"
    return work >= threshold or (once_loaded and "numba" in sys.modules)


def jit(fn: F) -> F:
    """Compile ``fn`` with ``numba.njit(cache=True, nogil=True)`` on its first call."""
    return _Kernel(fn)  # type: ignore[return-value]
