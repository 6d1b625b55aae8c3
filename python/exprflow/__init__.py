"""exprflow: arithmetic as a DAG of futures, evaluated concurrently.

``exprflow.Engine`` parses ``(3+7)*(2+8)*((2*3)-1)`` into a hash-consed
graph and evaluates its independent subexpressions on a worker pool, in the
words of ``concurrent.futures``: ``eval``, ``submit`` (an
``exprflow.Future``, a real ``concurrent.futures.Future``), ``map``,
``eval_async``, sessions, compiled formulas and models. Values are Python
``int``, ``fractions.Fraction`` and ``float``; errors are ``exprflow.Error``
subclasses that are also the built-in exceptions Python would raise.
"""

from fractions import Fraction
from typing import Union

from ._engine import Engine
from ._errors import (
    DivisionByZero,
    DomainError,
    Error,
    ParseError,
    TimedOut,
    TooLarge,
    UnknownName,
    WrongArity,
)
from ._exprflow import Formula, Model, Session
from ._functions import function
from ._future import Future, Timeline
from ._model import Recompute
from ._to_dask import to_dask

__version__ = "0.1.0"

Number = Union[int, Fraction, float]
"""What exprflow gives back: an ``int``, a ``Fraction`` or a ``float``."""

NumberLike = Union[int, Fraction, float, bool]
"""What exprflow accepts as a value."""

__all__ = [
    "DivisionByZero",
    "DomainError",
    "Engine",
    "Error",
    "Formula",
    "Future",
    "Model",
    "Number",
    "NumberLike",
    "ParseError",
    "Recompute",
    "Session",
    "TimedOut",
    "Timeline",
    "TooLarge",
    "UnknownName",
    "WrongArity",
    "__version__",
    "function",
    "to_dask",
]
