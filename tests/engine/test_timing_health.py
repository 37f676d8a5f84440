"""Timing you can cite: polls counted only when sent, latency parts only from the poll that was
answered, per-session timing health (hand-over lag, loop stalls, stamp uncertainty) and what
scoring does with sessions whose timing is suspect. Every clock here is virtual or lockstep."""

from __future__ import annotations

import json

import pytest
from websockets.asyncio.server import serve

from support.helpers import make_corpus, sample, timeline
from provoice_live.agents.base import SessionContext
from provoice_live.agents.scripted import ScriptedAgent
from provoice_live.engine.clock import VirtualClock
from provoice_live.engine.runner import run_corpus_async
from provoice_live.engine.session import SessionConfig, run_session
from provoice_live.run import RunDir, read_records
from provoice_live.sources.file import FileSource

RATE = 16000
SPEECH = [("silence", 0.5), ("speech", 1.0), ("silence", 1.5), ("speech", 1.0), ("silence", 1.5)]


class PollCounter:
    """A conforming server (docs/PROTOCOL.md) that counts the polls it receives and answers them with silence."""

    def __init__(self, wants_polls: bool):
        self.wants_polls = wants_polls
        self.polls: list[dict] = []

    async def __call__(self, ws) -> None:
        async for message in ws:
            if isinstance(message, bytes):
                continue
            msg = json.loads(message)
            if msg["type"] == "session.start":
                await ws.send(json.dumps({"type": "hello", "version": 1, "wants_polls": self.wants_polls}))
            elif msg["type"] == "poll":
                self.polls.append(msg)
                await ws.send(json.dumps({"type": "silence", "poll_id": msg["poll_id"]}))
            elif msg["type"] == "end_of_stream":
                await ws.send(json.dumps({"type": "end"}))


async def _run_websocket(tmp_path, server: PollCounter) -> tuple[RunDir, object]:
    corpus = make_corpus(tmp_path / "c", [sample("w1", _audio=timeline(SPEECH))])
    async with serve(server, "127.0.0.1", 0, compression=None) as srv:
        url = f"ws://127.0.0.1:{srv.sockets[0].getsockname()[1]}"
        summary = await run_corpus_async(corpus, "websocket", {"url": url}, tmp_path / "run",
                                         SessionConfig(clock="lockstep"), progress=False)
    assert summary.errors == []
    run = RunDir(tmp_path / "run")
    result, = run.results()
    return run, result


async def test_a_server_that_declines_polls_is_never_polled_and_no_poll_is_logged_or_counted(tmp_path):
    server = PollCounter(wants_polls=False)
    run, result = await _run_websocket(tmp_path, server)
    records = read_records(run.log_path("w1"))
    assert [r for r in records if r.kind == "vad" and r.event == "speech_end"]  # there were endpoints to poll at
    assert server.polls == []
    assert result.polls == 0 and not [r for r in records if r.kind in ("poll", "poll_deferred")]
    assert result.polled is False
    assert run.read_config()["agent_settings"]["capabilities"]["needs_poll"] is False


async def test_only_the_polls_sent_to_the_server_are_logged_and_counted(tmp_path):
    server = PollCounter(wants_polls=True)
    run, result = await _run_websocket(tmp_path, server)
    polls = [r for r in read_records(run.log_path("w1")) if r.kind == "poll"]
    assert [p["reason"] for p in server.polls] == ["endpoint", "endpoint"]  # never the end-of-stream one
    assert [p.poll_id for p in polls] == [p["poll_id"] for p in server.polls] and result.polls == 2
    assert result.polled is True
    assert run.read_config()["agent_settings"]["capabilities"]["needs_poll"] is True


