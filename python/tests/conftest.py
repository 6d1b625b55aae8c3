"""Shared fixtures: a 2-worker engine per test module, shut down after."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import exprflow


@pytest.fixture(scope="module")
def engine() -> Iterator[exprflow.Engine]:
    with exprflow.Engine(workers=2) as shared:
        yield shared
