"""``exprflow.Future``: a real ``concurrent.futures.Future`` completed from
Rust, and the pump thread that completes futures as their evaluations end."""

from __future__ import annotations

import atexit
import os
import threading
import weakref
from concurrent.futures import Future as _StdFuture
from concurrent.futures import InvalidStateError
from concurrent.futures._base import (
    CANCELLED,
    CANCELLED_AND_NOTIFIED,
    FINISHED,
    RUNNING,
)
from typing import Any, Callable

from . import _exprflow
from ._errors import WaitTimedOut

_DONE = (CANCELLED, CANCELLED_AND_NOTIFIED, FINISHED)


class Future(_StdFuture):  # type: ignore[type-arg]
    """An evaluation submitted with ``Engine.submit``: a
    ``concurrent.futures.Future`` (so ``as_completed``, ``wait``,
    ``add_done_callback`` and ``asyncio.wrap_future`` work unchanged) that
    is running from the start.

    Unlike the stdlib's, ``cancel()`` also stops an evaluation that is
    running: its work nobody else needs stops, ``delay`` timers are
    removed and a worker busy with it is freed; it returns ``True`` unless
    the evaluation had already finished."""

    def __init__(self, task: Any, text: str, recorded: bool = False) -> None:
        super().__init__()
        self._task = task
        self._text = text
        self._recorded = recorded
        self._state = RUNNING
        self._waiters = _Waiters(self)
        # The evaluation holds this future until it ends (a submitted
        # evaluation runs to its end, whoever keeps the future); the pump
        # completes it only once someone waits through the stdlib.
        task.hold(self)

    def _want(self) -> None:
        """Someone waits on this future through the stdlib machinery
        (``add_done_callback``, ``as_completed``, ``wait``): from now on
        the pump completes it, or this call does if it has ended."""
        if self._state in _DONE:
            return
        _pump.ensure_running()
        if self._task.want():
            self._settle()

    def add_done_callback(self, fn: Callable[[_StdFuture[Any]], object]) -> None:
        self._want()
        super().add_done_callback(fn)

    def running(self) -> bool:
        return not self.done()

    def cancelled(self) -> bool:
        self.done()
        return super().cancelled()

    def __repr__(self) -> str:
        self.done()
        text = self._text if len(self._text) <= 40 else self._text[:37] + "..."
        with self._condition:
            state = self._state
            if state == FINISHED:
                if self._exception is not None:
                    outcome = f" raised {type(self._exception).__name__}"
                else:
                    outcome = f" returned {type(self._result).__name__}"
            else:
                outcome = ""
        return f"<exprflow.Future at {id(self):#x} state={state.lower()}{outcome} text={text!r}>"

    def _settle(self) -> None:
        """Completes this future from its evaluation's outcome, once."""
        if self._state in _DONE:
            return
        outcome = self._task.outcome()
        if outcome is not None:
            self._complete(outcome)

    def _complete(self, outcome: tuple[bool, Any, Any]) -> None:
        """Completes this future with ``(cancelled, value, exception)``
        unless it is complete already."""
        cancelled, value, exception = outcome
        try:
            if cancelled:
                self._set_cancelled()
            elif exception is not None:
                self.set_exception(exception)
            else:
                self.set_result(value)
        except InvalidStateError:
            pass

    def _set_cancelled(self) -> None:
        with self._condition:
            if self._state in _DONE:
                return
            self._state = CANCELLED_AND_NOTIFIED
            for waiter in self._waiters:
                waiter.add_cancelled(self)
            self._condition.notify_all()
        self._invoke_callbacks()  # type: ignore[attr-defined]

    def cancel(self) -> bool:
        """Cancels the evaluation, also while it runs (the stdlib cancels
        only futures that have not started). ``True`` unless it had already
        finished."""
        if self._state == FINISHED:
            return False
        if self._state not in _DONE:
            self._task.cancel()
            self._settle()
        return self._state in (CANCELLED, CANCELLED_AND_NOTIFIED)

    def done(self) -> bool:
        if self._state not in _DONE and self._task.done():
            self._settle()
        return self._state in _DONE

    def result(self, timeout: float | None = None) -> Any:
        """The value (an ``int``, ``Fraction`` or ``float``), waiting at most
        ``timeout`` seconds with the GIL released; raises the evaluation's
        error, ``TimeoutError`` or ``CancelledError`` as the stdlib does.
        Ctrl-C raises ``KeyboardInterrupt`` (the evaluation goes on)."""
        self._wait(timeout)
        if self._state == FINISHED and self._exception is None:
            return self._result  # set once, never changed: no lock needed
        return super().result(timeout=0)  # raises what the evaluation raised

    def exception(self, timeout: float | None = None) -> BaseException | None:
        self._wait(timeout)
        return super().exception(timeout=0)

    def timeline(self) -> Timeline:
        """The run as an SVG timeline (a lane per worker, a bar per node,
        the critical path outlined): shown as the picture in Jupyter,
        ``.save("run.svg")`` writes it. Waits for the evaluation; needs
        ``submit(..., record=True)``."""
        return Timeline(self._report().timeline_svg())

    def dot(self) -> str:
        """The DAG as Graphviz DOT text (``record=True``)."""
        return str(self._report().dot())

    def trace(self) -> str:
        """The run as Chrome trace-event JSON text, for Perfetto
        (``record=True``)."""
        return str(self._report().trace_json())

    def stats(self) -> dict[str, Any]:
        """The run's figures (``record=True``): ``work``, ``span``,
        ``wall`` and ``bound`` in seconds, ``parallelism``, ``workers``,
        node counts, and ``text``, the command line's ``--stats``."""
        return dict(self._report().stats())

    def _report(self) -> Any:
        if not self._recorded:
            raise ValueError("nothing was recorded: submit with record=True")
        self._wait(None)
        report = self._task.report()
        if report is None:
            raise ValueError("nothing was recorded for this evaluation")
        return report

    def _wait(self, timeout: float | None) -> None:
        """Waits for the evaluation and completes this future from it;
        raises ``TimeoutError`` when ``timeout`` seconds pass first."""
        if self._state not in _DONE:
            outcome = self._task.wait_outcome(timeout)
            if outcome is None:
                raise WaitTimedOut()
            self._complete(outcome)


