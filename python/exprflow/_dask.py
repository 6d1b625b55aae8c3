"""``Engine(..., cluster=client)``: plain host functions run as Dask tasks.

Each call of a plain (not ``async def``) host function becomes
``client.submit(fn, *args, key=..., pure=...)``, under a key made of the
function's name and a token of the function and its argument values, so
equal calls from any statement, session or engine sharing the client are
one Dask task. The engine sees an ``async`` host function: the call waits
for the Dask future on the engine's event loop (woken from the future's
done callback through ``loop.call_soon_threadsafe``), holding no pool
worker. Dask reruns a task whose worker died; an exception raised on the
cluster comes back as the call's ``DomainError`` with the remote exception
as ``__cause__``. Cancelling the exprflow future cancels the Dask futures
that no other pending call waits for.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import threading
from collections import OrderedDict
from fractions import Fraction
from typing import Any, Callable

from ._functions import function, is_async

KEPT_CALLS = 4096
"""How many finished pure calls an engine keeps on the cluster, so that an
equal later call (another statement, another session) reuses the result
instead of running again; the oldest are released first, and all of them
at ``shutdown()``."""


def function_token(fn: Callable[..., Any]) -> str:
    """Dask's token of ``fn``, made once per host function (tokenizing a
    function pickles it: hundreds of µs, too much for every call)."""
    from dask.base import tokenize

    return str(tokenize(fn))


def call_key(name: str, fn_token: str, args: tuple[Any, ...]) -> str:
    """The Dask key of the call ``name(*args)``: the name (Dask's dashboard
    groups tasks by it) and a token of the function (``function_token``)
    and the arguments, their types included (``f(1)`` and ``f(1.0)`` are
    different calls)."""
    from dask.base import tokenize

    return f"{name}-{tokenize(fn_token, described(args))}"


def described(args: tuple[Any, ...]) -> tuple[tuple[str, str], ...]:
    """The arguments as text that tells every value apart, for keys and
    lookups: exact, and in hexadecimal, which Python's limit on converting
    huge integers to decimal text does not apply to (``float.hex`` keeps
    NaN and ``-0.0`` apart too)."""
    return tuple((type(a).__name__, _exact_text(a)) for a in args)


def _exact_text(value: Any) -> str:
    if isinstance(value, int):
        return hex(value)
    if isinstance(value, Fraction):
        return f"{hex(value.numerator)}/{hex(value.denominator)}"
    if isinstance(value, float):
        return value.hex()
    return repr(value)


def standing_in(spec: function, wrapper: Callable[..., Any]) -> function:
    """``wrapper`` as a host function with the arity and purity of
    ``spec``: the arity given, else the one ``spec.fn``'s signature says."""
    # Without a signature (math.hypot) the wrapper's own (*args) stays:
    # any number of arguments, as for fn itself.
    with contextlib.suppress(TypeError, ValueError):
        wrapper.__signature__ = inspect.signature(spec.fn)  # type: ignore[attr-defined]
    return function(wrapper, arity=spec.arity, volatile=spec.volatile)


class _Pending:
    """A Dask future and how many exprflow calls are waiting for it."""

    __slots__ = ("future", "waiters")

    def __init__(self, future: Any) -> None:
        self.future = future
        self.waiters = 0

    def __repr__(self) -> str:
        return f"<pending Dask call {self.future.key!r}: {self.waiters} waiting>"


