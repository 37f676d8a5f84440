"""The real-agent adapters end to end through the engine (`run_corpus_async`, lockstep clock) against
their fake servers: interjections land at the engine's poll times, faults end one session as an
error and the next session runs, and no key reaches the run directory."""

from __future__ import annotations

import json

import pytest

from fakes.openai_http import FakeOpenAI, Reply, Status
from fakes.realtime_server import FakeRealtime
from support.helpers import make_corpus, sample, timeline
from provoice_live.engine.runner import run_corpus_async
from provoice_live.engine.session import SessionConfig
from provoice_live.run import RunDir, read_records
from support.ws_servers import Recorder, Served, faulty, reference

SPEAK = ('{"interaction_score": 2, "tool_calls": [{"name": "set_reminder", "arguments": {"what": "budget"}}], '
         '"agent_response": "They just mentioned the budget."}')
SILENT = '{"interaction_score": 0, "tool_calls": [], "agent_response": ""}'
TOOL = {"type": "function", "name": "set_reminder", "description": "Set a reminder",
        "parameters": {"type": "object", "properties": {"what": {"type": "string"}}}}
# two utterances: the engine's VAD polls after each (endpoint = speech end + 400 ms hang-over)
AUDIO = [("silence", 0.5), ("speech", 1.2), ("silence", 1.0), ("speech", 1.2), ("silence", 1.2)]


def corpus(tmp_path, ids=("a1", "a2")):
    x = timeline(AUDIO)
    return make_corpus(tmp_path / "corpus", [sample(i, tools=[TOOL], _audio=x, cue=(2.7, 3.9)) for i in ids])


async def run(tmp_path, agent: str, opts: dict, name: str = "run"):
    out = tmp_path / name
    summary = await run_corpus_async(corpus(tmp_path), agent, opts, out, SessionConfig(clock="lockstep"),
                                     progress=False)
    run_dir = RunDir(out)
    return summary, run_dir, {r.id: r for r in run_dir.results()}


def polls_and_interjections(run_dir: RunDir, sid: str):
    records = read_records(run_dir.log_path(sid))
    polls = {r.poll_id: r.t for r in records if r.kind == "poll"}
    inter = [r for r in records if r.kind == "interjection"]
    return polls, inter, records


async def test_websocket_run_through_the_engine(tmp_path):
    async with reference(policy="speech", min_speech_s=0.8, tool="set_reminder",
                         tool_args={"what": "budget"}) as url:
        summary, run_dir, results = await run(tmp_path, "websocket", {"url": url})
    assert summary.errors == [] and set(results) == {"a1", "a2"}
    polls, inter, _ = polls_and_interjections(run_dir, "a1")
    assert len(polls) >= 2
    assert inter[0].t == pytest.approx(polls[1])
    first = results["a1"].interjections[0]  # the result holds the whole response, tool call included
    assert first.t == pytest.approx(polls[1])
    assert [(c.name, c.arguments) for c in first.tool_calls] == [("set_reminder", {"what": "budget"})]
    config = run_dir.read_config()
    assert config["agent_settings"]["protocol"] == "provoice-ws" and config["agent_settings"]["version"] == 1
    preds = [json.loads(line) for line in run_dir.predictions_path.read_text().splitlines()]
    assert [p["intervened"] for p in preds] == [True, True]


async def test_a_websocket_fault_ends_that_session_and_the_next_one_runs(tmp_path):
    calls = {"n": 0}
    good = Recorder(wants_polls=True)  # answers every poll with silence
    bad = faulty("disconnect")

    async def handler(ws):
        calls["n"] += 1
        await (bad if calls["n"] == 1 else good)(ws)

    async with Served(handler) as url:
        summary, run_dir, results = await run(tmp_path, "websocket", {"url": url, "timeout_s": "2"})
    assert results["a1"].status == "error" and "closed the connection (code 1011: agent crashed)" in results["a1"].error
    assert results["a2"].status == "ok"
    assert len(summary.errors) == 1
    _, _, records = polls_and_interjections(run_dir, "a1")
    assert records[-1].kind == "session_end" and records[-1].status == "error"