class _Waiters(list):  # type: ignore[type-arg]
    """A future's list of stdlib waiters: ``as_completed`` and ``wait``
    install theirs with ``append``, which asks for the pump."""

    __slots__ = ("_future",)

    def __init__(self, future: Future) -> None:
        super().__init__()
        # Weak: a future and its list in a cycle would wait for the cyclic
        # collector to free the evaluation behind it.
        self._future = weakref.ref(future)

    def append(self, waiter: Any) -> None:
        super().append(waiter)
        future = self._future()
        if future is not None:
            future._want()


class Timeline:
    """An SVG timeline of a recorded run. Jupyter shows it as the picture
    (``_repr_svg_``); ``save(path)`` writes the SVG file; ``svg`` is the
    text."""

    def __init__(self, svg: str) -> None:
        self.svg = svg

    def _repr_svg_(self) -> str:
        return self.svg

    def save(self, path: str | os.PathLike[str]) -> None:
        """Writes the SVG to ``path``."""
        with open(path, "w", encoding="utf-8") as file:
            file.write(self.svg)

    def __str__(self) -> str:
        return self.svg

    def __repr__(self) -> str:
        return f"<exprflow.Timeline: {len(self.svg)} characters of SVG>"


class _Pump:
    """The daemon thread that completes futures as evaluations end (the
    Rust side sends them over a channel, from any thread, without the GIL)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def ensure_running(self) -> None:
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                thread = threading.Thread(target=self._run, name="exprflow-pump", daemon=True)
                thread.start()
                self._thread = thread

    @staticmethod
    def _run() -> None:
        while True:
            batch = _exprflow._next_completions()
            if batch is None:
                return
            for future in batch:
                future._settle()

    def stop(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            _exprflow._stop_pump()
            thread.join(timeout=1.0)

    def forget_after_fork(self) -> None:
        """In a forked child: the pump thread is not there."""
        self._lock = threading.Lock()
        self._thread = None


_pump = _Pump()
atexit.register(_pump.stop)


def _after_fork_in_child() -> None:
    _exprflow._after_fork_in_child()
    _pump.forget_after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