async def test_a_reply_without_a_poll_has_no_endpoint_in_its_latency_parts(tmp_path):
    """The agent speaks on its own at 3.5 s; the VAD endpoint at ~1.9 s answered nothing."""
    src = FileSource(timeline(SPEECH), RATE)
    res = await run_session(SessionContext(session_id="s1"), src, ScriptedAgent(at="3.5"), tmp_path / "s.jsonl",
                            SessionConfig(clock="virtual", tail_s=0.0), clock=VirtualClock())
    assert [r for r in read_records(tmp_path / "s.jsonl") if r.kind == "vad" and r.event == "speech_end"]
    inter, = res.interjections
    assert inter.t == pytest.approx(3.5)
    assert inter.parts == {"first_output_s": 3.5}


async def test_a_reply_to_an_endpoint_poll_keeps_that_endpoint_in_its_parts(tmp_path):
    src = FileSource(timeline(SPEECH), RATE)
    res = await run_session(SessionContext(session_id="s1"), src, ScriptedAgent(after_endpoint="0.2", endpoints="2"),
                            tmp_path / "s.jsonl", SessionConfig(clock="virtual", tail_s=1.0), clock=VirtualClock())
    ends = [r for r in read_records(tmp_path / "s.jsonl") if r.kind == "vad" and r.event == "speech_end"]
    inter, = res.interjections
    assert inter.parts["speech_end_s"] == ends[1].at_s and inter.parts["endpoint_detected_s"] == ends[1].t


# ---- timing health: computed from injected lags (no wall clock) ----------------------------------

from provoice_live.agents.base import ResponseDone, TextEvent  # noqa: E402
from provoice_live.engine.core import SessionCore  # noqa: E402
from provoice_live.engine.health import TimedSelector, TimingMonitor  # noqa: E402


def _paced_core(lag_of, uncertainty_of, monitor_from_s=0.0, speak_at=(1.0,)):
    """A real-time core fed 100 chunks of 20 ms, chunk k handed over `lag_of(k)` seconds late; it
    speaks at `speak_at` with the stamp uncertainty `uncertainty_of(t)`."""
    now, records = [0.0], []
    core = SessionCore("h1", lambda: now[0], records.append, monitor_from_s=monitor_from_s,
                       timing=TimingMonitor(5.0), stamp_uncertainty=lambda: uncertainty_of(now[0]))
    for k in range(1, 101):
        end = round(k * 0.02, 6)
        now[0] = end + lag_of(k)
        core.chunk_delivered(end)
        if end in speak_at:
            core.agent_event(TextEvent(text="Now.", response_id=f"r{k}"))
            core.agent_event(ResponseDone(response_id=f"r{k}"))
    return core.finish(agent="x", clock="realtime", audio_s=2.0, wall_s=2.0, loop_stalls_s=[0.003, 0.012])


def test_a_well_paced_session_is_not_suspect_and_records_its_figures():
    result = _paced_core(lambda k: 0.0005, lambda t: 0.001)
    h = result.timing
    assert h.wall_clock and not h.suspect and h.reasons == []
    assert (h.handover_lag_ms.p50_ms, h.handover_lag_ms.p99_ms, h.handover_lag_ms.max_ms) == (0.5, 0.5, 0.5)
    assert h.max_chunk_gap_ms == pytest.approx(20.0)
    assert (h.loop_stalls.count, h.loop_stalls.max_ms, h.loop_stalls.total_ms) == (2, 12.0, 15.0)
    assert [i.stamp_uncertainty_ms for i in result.interjections] == [1.0] and h.max_stamp_uncertainty_ms == 1.0


def test_late_hand_overs_make_a_session_suspect_with_the_reason():
    result = _paced_core(lambda k: 0.030 if k % 25 == 0 else 0.0005, lambda t: 0.001)  # 4 % of chunks 30 ms late
    h = result.timing
    assert h.suspect and h.handover_lag_ms.max_ms == 30.0 and h.handover_lag_ms.p99_ms > 5.0
    assert h.reasons == [f"chunk hand-over lag p99 {h.handover_lag_ms.p99_ms:.1f} ms > 5 ms"]
    assert h.max_chunk_gap_ms == pytest.approx(49.5)  # 20 ms + 29.5 ms of extra lateness


