"""The engine: clocks, pacing, lockstep, interjection timing, polls, faults, resume."""

from __future__ import annotations

import asyncio
import json

import numpy as np
import pytest

from support.helpers import make_corpus, sample, timeline
from provoice_live.agents.base import AgentAdapter, Capabilities, SessionContext
from provoice_live.agents.scripted import ScriptedAgent
from provoice_live.corpus import CorpusError
from provoice_live.engine.clock import LockstepClock, VirtualClock, make_clock
from provoice_live.engine.runner import run_corpus_async
from provoice_live.engine.session import SessionConfig, run_session
from provoice_live.errors import ProvoiceError
from provoice_live.run import SessionTrace, read_records
from provoice_live.sources.file import FileSource

CTX = SessionContext(session_id="s1")


class Recorder(AgentAdapter):
    """Records the stream time at which each chunk arrives."""

    name = "recorder"

    def __init__(self, **kw):
        super().__init__(**kw)
        self.capabilities = Capabilities()
        self.arrivals: list[tuple[float, float]] = []  # (stream time, chunk end)

    async def push_audio(self, chunk):
        self.arrivals.append((self.io.stream_time(), chunk.end_s))


async def test_virtual_clock_hands_each_chunk_over_at_its_end(tmp_path):
    """Pacing: chunk [a, b) reaches the agent at stream time b exactly (absolute deadlines)."""
    src = FileSource(np.zeros(16000, np.float32), 16000, chunk_ms=20)
    agent = Recorder()
    res = await run_session(CTX, src, agent, tmp_path / "s.jsonl", SessionConfig(clock="virtual", tail_s=0.0),
                            clock=VirtualClock())
    assert res.status == "ok"
    assert len(agent.arrivals) == 50
    assert [round(t, 9) for t, _ in agent.arrivals] == [round(e, 9) for _, e in agent.arrivals]
    assert agent.arrivals[-1][0] == pytest.approx(1.0)


async def test_chunk_positions_are_exact_sample_counts(tmp_path):
    """Chunks carry their position in samples; a 24 kHz stream of 1.01 s ends with a short chunk."""
    src = FileSource(np.zeros(24240, np.float32), 24000, chunk_ms=20)
    chunks = [c async for c in src.chunks(LockstepClock())]
    assert [c.start_sample for c in chunks[:3]] == [0, 480, 960]
    assert chunks[-1].n_samples == 24240 - 50 * 480 and chunks[-1].end_s == pytest.approx(1.01)


class SlowDrain(AgentAdapter):
    """Work that takes real time after every chunk: lockstep must wait for it."""

    name = "slow"

    def __init__(self):
        super().__init__()
        self.capabilities = Capabilities()
        self.busy = False
        self.overlaps = 0
        self.task = None
        self.done = 0

    async def push_audio(self, chunk):
        if self.busy:
            self.overlaps += 1
        self.busy = True
        self.task = asyncio.create_task(self._work())

    async def _work(self):
        await asyncio.sleep(0.002)
        self.busy = False
        self.done += 1

    async def drain(self):
        await self.task


async def test_lockstep_waits_for_the_agent_and_logs_compute_apart(tmp_path):
    src = FileSource(np.zeros(8000, np.float32), 16000)
    agent = SlowDrain()
    res = await run_session(CTX, src, agent, tmp_path / "s.jsonl", SessionConfig(clock="lockstep"))
    assert agent.overlaps == 0 and agent.done == 25
    assert res.compute_s >= 25 * 0.002
    assert res.stream_end_s == pytest.approx(0.5)  # compute time never became stream time
    comp = [r for r in read_records(tmp_path / "s.jsonl") if r.kind == "compute"]
    assert comp and comp[-1].seconds >= 0.05


@pytest.mark.parametrize("clock", ["lockstep", "virtual"])
async def test_scripted_interjections_are_logged_exactly_where_scripted(tmp_path, clock):
    src = FileSource(np.zeros(16000 * 3, np.float32), 16000)
    agent = ScriptedAgent(at="0.5,2.2", text="hello there")
    clk = VirtualClock() if clock == "virtual" else None
    res = await run_session(CTX, src, agent, tmp_path / "s.jsonl", SessionConfig(clock=clock, tail_s=0), clock=clk)
    assert [i.t for i in res.interjections] == [0.5, 2.2]
    assert res.interjections[0].text == "hello there"
    logged = [r.t for r in SessionTrace.read(tmp_path / "s.jsonl").replies]
    assert logged == [0.5, 2.2]


