"""Compiled kernels: :func:`jit` compiles a plain-Python loop with Numba on its first call.

Numba (BSD) is imported only when a kernel first runs, so commands that never
reach one do not pay its import (about 0.2 s).  Compiled code is cached on disk
(``cache=True``, in ``__pycache__`` beside the module or, where that is not
writable, in Numba's user cache), so only the first run on a machine pays the
compilation.  Setting ``NUMBA_DISABLE_JIT=1`` runs the kernels as plain Python,
for debugging.

A kernel is a module-level function over NumPy arrays and scalars; a kernel
that calls another kernel calls its ``.compiled`` dispatcher.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["jit"]

F = TypeVar("F", bound=Callable[..., Any])


class _Kernel:
    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self._compiled: Callable[..., Any] | None = None
        functools.update_wrapper(self, fn)

    @property
    def compiled(self) -> Callable[..., Any]:
        if self._compiled is None:
            import numba

            self._compiled = numba.njit(cache=True, nogil=True)(self.fn)
        return self._compiled

    def __call__(self, *args: Any) -> Any:
        return self.compiled(*args)


def jit(fn: F) -> F:
    """Compile ``fn`` with ``numba.njit(cache=True, nogil=True)`` on its first call."""
    return _Kernel(fn)  # type: ignore[return-value]
