"""Solves and analyses run on background threads that leave the CPU to requests first."""

from __future__ import annotations

import os
import threading

from alliedforge.api.jobs import BACKGROUND_NICE, start_background


def _niceness() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def test_background_work_runs_niced_and_the_caller_keeps_its_priority() -> None:
    before = _niceness()
    seen: list[int] = []
    start_background("probe", lambda: seen.append(_niceness())).join(timeout=10)
    assert seen == [max(before, BACKGROUND_NICE)]
    assert _niceness() == before


def test_what_background_work_starts_inherits_its_priority() -> None:
    # HiGHS's worker threads and a process pool are started from the solving thread.
    seen: list[int] = []

    def start_a_thread() -> None:
        inner = threading.Thread(target=lambda: seen.append(_niceness()))
        inner.start()
        inner.join()

    start_background("probe", start_a_thread).join(timeout=10)
    assert seen == [max(_niceness(), BACKGROUND_NICE)]
