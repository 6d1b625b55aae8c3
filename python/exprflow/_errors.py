"""The exceptions of exprflow: each kind of error is also the built-in
exception Python itself would raise for it."""

from __future__ import annotations

import concurrent.futures
from typing import Any


class Error(Exception):
    """An error of exprflow: ``kind`` (the ``ErrorKind`` name, e.g.
    ``"DivisionByZero"``), ``message`` (``str(e)``), the 1-based ``line``
    and ``column`` where it starts, ``span`` (start and end offsets into the
    text, as ``str`` indices) and ``report()``, the caret report the command
    line prints."""

    kind: str
    message: str
    line: int
    column: int
    span: tuple[int, int]

    def __init__(
        self,
        message: str,
        *,
        kind: str = "Internal",
        line: int = 1,
        column: int = 1,
        span: tuple[int, int] = (0, 0),
        report: str | None = None,
    ) -> None:
        Exception.__init__(self, message)
        self.kind = kind
        self.message = message
        self.line = line
        self.column = column
        self.span = span
        self._report = report if report is not None else f"error: {message}\n"

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, kind={self.kind!r}, "
            f"line={self.line}, column={self.column}, span={self.span})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        details = (self.message, self.kind, self.line, self.column, self.span, self._report)
        return (_rebuild, (type(self), *details))

    def report(self) -> str:
        """The caret report: the message, ``<input>:line:column``, the line
        and a caret under the span (what the command line prints)."""
        return self._report


def _rebuild(
    cls: type[Error],
    message: str,
    kind: str,
    line: int,
    column: int,
    span: tuple[int, int],
    report: str,
) -> Error:
    return cls(message, kind=kind, line=line, column=column, span=span, report=report)


class DivisionByZero(Error, ZeroDivisionError):
    """Division, floor division or modulo by zero, or zero to a negative power."""


class DomainError(Error, ValueError):
    """An argument outside a function's domain, or a host function that
    raised (its exception is the ``__cause__``)."""


class ParseError(Error, SyntaxError):
    """The text is not a statement of the language (or nests too deep)."""

    def __init__(self, message: str, **details: Any) -> None:
        Error.__init__(self, message, **details)
        # SyntaxError's own fields, so that tracebacks point at the column.
        self.msg = message
        self.lineno = self.line
        self.offset = self.column


class UnknownName(Error, NameError):
    """A variable or function that is not defined."""


class TooLarge(Error, OverflowError):
    """An exact result over the bit limit, a float overflow, or a run over
    its memory budget or node limit."""


class WrongArity(Error, TypeError):
    """A function called with the wrong number of arguments."""


# The stdlib's futures raise concurrent.futures.TimeoutError, which is the
# built-in TimeoutError from Python 3.11 on but a class of its own before:
# exprflow's timeouts are both, so either `except` catches them.
_TIMEOUTS: tuple[type[Exception], ...] = tuple(
    {TimeoutError: None, concurrent.futures.TimeoutError: None}
)


class TimedOut(Error, *_TIMEOUTS):  # type: ignore[misc]
    """The evaluation did not finish within its timeout (``submit(timeout=...)``)."""


class WaitTimedOut(*_TIMEOUTS):  # type: ignore[misc]
    """``Future.result(timeout)`` or ``exception(timeout)`` ran out of time
    (the evaluation goes on)."""


_CLASSES: dict[str, type[Error]] = {
    "Syntax": ParseError,
    "NestingTooDeep": ParseError,
    "UnknownVariable": UnknownName,
    "UnknownFunction": UnknownName,
    "WrongArity": WrongArity,
    "DivisionByZero": DivisionByZero,
    "Domain": DomainError,
    "TooLarge": TooLarge,
    "MemoryBudget": TooLarge,
    "TimedOut": TimedOut,
}


def _from_rust(
    kind: str,
    message: str,
    line: int,
    column: int,
    span: tuple[int, int],
    report: str,
    cause: BaseException | None,
) -> BaseException:
    """The exception for an error of the Rust library (called from Rust)."""
    if kind == "Cancelled":
        return concurrent.futures.CancelledError(message)
    cls = _CLASSES.get(kind, Error)
    error = cls(message, kind=kind, line=line, column=column, span=span, report=report)
    if cause is not None:
        error.__cause__ = cause
    return error
