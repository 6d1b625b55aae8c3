"""``exprflow.Engine``: one worker pool, in the words of ``concurrent.futures``."""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Iterable, Iterator
from concurrent.futures import wait as _wait_all
from typing import Any

from . import _exprflow
from ._dask import ClusterCalls
from ._exprflow import Formula, Model, Session
from ._functions import EventLoop, specs
from ._future import Future


class Engine:
    """A worker pool (one per CPU by default, or ``workers``) evaluating
    expressions as DAGs of futures. ``functions`` maps names to Python
    callables (or ``exprflow.function(...)``) that join the language;
    with ``cluster`` (a ``dask.distributed.Client``) each call of a plain
    one is a Dask task on that cluster.
    Use it as a context manager, or call ``shutdown()``; after that, new
    work raises ``RuntimeError``."""

    def __init__(
        self,
        workers: int | None = None,
        functions: dict[str, Any] | None = None,
        *,
        cluster: Any = None,
    ) -> None:
        if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)):
            raise TypeError(f"workers must be an int, got {type(workers).__name__}")
        if workers is not None and workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        # cluster=: plain host functions run as Dask tasks (_dask.py, SPEC section 8).
        self._cluster = None if cluster is None else ClusterCalls(cluster)
        if self._cluster is not None:
            functions = self._cluster.wrap(functions)
        self._loop: EventLoop | None = None
        self._lock = threading.Lock()
        # The futures of submit (alive while their evaluation runs, or
        # while someone holds them), for shutdown.
        self._submitted: weakref.WeakSet[Future] = weakref.WeakSet()
        self._shutdown = False
        try:
            self._rust = _exprflow._Engine(workers, specs(functions, self._event_loop))
        except BaseException:
            self._stop_loop()
            raise

    def _event_loop(self) -> Any:
        if self._loop is None:
            self._loop = EventLoop()
            # An engine dropped without shutdown() ends its loop's thread too.
            weakref.finalize(self, self._loop.stop_soon)
        return self._loop.loop

    def __repr__(self) -> str:
        state = "shut down" if self._shutdown else "running"
        return f"<exprflow.Engine workers={self.workers} {state}>"

    @property
    def workers(self) -> int:
        """The number of pool workers."""
        return int(self._rust.workers)

    def eval(self, text: str) -> Any:
        """Evaluates ``text`` and returns its value (``int``, ``Fraction`` or
        ``float``); the GIL is released meanwhile, and Ctrl-C cancels the
        evaluation and raises ``KeyboardInterrupt``."""
        return self._rust.eval(text)

    def submit(self, text: str, *, record: bool = False, timeout: float | None = None) -> Future:
        """Starts evaluating ``text`` and returns its ``exprflow.Future`` at
        once. ``timeout`` (seconds) stops the evaluation then (it raises
        ``TimeoutError``); ``record=True`` keeps what ran where, for
        ``timeline()``, ``dot()``, ``trace()`` and ``stats()``."""
        future = Future(self._rust.submit(text, record, timeout), text, bool(record))
        with self._lock:
            self._submitted.add(future)
        return future

    def map(self, texts: Iterable[str], *, timeout: float | None = None) -> Iterator[Any]:
        """Evaluates ``texts`` as one DAG (shared subexpressions computed
        once) and gives their values in input order; an error raises when
        its item is reached, as ``Executor.map`` does."""
        items = list(texts)
        for text in items:
            if not isinstance(text, str):
                raise TypeError(f"expected str, got {type(text).__name__}")
        outcomes = self._rust.map(items, timeout)
        return _results(outcomes)

    def session(self) -> Session:
        """A session: statements with variables and functions, evaluated
        on this engine's pool; also a mapping of its variables."""
        return self._rust.session()

    def compile(self, text: str) -> Formula:
        """Compiles ``text`` once into a formula of its free names, to
        evaluate on keyword inputs or on many rows (``eval_many``)."""
        return self._rust.compile(text)

    def model(self) -> Model:
        """A model: cells like a spreadsheet (a mapping), recomputing only
        what changed."""
        return self._rust.model()

    async def eval_async(self, text: str) -> Any:
        """``await``-able evaluation for asyncio: the value of ``text``.
        Cancelling the awaiting task cancels the evaluation."""
        return await asyncio.wrap_future(self.submit(text))

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Refuses new work, then (as ``Executor.shutdown``) cancels the
        pending futures if ``cancel_futures`` and waits for them if
        ``wait``."""
        self._shutdown = True
        self._rust.shutdown()
        with self._lock:
            pending = [future for future in self._submitted if not future.done()]
        if cancel_futures:
            for future in pending:
                future.cancel()
        if wait:
            _wait_all(pending)
            self._stop_loop()
            if self._cluster is not None:
                self._cluster.close()

    def _stop_loop(self) -> None:
        if self._loop is not None:
            self._loop.stop()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown(wait=True)


def _results(outcomes: list[tuple[bool, Any, Any]]) -> Iterator[Any]:
    from concurrent.futures import CancelledError

    for cancelled, value, exception in outcomes:
        if cancelled:
            raise CancelledError()
        if exception is not None:
            raise exception
        yield value