async def test_omni_chat_through_the_engine_with_a_fault_then_a_clean_session(tmp_path, monkeypatch):
    secret = "sk-e2e-omni-secret-987654321"
    monkeypatch.setenv("E2E_KEY", secret)
    srv = await FakeOpenAI().start()
    try:
        srv.script.extend([Status(500), Status(500), Reply(SILENT), Reply(SPEAK)])
        summary, run_dir, results = await run(tmp_path, "omni-chat", {
            "base_url": srv.base_url, "api_key_env": "E2E_KEY", "max_retries": "1", "retry_base_s": "0.01"})
    finally:
        await srv.stop()
    assert results["a1"].status == "error" and "gave up after 2 attempts: HTTP 500" in results["a1"].error
    assert results["a2"].status == "ok"
    polls, inter, _ = polls_and_interjections(run_dir, "a2")
    assert inter[0].t == pytest.approx(polls[2]) and inter[0].text == "They just mentioned the budget."
    assert srv.requests[2]["audio"][0][0] == 16000
    for path in [run_dir.config_path, *run_dir.sessions.glob("*")]:
        assert secret not in path.read_text(), path


async def test_realtime_through_the_engine_resamples_to_24k_and_speaks_at_a_poll(tmp_path, monkeypatch):
    monkeypatch.setenv("E2E_RT_KEY", "sk-e2e-rt-secret-123456789")
    srv = await FakeRealtime(vad_rms=0.01).start()
    try:
        srv.script.extend([("silent",), ("tool", "set_reminder", {"what": "budget"})])
        summary, run_dir, results = await run(tmp_path, "openai-realtime", {
            "base_url": srv.base_url, "api_key_env": "E2E_RT_KEY"}, name="rt")
    finally:
        await srv.stop()
    assert results["a1"].status == "ok"
    assert srv.audio_seconds() == pytest.approx(2 * results["a1"].audio_s)  # both sessions, all at 24 kHz
    polls, inter, records = polls_and_interjections(run_dir, "a1")
    assert inter[0].t == pytest.approx(polls[2]) and inter[0].tool_calls[0].arguments == {"what": "budget"}
    assert results["a1"].interjections[0].t == pytest.approx(polls[2])
    commits = [r for r in records if r.kind == "agent" and getattr(r.event, "kind", None) == "server_commit"]
    ours = [r for r in records if r.kind == "vad"]
    assert len(commits) >= 2 and len(ours) >= 2  # our VAD's polls each committed the audio since the last
    assert "sk-e2e-rt-secret" not in run_dir.config_path.read_text()


async def test_cascade_through_the_engine(tmp_path):
    srv = await FakeOpenAI().start()
    try:
        # two endpoints and the end-of-stream poll per session; the last hears only silence
        srv.transcripts.extend(["Let's talk about the party.", "And the budget is tight.", ""] * 2)
        srv.script.extend([Reply(SILENT), Reply(SPEAK), Reply(SILENT)] * 2)
        summary, run_dir, results = await run(tmp_path, "cascade", {"base_url": srv.base_url, "asr": "remote"})
    finally:
        await srv.stop()
    assert summary.errors == []
    polls, inter, records = polls_and_interjections(run_dir, "a1")
    assert inter[0].t == pytest.approx(polls[2])
    transcripts = [r.event.text for r in records if r.kind == "agent" and r.event.type == "transcript"]
    assert transcripts == ["Let's talk about the party.", "And the budget is tight."]
    assert len(srv.asr_requests) == 6 and len(srv.requests) == 6


async def test_a_run_with_a_key_variable_resumes_and_records_the_variable_not_the_key(tmp_path, monkeypatch):
    secret = "sk-resume-secret-1234567890"
    monkeypatch.setenv("RESUME_KEY", secret)
    srv = await FakeOpenAI().start()
    try:
        opts = {"base_url": srv.base_url, "api_key_env": "RESUME_KEY"}
        await run(tmp_path, "omni-chat", opts)
        again, run_dir, results = await run(tmp_path, "omni-chat", opts)
    finally:
        await srv.stop()
    assert again.skipped == 2 and again.ran == 0
    config = run_dir.read_config()
    assert config["agent_options"]["api_key_env"] == "RESUME_KEY"
    assert config["agent_settings"]["options"]["api_key_env"] == "RESUME_KEY"
    assert secret not in run_dir.config_path.read_text()


async def test_a_realtime_disconnect_ends_that_session_and_the_next_one_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("E2E_RT_KEY", "sk-e2e-rt-secret-123456789")
    srv = await FakeRealtime(vad_rms=0.01).start()
    try:
        srv.script.extend([("close",), ("silent",), ("text", "The budget came up.")])
        summary, run_dir, results = await run(tmp_path, "openai-realtime", {
            "base_url": srv.base_url, "api_key_env": "E2E_RT_KEY"}, name="rt-fault")
    finally:
        await srv.stop()
    assert results["a1"].status == "error" and "the connection closed (code 1011)" in results["a1"].error
    assert results["a2"].status == "ok" and results["a2"].interjections[0].text == "The budget came up."
    assert srv.connections == 2
