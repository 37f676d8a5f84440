"""Ray starts its workers at niceness 15; a session worker puts every thread of its process back to 0
(`cluster.sessions.unnice_process`), so its real-time sessions are not starved by other work on the node."""

from __future__ import annotations

import os
import threading

import pytest

from provoice_live.cluster.sessions import unnice_process


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="per-thread niceness is Linux's")
def test_every_thread_of_the_process_is_set_back_to_normal_priority():
    if os.getpriority(os.PRIO_PROCESS, 0) != 0:
        pytest.skip("this test process does not run at niceness 0")
    ready, done = threading.Event(), threading.Event()
    seen: dict[str, int] = {}

    def worker_thread():  # as a Ray worker's threads start: niceness 15
        seen["tid"] = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, 0, 15)
        ready.set()
        done.wait(10)
        seen["after"] = os.getpriority(os.PRIO_PROCESS, 0)

    t = threading.Thread(target=worker_thread)
    t.start()
    try:
        assert ready.wait(10)
        assert os.getpriority(os.PRIO_PROCESS, seen["tid"]) == 15
        try:
            os.setpriority(os.PRIO_PROCESS, seen["tid"], 14)  # raising priority: allowed here?
        except PermissionError:
            pytest.skip("no CAP_SYS_NICE: the worker keeps Ray's niceness (the driver warns)")
        os.setpriority(os.PRIO_PROCESS, seen["tid"], 15)
        assert unnice_process(0) == 0
        assert os.getpriority(os.PRIO_PROCESS, seen["tid"]) == 0  # the other thread too, not only the caller
    finally:
        done.set()
        t.join(10)
    assert seen["after"] == 0
