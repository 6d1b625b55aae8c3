"""Threads, signals and forks: the GIL is released while exprflow waits,
many Python threads share one engine, Ctrl-C interrupts engine.eval, and
a forked child gets an error from an engine made before the fork."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading

import pytest

import exprflow


def test_the_gil_is_released_during_eval(engine: exprflow.Engine) -> None:
    counted = 0
    stop = threading.Event()

    def count() -> None:
        nonlocal counted
        while not stop.is_set():
            counted += 1

    thread = threading.Thread(target=count)
    thread.start()
    try:
        before = counted
        engine.eval("busy(1, 300)")
        during = counted - before
    finally:
        stop.set()
        thread.join()
    # Holding the GIL for 300 ms would leave the counter still (the
    # thread could not run); released, it counts into the tens of
    # thousands at least.
    assert during > 1000


def test_eight_threads_submit_at_once(engine: exprflow.Engine) -> None:
    barrier = threading.Barrier(8)
    failures: list[BaseException] = []

    def submitter(k: int) -> None:
        try:
            barrier.wait()
            futures = [engine.submit(f"{k} * 1000 + {i}") for i in range(100)]
            values = [f.result(timeout=20) for f in futures]
            assert values == [k * 1000 + i for i in range(100)]
            assert engine.eval(f"fact({k + 10})") > 0
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=submitter, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


CHILD = textwrap.dedent(
    """
    import sys, time, exprflow

    def ready():
        print("ready", flush=True)
        return 1

    ready = exprflow.function(ready, volatile=True)
    engine = exprflow.Engine(workers=1, functions={"ready": ready})
    try:
        engine.eval("busy(ready(), 60000)")
    except KeyboardInterrupt:
        print("KeyboardInterrupt", flush=True)
    # The one worker is free again: the busy loop was cancelled.
    print("after", engine.eval("2 + 2"), flush=True)
    session = engine.session()
    session.eval("x = 5")
    try:
        session.eval("x = busy(ready(), 60000)")
    except KeyboardInterrupt:
        print("KeyboardInterrupt", flush=True)
    print("session", session.eval("x + 1"), flush=True)
    future = engine.submit("delay(ready(), 60000)")
    try:
        future.result()
    except KeyboardInterrupt:
        print("KeyboardInterrupt", flush=True)
    # result() lets the evaluation go on, as the stdlib's does.
    print("running", future.running(), future.cancel(), flush=True)
    """
)


def test_ctrl_c_cancels_eval_and_raises_keyboard_interrupt() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    try:
        assert child.stdout is not None
        for _ in range(3):
            line = child.stdout.readline().strip()
            while line != "ready":
                lines.append(line)
                line = child.stdout.readline().strip()
                assert line or child.poll() is None, lines
            os.kill(child.pid, signal.SIGINT)
        # Without the cancel each busy loop holds the only worker for a
        # minute; the 20 s bound is the point of this test.
        out, err = child.communicate(timeout=20)
    finally:
        child.kill()
    lines += out.split("\n")
    assert [line for line in lines if line] == [
        "KeyboardInterrupt",
        "after 4",
        "KeyboardInterrupt",
        "session 6",
        "KeyboardInterrupt",
        "running True True",
    ], err


FORKED = textwrap.dedent(
    """
    import multiprocessing, exprflow
    from concurrent.futures import as_completed

    engine = exprflow.Engine(workers=1)
    session = engine.session()
    assert engine.eval("1 + 1") == 2

    def in_child(_):
        outcomes = []
        for use in (lambda: engine.eval("1 + 1"), lambda: session.eval("2")):
            try:
                use()
            except RuntimeError as error:
                outcomes.append("forked" if "forked" in str(error) else str(error))
        with exprflow.Engine(workers=1) as fresh:
            f = fresh.submit("delay(3, 10)")
            outcomes.extend(done.result() for done in as_completed([f]))
        return outcomes

    with multiprocessing.get_context("fork").Pool(1) as pool:
        print(pool.map(in_child, [0])[0], flush=True)
    """
)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_gets_an_error_not_a_hang() -> None:
    # An engine made before a fork has no worker threads in the child:
    # using it there is a RuntimeError; an engine made in the child works.
    out = subprocess.run([sys.executable, "-c", FORKED], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "['forked', 'forked', 3]", out.stderr
