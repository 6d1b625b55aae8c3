"""docs/python.md: every ```python block runs, in order, in one namespace
(like the cells of a notebook), so the tutorial shows what happens."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "python.md"


def blocks(text: str) -> list[tuple[int, str]]:
    """The ```python blocks of ``text``: (line of the fence, code)."""
    found = []
    for match in re.finditer(r"^```python\n(.*?)^```$", text, flags=re.S | re.M):
        line = text.count("\n", 0, match.start()) + 1
        found.append((line, match.group(1)))
    return found


def test_the_doc_has_blocks_to_run() -> None:
    assert len(blocks(DOC.read_text(encoding="utf-8"))) >= 15


def test_every_python_block_of_docs_python_md_runs() -> None:
    pytest.importorskip("tqdm")
    pytest.importorskip("distributed")
    # "__main__": functions defined in the blocks travel to Dask's worker
    # processes by value, as they do from a script or a notebook.
    namespace: dict[str, Any] = {"__name__": "__main__"}
    for line, code in blocks(DOC.read_text(encoding="utf-8")):
        compiled = compile(code, f"{DOC}:{line}", "exec")
        try:
            exec(compiled, namespace)
        except Exception as error:
            where = f"docs/python.md block at line {line}"
            raise AssertionError(f"{where} failed: {error!r}") from error
