"""record=True: the pictures and figures of a run, for notebooks."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import exprflow

MISSION = (
    "(delay(3,40)+delay(7,80))*(delay(2,60)+delay(8,20))*((delay(2,30)*delay(3,50))-delay(1,25))"
)


def test_timeline_dot_trace_and_stats(engine: exprflow.Engine, tmp_path: Path) -> None:
    f = engine.submit(MISSION, record=True)
    assert f.result(timeout=20) == 500
    timeline = f.timeline()
    svg = timeline._repr_svg_()
    assert ET.fromstring(svg).tag.endswith("svg")
    assert str(timeline) == svg and "SVG" in repr(timeline)
    timeline.save(tmp_path / "run.svg")
    assert (tmp_path / "run.svg").read_text(encoding="utf-8") == svg
    assert f.dot().startswith("digraph")
    events = json.loads(f.trace())["traceEvents"]
    assert any(e.get("ph") == "X" for e in events)
    stats = f.stats()
    assert stats["workers"] == 2
    # Seven delays wait together: the span is the longest chain, far
    # below the 305 ms the waits add up to.
    assert stats["span"] < stats["work"]
    assert stats["parallelism"] > 1.0
    assert "parallelism" in stats["text"]


def test_pictures_wait_for_the_run_and_need_record(engine: exprflow.Engine) -> None:
    f = engine.submit("delay(1, 30) + 1", record=True)
    assert f.dot().startswith("digraph")  # waits for the evaluation
    assert f.done()
    plain = engine.submit("1 + 1")
    with pytest.raises(ValueError, match="record=True"):
        plain.timeline()
    # A cancelled run still shows what ran before it was stopped.
    cancelled = engine.submit("delay(1, 60000) + busy(2, 1)", record=True)
    cancelled.cancel()
    assert cancelled.stats()["workers"] == 2