async def test_scripted_answer_after_endpoint_is_timed_from_the_vad_endpoint(tmp_path):
    """needs_poll: the engine polls at the VAD endpoint; the answer comes `delay` stream seconds later."""
    x = timeline([("silence", 0.5), ("speech", 1.5), ("silence", 2.0), ("speech", 1.0), ("silence", 2.0)])
    src = FileSource(x, 16000)
    agent = ScriptedAgent(after_endpoint="0.3", endpoints="2", tool="note_taking", args='{"content": "x"}')
    res = await run_session(CTX, src, agent, tmp_path / "s.jsonl", SessionConfig(clock="virtual", tail_s=1),
                            clock=VirtualClock())
    records = read_records(tmp_path / "s.jsonl")
    ends = [r for r in records if r.kind == "vad" and r.event == "speech_end"]
    polls = [r for r in records if r.kind == "poll" and r.reason == "endpoint"]
    assert len(ends) == 2 and len(polls) == 2
    assert len(res.interjections) == 1  # endpoint 1 got a silence decision
    inter = res.interjections[0]
    assert inter.t == pytest.approx(ends[1].t + 0.3, abs=1e-6)
    assert inter.parts["endpoint_detected_s"] == pytest.approx(ends[1].t)
    assert inter.parts["request_sent_s"] == pytest.approx(polls[1].t)
    assert inter.tool_calls[0].name == "note_taking" and inter.tool_calls[0].arguments == {"content": "x"}
    silences = [r for r in records if r.kind == "agent" and r.event.type == "silence"]
    assert len(silences) >= 1


async def test_interjections_before_monitoring_starts_are_logged_not_scored(tmp_path):
    src = FileSource(np.zeros(16000 * 3, np.float32), 16000)
    res = await run_session(CTX, src, ScriptedAgent(at="0.4,2.0"), tmp_path / "s.jsonl", SessionConfig(),
                            monitor_from_s=1.0)
    assert [(i.t, i.scored) for i in res.interjections] == [(0.4, False), (2.0, True)]


async def test_agent_failure_ends_the_session_as_an_error(tmp_path):
    src = FileSource(np.zeros(16000 * 2, np.float32), 16000)
    res = await run_session(CTX, src, ScriptedAgent(fail_at="1.0"), tmp_path / "s.jsonl", SessionConfig())
    assert res.status == "error" and "scripted failure" in res.error
    end = read_records(tmp_path / "s.jsonl")[-1]
    assert end.kind == "session_end" and end.status == "error"


async def test_a_hanging_agent_times_out(tmp_path):
    x = timeline([("speech", 1.0), ("silence", 1.0)])
    agent = ScriptedAgent(after_endpoint="0.1", hang_at="0")
    res = await run_session(CTX, FileSource(x, 16000), agent, tmp_path / "s.jsonl",
                            SessionConfig(response_timeout_s=0.2))
    assert res.status == "error" and "did not answer poll" in res.error


async def test_rate_mismatch_is_an_error_naming_both_rates(tmp_path):
    src = FileSource(np.zeros(8000, np.float32), 8000)
    res = await run_session(CTX, src, ScriptedAgent(), tmp_path / "s.jsonl", SessionConfig())
    assert res.status == "error" and "8000 Hz" in res.error and "16000 Hz" in res.error


def test_make_clock_names():
    assert make_clock("speed:4").name == "speed:4" and make_clock("realtime").name == "realtime"
    with pytest.raises(ProvoiceError, match="unknown clock"):
        make_clock("fast")
    with pytest.raises(ProvoiceError, match="needs a number"):
        make_clock("speed:x")


async def test_realtime_clock_paces_against_absolute_deadlines(tmp_path):
    """At speed:50 a 2 s stream takes about 40 ms of wall time and chunks arrive in order at their ends."""
    import time

    src = FileSource(np.zeros(32000, np.float32), 16000)
    agent = Recorder()
    t0 = time.perf_counter()
    res = await run_session(CTX, src, agent, tmp_path / "s.jsonl", SessionConfig(clock="speed:50", tail_s=0))
    wall = time.perf_counter() - t0
    assert res.status == "ok" and len(agent.arrivals) == 100
    lags = [t - end for t, end in agent.arrivals]
    assert min(lags) >= -1e-6  # never early
    assert wall >= 2.0 / 50 - 1e-3  # never faster than the clock


