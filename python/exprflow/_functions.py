"""Host functions: Python callables that join the language as calls."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import threading
from collections.abc import Mapping
from typing import Any, Callable, Optional


class function:
    """A host function with its arity and purity given explicitly:
    ``exprflow.function(fn, arity=None, volatile=False)``. ``arity=None``
    reads it from ``inspect.signature(fn)``; ``volatile=True`` calls ``fn``
    at every call site and evaluation, never sharing an outcome (a clock,
    a counter, a random number)."""

    __slots__ = ("arity", "fn", "volatile")

    def __init__(
        self, fn: Callable[..., Any], arity: int | None = None, volatile: bool = False
    ) -> None:
        if not callable(fn):
            raise TypeError(f"a host function must be callable, got {type(fn).__name__}")
        if arity is not None and (not isinstance(arity, int) or arity < 0):
            raise ValueError(f"arity must be a non-negative int, got {arity!r}")
        self.fn = fn
        self.arity = arity
        self.volatile = bool(volatile)

    def __repr__(self) -> str:
        name = getattr(self.fn, "__qualname__", repr(self.fn))
        return f"exprflow.function({name}, arity={self.arity!r}, volatile={self.volatile!r})"

    def __call__(self, *args: Any) -> Any:
        return self.fn(*args)


def arity_of(fn: Callable[..., Any]) -> tuple[int, int | None]:
    """The numbers of arguments a call may pass, ``(least, most)`` with
    ``None`` for no limit, from ``inspect.signature``: its positional
    parameters, those without a default required, ``*args`` any number
    more. A callable without a signature (``math.hypot``) takes any
    number."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return (0, None)
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    least = 0
    most: int | None = 0
    for parameter in signature.parameters.values():
        if parameter.kind in positional:
            if parameter.default is inspect.Parameter.empty:
                least += 1
            most = None if most is None else most + 1
        elif parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            most = None
        elif (
            parameter.kind is inspect.Parameter.KEYWORD_ONLY
            and parameter.default is inspect.Parameter.empty
        ):
            raise TypeError(
                f"{fn!r} has a keyword-only parameter without a default "
                f"({parameter.name}): a call of the language passes positional arguments only"
            )
    return (least, most)


def is_async(fn: Callable[..., Any]) -> bool:
    """Whether calling ``fn`` gives a coroutine to await."""
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(
        getattr(fn, "__call__", None)  # noqa: B004 - an object whose __call__ is async
    )


class EventLoop:
    """The event loop thread of an engine: ``async def`` host functions run
    here, holding no pool worker while they await."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="exprflow-event-loop", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def __repr__(self) -> str:
        return f"<exprflow event loop running={self.loop.is_running()}>"

    def stop_soon(self) -> None:
        """Asks the loop to stop, without waiting (from a finalizer)."""
        if not self.loop.is_closed():
            with contextlib.suppress(RuntimeError):
                self.loop.call_soon_threadsafe(self.loop.stop)

    def stop(self) -> None:
        """Cancels what still runs on the loop and ends its thread."""
        if self.loop.is_closed():
            return

        async def cancel_all() -> None:
            current = asyncio.current_task()
            tasks = [t for t in asyncio.all_tasks() if t is not current]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self.loop.stop()

        try:
            asyncio.run_coroutine_threadsafe(cancel_all(), self.loop)
        except RuntimeError:
            return
        self._thread.join(timeout=5.0)
        if not self._thread.is_alive():
            self.loop.close()


Spec = tuple[str, Any, int, Optional[int], bool, Any]
"""A host function as the Rust engine takes it: ``(name, callable, least
arguments, most or None, volatile, event loop or None)``."""


def specs(functions: Mapping[str, Any] | None, event_loop: Callable[[], Any]) -> list[Spec]:
    """The host functions as the Rust engine takes them; ``event_loop()``
    gives the engine's loop, started on the first ``async def``."""
    if functions is None:
        return []
    if not isinstance(functions, Mapping):
        raise TypeError(f"functions must be a mapping of names, got {type(functions).__name__}")
    out: list[Spec] = []
    for name, given in functions.items():
        if not isinstance(name, str):
            raise TypeError(f"a host function's name must be a str, got {type(name).__name__}")
        spec = given if isinstance(given, function) else function(given)
        least, most = (spec.arity, spec.arity) if spec.arity is not None else arity_of(spec.fn)
        loop = event_loop() if is_async(spec.fn) else None
        out.append((name, spec.fn, least, most, spec.volatile, loop))
    return out