class ClusterCalls:
    """The Dask side of one engine: submits calls, shares equal ones,
    keeps finished pure calls (up to ``KEPT_CALLS``) and cancels what no
    pending call needs any more."""

    def __init__(self, client: Any) -> None:
        if not callable(getattr(client, "submit", None)):
            raise TypeError(
                f"cluster must be a dask.distributed.Client, got {type(client).__name__}"
            )
        self.client = client
        self._lock = threading.Lock()
        self._pending: dict[str, _Pending] = {}
        self._kept: OrderedDict[str, Any] = OrderedDict()
        self._results = _Results(client)

    def __repr__(self) -> str:
        with self._lock:
            pending, kept = len(self._pending), len(self._kept)
        return f"<exprflow cluster calls on {self.client!r}: {pending} pending, {kept} kept>"

    def wrap(self, functions: dict[str, Any] | None) -> dict[str, Any] | None:
        """``functions`` with each plain host function replaced by an
        ``async`` one of the same name, arity and purity that runs it on
        the cluster; ``async def`` functions stay on the engine's loop."""
        if functions is None:
            return None
        wrapped: dict[str, Any] = {}
        for name, given in functions.items():
            spec = given if isinstance(given, function) else function(given)
            if not isinstance(name, str) or is_async(spec.fn):
                wrapped[name] = given
                continue
            wrapped[name] = standing_in(spec, self._remote(name, spec.fn, spec.volatile))
        return wrapped

    def _remote(self, name: str, fn: Callable[..., Any], volatile: bool) -> Callable[..., Any]:
        token = function_token(fn)

        async def on_cluster(*args: Any) -> Any:
            return await self.call(name, fn, token, args, volatile)

        on_cluster.__name__ = on_cluster.__qualname__ = name
        return on_cluster

    async def call(
        self,
        name: str,
        fn: Callable[..., Any],
        fn_token: str,
        args: tuple[Any, ...],
        volatile: bool,
    ) -> Any:
        """Runs ``fn(*args)`` on the cluster and gives its result (or raises
        its exception); runs on the engine's event loop."""
        key = f"{name}-{_fresh_token()}" if volatile else call_key(name, fn_token, args)
        future = self._join(key, fn, args, pure=not volatile)
        loop = asyncio.get_running_loop()
        finished: asyncio.Future[None] = loop.create_future()

        def wake(_: Any) -> None:
            loop.call_soon_threadsafe(_set_done, finished)

        try:
            future.add_done_callback(wake)
            await finished
            result = await self._results.fetch(loop, future)
        except BaseException:
            self._leave(key, finished_ok=False)
            raise
        self._leave(key, finished_ok=not volatile)
        return result

    def _join(self, key: str, fn: Callable[..., Any], args: tuple[Any, ...], pure: bool) -> Any:
        with self._lock:
            pending = self._pending.get(key)
            if pending is None:
                kept = self._kept.get(key)
                if kept is not None:
                    self._kept.move_to_end(key)
                    pending = _Pending(kept)
                else:
                    pending = _Pending(self.client.submit(fn, *args, key=key, pure=pure))
                self._pending[key] = pending
            pending.waiters += 1
            return pending.future

    def _leave(self, key: str, *, finished_ok: bool) -> None:
        """One call of ``key`` stops waiting: the last one cancels the task
        if it is still running, or keeps a finished pure result."""
        release: list[Any] = []
        with self._lock:
            pending = self._pending.get(key)
            if pending is None:
                return
            pending.waiters -= 1
            if pending.waiters > 0:
                return
            del self._pending[key]
            future = pending.future
            if not future.done():
                release.append(future)
            elif finished_ok and future.status == "finished":
                self._kept[key] = future
                self._kept.move_to_end(key)
                while len(self._kept) > KEPT_CALLS:
                    self._kept.popitem(last=False)
        for future in release:
            future.cancel()

    def close(self) -> None:
        """Releases every kept result and cancels what is still pending."""
        with self._lock:
            pending = [p.future for p in self._pending.values()]
            self._pending.clear()
            self._kept.clear()
        for future in pending:
            if not future.done():
                future.cancel()


class _Results:
    """Fetches the results of finished calls: those that finish together
    (in one turn of the engine's loop) in one ``client.gather``, on a
    thread of the loop's executor, since each fetch is a round trip to
    the cluster. The list of waiting calls lives on the loop's thread."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._waiting: list[tuple[Any, asyncio.Future[Any]]] = []

    def __repr__(self) -> str:
        return f"<exprflow cluster results: {len(self._waiting)} to fetch>"

    def fetch(self, loop: asyncio.AbstractEventLoop, future: Any) -> asyncio.Future[Any]:
        """The result of the finished Dask ``future``, to await."""
        out: asyncio.Future[Any] = loop.create_future()
        if not self._waiting:
            loop.call_soon(self._send, loop)
        self._waiting.append((future, out))
        return out

    def _send(self, loop: asyncio.AbstractEventLoop) -> None:
        batch, self._waiting = self._waiting, []
        loop.run_in_executor(None, self._gather, loop, batch)

    def _gather(
        self, loop: asyncio.AbstractEventLoop, batch: list[tuple[Any, asyncio.Future[Any]]]
    ) -> None:
        finished = [(f, out) for f, out in batch if f.status == "finished"]
        others = [(f, out) for f, out in batch if f.status != "finished"]
        try:
            values = self._client.gather([f for f, _ in finished]) if finished else []
        except BaseException:
            # A result lost meanwhile (a worker died): each on its own.
            others, values = batch, []
        for (_, out), value in zip(finished, values):
            loop.call_soon_threadsafe(_settle, out, value, None)
        for future, out in others:
            try:
                value = future.result()
            except BaseException as raised:
                loop.call_soon_threadsafe(_settle, out, None, raised)
            else:
                loop.call_soon_threadsafe(_settle, out, value, None)


def _settle(out: asyncio.Future[Any], value: Any, raised: BaseException | None) -> None:
    if out.done():  # the call was cancelled meanwhile
        return
    if raised is not None:
        out.set_exception(raised)
    else:
        out.set_result(value)


def _set_done(finished: asyncio.Future[None]) -> None:
    if not finished.done():
        finished.set_result(None)


def _fresh_token() -> str:
    import uuid

    return uuid.uuid4().hex