# ---- the runner ---------------------------------------------------------------------------------

def _corpus(tmp_path, n=4):
    samples = []
    for i in range(n):
        samples.append(sample(f"s{i}", task=["LTM", "PIC", "CFC", "ESS"][i % 4], label=i % 2 == 0,
                              cue=(1.0, 1.5) if i % 2 == 0 else None,
                              _audio=timeline([("silence", 0.3), ("speech", 1.0), ("silence", 1.0)])))
    return make_corpus(tmp_path / "corpus", samples)


def _preds(run):
    return [json.loads(l) for l in (run / "predictions.jsonl").read_text().splitlines()]


async def test_runner_writes_run_dir_and_predictions(tmp_path):
    corpus = _corpus(tmp_path)
    out = tmp_path / "run"
    summary = await run_corpus_async(corpus, "scripted", {"at": "1.6", "text": "sk-secretsecret123"}, out,
                                     SessionConfig(), concurrency=2, progress=False)
    assert summary.ran == 4 and not summary.errors
    preds = _preds(out)
    assert [p["id"] for p in preds] == ["s0", "s1", "s2", "s3"]
    assert all(p["intervened"] and p["first_interjection_s"] == 1.6 for p in preds)
    assert preds[0]["cue_end_s"] == 1.5 and "cue_end_s" not in preds[1]  # negatives have no cue
    config = (out / "config.json").read_text()
    assert "sk-secretsecret123" not in config and "redacted" in config
    for p in ("s0.jsonl", "s0.result.json"):
        assert (out / "sessions" / p).is_file()


async def test_resume_after_interrupt_equals_an_uninterrupted_run(tmp_path):
    corpus = _corpus(tmp_path, n=6)
    cfg = SessionConfig()
    full = tmp_path / "full"
    await run_corpus_async(corpus, "scripted", {"at": "0.9"}, full, cfg, progress=False)

    part = tmp_path / "part"
    task = asyncio.create_task(run_corpus_async(corpus, "scripted", {"at": "0.9"}, part, cfg, progress=False))
    while len(list((part / "sessions").glob("*.result.json"))) < 2 if (part / "sessions").exists() else True:
        await asyncio.sleep(0.001)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    finished = len(list((part / "sessions").glob("*.result.json")))
    assert 2 <= finished < 6
    assert len(_preds(part)) == finished  # finished work is kept in predictions
    summary = await run_corpus_async(corpus, "scripted", {"at": "0.9"}, part, cfg, progress=False)
    assert summary.skipped == finished and summary.ran == 6 - finished
    assert _preds(part) == _preds(full)


async def test_resume_refuses_a_different_agent_setting(tmp_path):
    corpus = _corpus(tmp_path, n=1)
    out = tmp_path / "run"
    await run_corpus_async(corpus, "scripted", {"at": "0.9"}, out, SessionConfig(), progress=False)
    with pytest.raises(ProvoiceError, match="different agent_options"):
        await run_corpus_async(corpus, "scripted", {"at": "1.9"}, out, SessionConfig(), progress=False)


async def test_bad_audio_ends_that_session_only_and_names_the_sample(tmp_path):
    x = timeline([("speech", 1.0), ("silence", 0.5)])
    root = make_corpus(tmp_path / "c", [
        sample("good", _audio=x, cue=(0.1, 0.5)),
        sample("missing", audio="audio/nothing.wav", cue=(0.1, 0.5)),
        sample("corrupt", audio="audio/corrupt.wav", cue=(0.1, 0.5)),
        sample("nan", audio="audio/nan.wav", cue=None, label=False),
    ])
    (root / "audio" / "corrupt.wav").write_bytes(b"RIFF not really a wav")
    import soundfile as sf
    sf.write(root / "audio" / "nan.wav", np.array([0.0, np.nan, 0.1], np.float32), 16000, subtype="FLOAT")
    out = tmp_path / "run"
    with pytest.raises(CorpusError) as refused:  # `run` refuses what `validate` rejects...
        await run_corpus_async(root, "scripted", {"at": "0.4"}, out, SessionConfig(), progress=False)
    assert {p.sample_id for p in refused.value.problems} == {"missing", "corrupt", "nan"}
    # ...and when told to run it anyway, bad audio ends that session only
    summary = await run_corpus_async(root, "scripted", {"at": "0.4"}, out, SessionConfig(), progress=False,
                                     allow_invalid=True)
    errors = dict(e.split(": ", 1) for e in summary.errors)
    assert set(errors) == {"missing", "corrupt", "nan"}
    assert "does not exist" in errors["missing"] and "'missing'" in errors["missing"] and "'audio'" in errors["missing"]
    assert "cannot read" in errors["corrupt"]
    assert "NaN or infinite" in errors["nan"]
    preds = {p["id"]: p for p in _preds(out)}
    assert preds["good"]["intervened"] is True and preds["good"]["status"] == "ok"
    assert preds["missing"]["status"] == "error"