def test_an_uncertain_stamp_makes_a_session_suspect_only_when_the_interjection_is_scored():
    result = _paced_core(lambda k: 0.0, lambda t: 0.008 if t > 1.5 else 0.002, speak_at=(1.0, 1.8))
    assert result.timing.suspect
    assert result.timing.reasons == ["interjection at 1.800 s: stamp uncertainty 8.0 ms > 5 ms"]
    assert result.timing.max_stamp_uncertainty_ms == 8.0
    early = _paced_core(lambda k: 0.0, lambda t: 0.008 if t < 1.5 else 0.002, monitor_from_s=1.5, speak_at=(1.0, 1.8))
    assert not early.timing.suspect and early.timing.max_stamp_uncertainty_ms == 2.0  # the 8 ms one was unscored


async def test_lockstep_and_virtual_sessions_record_no_wall_time_and_are_never_suspect(tmp_path):
    src = FileSource(timeline(SPEECH), RATE)
    virtual = await run_session(SessionContext(session_id="s1"), src, ScriptedAgent(at="3.5"), tmp_path / "v.jsonl",
                                SessionConfig(clock="virtual", tail_s=0.0), clock=VirtualClock())
    lockstep = await run_session(SessionContext(session_id="s2"), FileSource(timeline(SPEECH), RATE),
                                 ScriptedAgent(at="3.5"), tmp_path / "l.jsonl", SessionConfig(clock="lockstep"))
    for result in (virtual, lockstep):
        assert result.timing.model_dump(exclude_defaults=True) == {"wall_clock": False}
        assert result.interjections[0].stamp_uncertainty_ms is None


def test_the_stamp_uncertainty_is_the_busy_stretches_plus_the_time_the_selects_were_awake():
    sel = TimedSelector()
    try:
        # (select called, returned, awake): busy stretches 0.004 (1.0 -> 1.004) and 0.010 (1.005 -> 1.015);
        # the second select was woken 0.0005 s before it ran (run queue), the third never slept
        sel.recent.extend([(0.9, 1.0, 0.0), (1.004, 1.005, 0.0005), (1.015, 1.016, 0.001)])
        assert sel.stamp_uncertainty(now=1.018) == pytest.approx(0.002 + 0.004 + 0.0005 + 0.010 + 0.001)
        sel.stalls.extend([(1.004, 0.004), (1.015, 0.010), (3.0, 0.5)])
        assert sel.stalls_between(1.0, 2.0) == [0.004, 0.010]
    finally:
        sel.close()


def test_a_timed_loop_accounts_for_every_select_it_makes():
    import asyncio

    from provoice_live.engine.health import loop_selector, run_timed

    async def main():
        for _ in range(5):
            await asyncio.sleep(0)
        sel = loop_selector()
        return sel.iterations, [awake <= returned - called + 1e-9 for called, returned, awake in sel.recent]

    iterations, awake_within_the_call = run_timed(main())
    assert iterations >= 5 and all(awake_within_the_call) and len(awake_within_the_call) == 3


# ---- scoring leaves suspect sessions out of the timing ------------------------------------------

from provoice_live.run.results import Prediction  # noqa: E402
from provoice_live.scoring.scores import score_predictions  # noqa: E402
from provoice_live.scoring.tables import render_tables  # noqa: E402


def _pred(i: int, latency: float, uncertainty: float, suspect: bool = False, label: bool = True) -> Prediction:
    return Prediction(id=f"p{i}", task="LTM", label=label, intervened=True, response_text="Hi.",
                      first_interjection_s=2.0 + latency, cue_start_s=1.0, cue_end_s=2.0,
                      gt_response="Hi.", gt_tool_calls=[], timing_suspect=suspect, stamp_uncertainty_ms=uncertainty,
                      timing_reasons=["chunk hand-over lag p99 30.0 ms > 5 ms"] if suspect else None)


