"""Host functions: Python callables that join the language as calls."""

from __future__ import annotations

import asyncio
import inspect
import threading
from typing import Any, Callable


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


def arity_of(fn: Callable[..., Any]) -> int:
    """The number of arguments a call passes: the callable's positional
    parameters without a default."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"cannot read the arity of {fn!r} (no signature); "
            "give it with exprflow.function(fn, arity=N)"
        ) from error
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    count = 0
    for parameter in signature.parameters.values():
        if parameter.kind in positional and parameter.default is inspect.Parameter.empty:
            count += 1
    return count


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


def specs(
    functions: dict[str, Any] | None, event_loop: Callable[[], Any]
) -> list[tuple[str, Any, int, bool, Any]]:
    """The host functions as the Rust engine takes them: ``(name, callable,
    arity, volatile, loop or None)``; ``event_loop()`` gives the engine's
    loop, started on the first ``async def``."""
    out: list[tuple[str, Any, int, bool, Any]] = []
    for name, given in (functions or {}).items():
        if not isinstance(name, str):
            raise TypeError(f"a host function's name must be a str, got {type(name).__name__}")
        spec = given if isinstance(given, function) else function(given)
        arity = spec.arity if spec.arity is not None else arity_of(spec.fn)
        loop = event_loop() if is_async(spec.fn) else None
        out.append((name, spec.fn, arity, spec.volatile, loop))
    return out