class LateSource(FileSource):
    """A file source whose pacing falls 0.3 s behind before the chunk ending at 1.0 s."""

    async def chunks(self, clock):
        async for chunk in super().chunks(clock):
            if abs(chunk.end_s - 1.0) < 1e-9:
                await clock.sleep(0.3)
            yield chunk


async def test_pacing_lag_is_not_counted_as_agent_latency(tmp_path):
    """Events are stamped from the real hand-over of the audio: an agent that answers at once, on a
    chunk the engine delivered late, is stamped at the chunk's position, not at the late wall time."""
    src = LateSource(np.zeros(32000, np.float32), 16000)
    res = await run_session(CTX, src, ScriptedAgent(at="1.0"), tmp_path / "s.jsonl",
                            SessionConfig(clock="virtual", tail_s=0), clock=VirtualClock())
    assert [i.t for i in res.interjections] == [1.0]


class Grumbler(AgentAdapter):
    """Sends a non-fatal error (an unparsable reply) at every poll."""

    name = "grumbler"
    capabilities = Capabilities(needs_poll=True)

    async def push_audio(self, chunk):
        pass

    async def respond(self, poll):
        from provoice_live.agents.base import ErrorEvent
        self.io.emit(ErrorEvent(message="reply did not parse", fatal=False))


async def test_non_fatal_agent_errors_are_counted_not_fatal(tmp_path):
    x = timeline([("speech", 1.0), ("silence", 1.0), ("speech", 1.0), ("silence", 1.0)])
    res = await run_session(CTX, FileSource(x, 16000), Grumbler(), tmp_path / "s.jsonl", SessionConfig())
    assert res.status == "ok" and res.agent_errors == 3  # two endpoints and the end of the stream


async def test_resume_works_with_an_option_that_looks_like_a_key(tmp_path):
    corpus = _corpus(tmp_path, n=2)
    out = tmp_path / "run"
    opts = {"at": "0.9", "text": "sk-abcdefghijklmnop"}
    await run_corpus_async(corpus, "scripted", opts, out, SessionConfig(), progress=False, limit=1)
    summary = await run_corpus_async(corpus, "scripted", opts, out, SessionConfig(), progress=False)
    assert summary.skipped == 1 and summary.ran == 1


def test_session_core_coalesces_polls_and_always_yields_a_result():
    """The sans-I/O core alone: polls asked for while one runs become one pending poll; a failed
    (cancelled) session still gives its result and a log that SessionTrace joins."""
    from provoice_live.agents.base import ResponseDone, TextEvent
    from provoice_live.engine.core import SessionCore

    records, now = [], [0.0]
    core = SessionCore("c1", lambda: now[0], records.append)
    first = core.request_poll("endpoint", 1.0)
    assert first.poll_id == 1
    assert core.request_poll("interval") is None and core.request_poll("endpoint", 2.0) is None
    now[0] = 1.5
    core.agent_event(TextEvent(text="Hi"))
    core.agent_event(ResponseDone(text="Hi there."))
    pending = core.poll_finished(first)
    assert (pending.poll_id, pending.reason, pending.speech_end_s) == (2, "endpoint", 2.0)  # the last one asked for
    assert core.poll_finished(pending) is None
    core.fail("cancelled (interrupted)")
    result = core.finish(agent="x", clock="virtual", audio_s=3.0, wall_s=0.1)
    assert (result.status, result.error, result.polls) == ("error", "cancelled (interrupted)", 2)
    assert [(i.t, i.response_id, i.text) for i in result.interjections] == [(1.5, "poll-1", "Hi there.")]
    trace = SessionTrace.from_records(records)
    assert trace.replies[0].done and trace.replies[0].text == "Hi there."
    assert trace.end.status == "error" and [p.poll_id for p in trace.polls] == [1, 2]
    assert [r.kind for r in records].count("poll_deferred") == 2
