"""``exprflow.to_dask(text, functions=...)``: an expression as a Dask graph.

Every call of a host function that the expression always reaches (not
inside a branch of an ``if``, not volatile, with the right number of
arguments) becomes one Dask task; equal calls written alike are one task.
A call's task evaluates its argument texts with exprflow (the arithmetic
around the calls it contains is fused into it), then calls the function.
One last task evaluates the whole text with exprflow, each host call
answered from the outcomes of the call tasks, so values, errors and the
leftmost-error rule are those of ``engine.eval(text)``. A call the graph
did not lift (a branch of an ``if``) runs inside the task that reaches it.
So ``f(1)*2 + f(2)*3 - 1`` is 3 tasks, not one per operation.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable, NamedTuple

from . import _exprflow
from ._dask import described, function_token, standing_in
from ._functions import arity_of, function, is_async


class Host(NamedTuple):
    """A host function as the tasks need it."""

    spec: function
    least: int
    most: int | None
    is_async: bool

    @property
    def fn(self) -> Callable[..., Any]:
        return self.spec.fn

    def takes(self, count: int) -> bool:
        return self.least <= count and (self.most is None or count <= self.most)


class Outcome(NamedTuple):
    """What a call task gives its consumers: the argument values it
    computed (``None`` when they failed: the consumer meets the same error
    before reaching the call) and the result or the raised exception."""

    name: str
    args: tuple[Any, ...] | None
    value: Any
    error: BaseException | None


def to_dask(text: str, functions: dict[str, Any] | None = None) -> Any:
    """A ``dask.delayed.Delayed`` computing ``text``: ``dask.compute`` (or a
    ``Client``) gives the value ``Engine(functions=functions).eval(text)``
    gives, or raises its error. Host calls are the graph's tasks; the
    arithmetic between them runs inside the tasks that consume it."""
    from dask.base import tokenize
    from dask.delayed import Delayed
    from dask.highlevelgraph import HighLevelGraph

    if not isinstance(text, str):
        raise TypeError(f"expected str, got {type(text).__name__}")
    hosts = _hosts(functions)
    sites = _exprflow._call_sites(text)
    used = {name: host for name, host in hosts.items() if any(s[0] == name for s in sites)}
    lifted = [
        site
        for site in sites
        if site[0] in used
        and not site[3]
        and not used[site[0]].spec.volatile
        and used[site[0]].takes(len(site[2]))
    ]
    tokens = {name: function_token(host.fn) for name, host in used.items()}
    children = _direct_children(lifted)
    graph: dict[Any, Any] = {}
    keys: list[str] = [""] * len(lifted)
    # Text order puts a call before the calls in its arguments: walk it
    # backwards so that every inner call has its key first.
    for i in range(len(lifted) - 1, -1, -1):
        name, _, arg_spans, _ = lifted[i]
        inner = sorted({keys[j] for j in children[i]})
        arg_texts = [text[a:b] for a, b in arg_spans]
        key = f"{name}-{tokenize(tokens[name], arg_texts, inner)}"
        keys[i] = key
        graph[key] = (_call_task, name, used, arg_texts, *inner)
    top = sorted({keys[j] for j in children[-1]})
    root = f"exprflow-{tokenize(text, sorted(tokens.items()), top)}"
    graph[root] = (_root_task, text, used, *top)
    layers = HighLevelGraph.from_collections(root, graph, dependencies=())
    return Delayed(root, layers)  # type: ignore[no-untyped-call]


def _direct_children(sites: list[Any]) -> dict[int, list[int]]:
    """For each site (by index), the sites directly inside its arguments;
    under ``-1`` the outermost ones. One pass with a stack of the open
    calls: sites come in text order and their spans nest or are apart."""
    children: dict[int, list[int]] = {-1: []}
    open_calls: list[int] = []
    for i, site in enumerate(sites):
        start = site[1][0]
        children[i] = []
        while open_calls and sites[open_calls[-1]][1][1] <= start:
            open_calls.pop()
        children[open_calls[-1] if open_calls else -1].append(i)
        open_calls.append(i)
    return children


def _hosts(functions: dict[str, Any] | None) -> dict[str, Host]:
    hosts: dict[str, Host] = {}
    for name, given in (functions or {}).items():
        if not isinstance(name, str):
            raise TypeError(f"a host function's name must be a str, got {type(name).__name__}")
        spec = given if isinstance(given, function) else function(given)
        least, most = (spec.arity, spec.arity) if spec.arity is not None else arity_of(spec.fn)
        hosts[name] = Host(spec, least, most, is_async(spec.fn))
    return hosts


def _call_task(
    name: str, hosts: dict[str, Host], arg_texts: list[str], *inner: tuple[Outcome, ...]
) -> tuple[Outcome, ...]:
    """One host call: its arguments evaluated by exprflow (the calls in
    them answered from ``inner``, what the tasks of the calls directly
    inside gave), then the function itself. Gives its own outcome and
    those of every call inside it, one flat tuple (no nesting to pickle)."""
    from ._errors import Error

    nested = tuple(outcome for outcomes in inner for outcome in outcomes)
    try:
        args = tuple(_evaluate_all(arg_texts, hosts, nested))
    except Error:
        return (Outcome(name, None, None, None), *nested)
    host = hosts[name]
    try:
        value = asyncio.run(host.fn(*args)) if host.is_async else host.fn(*args)
    except Exception as raised:
        return (Outcome(name, args, None, raised), *nested)
    return (Outcome(name, args, value, None), *nested)


def _root_task(text: str, hosts: dict[str, Host], *inner: tuple[Outcome, ...]) -> Any:
    """The whole expression, its host calls answered from ``inner``."""
    nested = tuple(outcome for outcomes in inner for outcome in outcomes)
    return _evaluate_all([text], hosts, nested)[0]


def _evaluate_all(
    texts: list[str], hosts: dict[str, Host], outcomes: tuple[Outcome, ...]
) -> list[Any]:
    from ._engine import Engine

    answers: dict[str, dict[tuple[tuple[str, str], ...], Outcome]] = {}
    for outcome in outcomes:
        if outcome.args is not None:
            answers.setdefault(outcome.name, {})[described(outcome.args)] = outcome
    functions = {
        name: standing_in(host.spec, _answering(host, answers.get(name, {})))
        for name, host in hosts.items()
    }
    with Engine(workers=1, functions=functions) as engine:
        return list(engine.map(texts)) if len(texts) > 1 else [engine.eval(texts[0])]


def _answering(
    host: Host, answers: dict[tuple[tuple[str, str], ...], Outcome]
) -> Callable[..., Any]:
    """``host.fn``, answered from a call task's outcome where there is one."""

    def answer(args: tuple[Any, ...]) -> Outcome | None:
        return answers.get(described(args)) if answers else None

    if host.is_async:

        async def answered_async(*args: Any) -> Any:
            outcome = answer(args)
            if outcome is None:
                return await host.fn(*args)
            return _unpack(outcome)

        return answered_async

    def answered(*args: Any) -> Any:
        outcome = answer(args)
        return host.fn(*args) if outcome is None else _unpack(outcome)

    return answered


def _unpack(outcome: Outcome) -> Any:
    if outcome.error is not None:
        raise outcome.error
    return outcome.value