PREDS = [_pred(0, 0.2, 1.0), _pred(1, 0.4, 2.0), _pred(2, 0.6, 3.0), _pred(3, 5.0, 40.0, suspect=True),
         _pred(4, 0.1, 30.0, suspect=True, label=False)]


def test_score_leaves_suspect_sessions_out_of_the_timing_but_counts_their_decisions():
    scores = score_predictions(PREDS)
    t = scores.timing["overall"]
    assert (t.latency.n, t.latency.median) == (3, pytest.approx(0.4))
    assert t.stamp_uncertainty_ms.median == 2.0 and t.timely_n == 3
    c = scores.decision["overall"]
    assert (c.tp, c.fp, c.n) == (4, 1, 5)  # the decisions of the suspect sessions still count
    assert [(e.id, e.reasons) for e in scores.suspect] == [("p3", ("chunk hand-over lag p99 30.0 ms > 5 ms",)),
                                                          ("p4", ("chunk hand-over lag p99 30.0 ms > 5 ms",))]
    js = scores.to_json()
    assert js["timing_suspect"]["count"] == 2 and js["timing_suspect"]["included"] is False
    assert js["timing"]["overall"]["stamp_uncertainty_ms"]["median"] == 2.0
    text = render_tables(scores, width=200)
    assert "Timing suspect: 2 session(s) left out of the timing figures" in text and "p99 30.0 ms" in text


def test_include_suspect_puts_their_timing_back():
    scores = score_predictions(PREDS, include_suspect=True)
    t = scores.timing["overall"]
    assert (t.latency.n, t.latency.median) == (4, pytest.approx(0.5)) and t.stamp_uncertainty_ms.median == 2.5
    assert scores.to_json()["timing_suspect"] == {
        "count": 2, "included": True,
        "samples": [{"id": "p3", "task": "LTM", "reasons": ["chunk hand-over lag p99 30.0 ms > 5 ms"]},
                    {"id": "p4", "task": "LTM", "reasons": ["chunk hand-over lag p99 30.0 ms > 5 ms"]}]}
    assert "kept in the timing figures" in render_tables(scores, width=200)


def test_score_cli_takes_include_suspect(tmp_path, capsys):
    from provoice_live.cli import main

    path = tmp_path / "predictions.jsonl"
    path.write_text("".join(p.model_dump_json(exclude_none=True) + "\n" for p in PREDS))
    assert main(["score", str(path), "--json", str(tmp_path / "a.json")]) == 0
    assert main(["score", str(path), "--include-suspect", "--json", str(tmp_path / "b.json")]) == 0
    a, b = (json.loads((tmp_path / f).read_text()) for f in ("a.json", "b.json"))
    assert a["timing"]["overall"]["latency_s"]["n"] == 3 and b["timing"]["overall"]["latency_s"]["n"] == 4
    assert "Timing suspect: 2 session(s)" in capsys.readouterr().out


def test_the_predictions_line_carries_the_verdict_the_reasons_and_the_uncertainty(tmp_path):
    from provoice_live.corpus.loader import load_corpus
    from provoice_live.run.results import prediction_from_result

    corpus = load_corpus(make_corpus(tmp_path / "c", [sample("h1", cue=(0.5, 0.9), _audio=timeline(SPEECH))]))
    result = _paced_core(lambda k: 0.030 if k % 25 == 0 else 0.0, lambda t: 0.0015)
    pred = prediction_from_result(corpus.samples[0], result)
    assert pred.timing_suspect is True and pred.timing_reasons == result.timing.reasons
    assert pred.stamp_uncertainty_ms == 1.5
    calm = prediction_from_result(corpus.samples[0], _paced_core(lambda k: 0.0, lambda t: 0.0015))
    assert calm.timing_suspect is False and calm.timing_reasons is None
