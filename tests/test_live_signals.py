"""Every terminating signal ends a `live` session like Ctrl-C: SIGTERM (kill) and SIGHUP (the
terminal went away) stop the microphone, and the session ends "ok" with its log and result."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest
from helpers import timeline
from test_live_mic import FakeInputStream, spec

from provoice_live.live.mic import run_microphone
from provoice_live.run import RunDir, read_records


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
async def test_a_terminating_signal_ends_the_session_cleanly(tmp_path, sig):
    x = timeline([("speech", 0.6), ("silence", 30.0)])  # a device that would run on for 30 s
    sources = []

    async def send_signal():
        while not sources or sources[0].blocks < 40:  # 0.8 s of audio taken
            await asyncio.sleep(0.01)
        os.kill(os.getpid(), sig)

    sender = asyncio.create_task(send_signal())
    result = await run_microphone(spec(at="0.4"), tmp_path / "run", "mic-s",
                                  stream_factory=FakeInputStream.factory(x, pace_s=0.02), on_source=sources.append)
    await sender
    assert result.status == "ok" and 0.8 <= result.audio_s < 30  # stopped, not run to the device's end
    run = RunDir(tmp_path / "run")
    assert run.read_result("mic-s").status == "ok" and len(run.read_result("mic-s").interjections) == 1
    end = read_records(run.log_path("mic-s"))[-1]
    assert end.kind == "session_end" and end.status == "ok"
    assert FakeInputStream.instances[-1].closed
    loop = asyncio.get_running_loop()  # the handlers are gone again: the default disposition is back
    assert not loop.remove_signal_handler(sig)
