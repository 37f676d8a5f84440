"""Digital context that changes mid-stream (`context_updates` in the manifest): JSON merge patches
(RFC 7386), delivered by the real engine at their stream time to every kind of adapter: the
default (the next decision of a chat adapter sees the new state), the WebSocket protocol's
`context.update` (the reference server records how much audio it had heard), the realtime
adapter's `session.update` (the fake realtime server records the audio before it), Gemini Live's
client content (the fake records the audio before it), and the offline agent's mind (a conflict that appears only after the update is spoken)."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from fakes.openai_http import FakeOpenAI
from fakes.realtime_server import FakeRealtime
from fakes.sessionio import context
from provoice_live.agents.base import AgentAdapter
from provoice_live.agents.omni_chat import OmniChatAgent
from provoice_live.agents.openai_realtime import OpenAIRealtimeAgent
from provoice_live.agents.websocket import WebSocketAgent
from provoice_live.corpus.sample import ContextUpdate, Sample
from provoice_live.engine.session import SessionConfig, run_session
from provoice_live.merge_patch import apply_merge_patch
from provoice_live.run import read_records
from provoice_live.sources.file import FileSource
from support.ws_servers import Served, ref

START = {"Calendar": {"events": [{"event_id": "e1", "title": "Budget review", "start": "2024-05-02 15:00"}]}}
MOVED = ContextUpdate(at_s=1.5, patch={"Calendar": {"events": [{"event_id": "e1", "title": "Budget review",
                                                                "start": "2024-05-02 16:00"}]}})
NOTE = ContextUpdate(at_s=2.5, patch={"Notes": {"text": "bring the slides"}})


def test_merge_patch_follows_rfc_7386():
    # the RFC's appendix A, a selection
    assert apply_merge_patch({"a": "b"}, {"a": "c"}) == {"a": "c"}
    assert apply_merge_patch({"a": "b"}, {"b": "c"}) == {"a": "b", "b": "c"}
    assert apply_merge_patch({"a": "b"}, {"a": None}) == {}
    assert apply_merge_patch({"a": [{"b": "c"}]}, {"a": [1]}) == {"a": [1]}
    assert apply_merge_patch({"e": None}, {"a": 1}) == {"e": None, "a": 1}
    assert apply_merge_patch([1, 2], {"a": "b", "c": None}) == {"a": "b"}
    assert apply_merge_patch({}, {"a": {"bb": {"ccc": None}}}) == {"a": {"bb": {}}}
    assert apply_merge_patch({"a": "foo"}, "bar") == "bar"
    target = {"a": {"b": 1}}
    apply_merge_patch(target, {"a": {"b": None}})
    assert target == {"a": {"b": 1}}  # the input is not modified


def test_the_manifest_field_is_validated_and_gives_the_state_at_any_time():
    s = Sample(id="x", task="CFC", label=False, audio="a.wav", digital_context=START,
               context_updates=[MOVED, NOTE])
    assert s.context_at(1.0) == START
    assert s.context_at(2.0)["Calendar"]["events"][0]["start"] == "2024-05-02 16:00"
    assert s.context_at(3.0)["Notes"] == {"text": "bring the slides"}
    with pytest.raises(ValidationError, match="time order"):
        Sample(id="x", task="CFC", label=False, audio="a.wav", context_updates=[NOTE, MOVED])


def tone(seconds: float, rate: int) -> np.ndarray:
    return (0.2 * np.sin(np.arange(int(seconds * rate)) / rate * 2 * np.pi * 220)).astype(np.float32)


class Recorder(AgentAdapter):
    """Records the stream time and state of every update it is given (the default hook)."""

    name = "recorder"

    def __init__(self, **kw):
        super().__init__(**kw)
        self.seen = []

    async def push_audio(self, chunk):
        pass

    async def update_context(self, change):
        await super().update_context(change)
        self.seen.append((self.io.stream_time(), change.at_s, self.ctx.digital_context))


async def run(adapter, tmp_path, rate=16000, seconds=3.0, **cfg):
    ctx = context(digital_context=START)
    config = SessionConfig(clock="lockstep", tail_s=0.0, **cfg)
    res = await run_session(ctx, FileSource(tone(seconds, rate), rate), adapter, tmp_path / "s.jsonl", config,
                            context_updates=[MOVED, NOTE])
    assert res.status == "ok", res.error
    return [r for r in read_records(tmp_path / "s.jsonl") if r.kind == "context_update"]


async def test_the_engine_delivers_each_update_at_its_stream_time(tmp_path):
    agent = Recorder()
    records = await run(agent, tmp_path, vad=False)
    assert [(t, at) for t, at, _ in agent.seen] == [(1.5, 1.5), (2.5, 2.5)]
    assert agent.seen[0][2]["Calendar"]["events"][0]["start"] == "2024-05-02 16:00"
    assert agent.seen[1][2]["Notes"] == {"text": "bring the slides"} and "Calendar" in agent.seen[1][2]
    assert [(r.t, r.at_s, r.patch) for r in records] == [(1.5, 1.5, MOVED.patch), (2.5, 2.5, NOTE.patch)]


async def test_a_chat_adapters_next_decision_sees_the_new_state(tmp_path):
    srv = await FakeOpenAI().start()
    try:
        agent = OmniChatAgent(base_url=srv.base_url, retry_base_s="0.01", retry_max_s="0.05")
        await run(agent, tmp_path, vad=False, poll_every_s=1.0)
    finally:
        await srv.stop()
    systems = [next(m["content"] for m in r["body"]["messages"] if m["role"] == "system") for r in srv.requests]
    assert len(systems) >= 3
    assert "15:00" in systems[0] and "16:00" not in systems[0]  # the poll at 1 s: before the move
    assert all("16:00" in s and "15:00" not in s for s in systems[1:])  # the polls at 2 s and 3 s
    assert "bring the slides" in systems[-1] and "bring the slides" not in systems[1]


async def test_the_websocket_server_gets_context_update_after_the_audio_before_it(tmp_path):
    sessions = []

    def handler(ws):
        session = ref.Session(ws, ref.Config(policy="silent"))
        sessions.append(session)
        return session.run()

    async with Served(handler) as url:
        records = await run(WebSocketAgent(url=url), tmp_path)
    agent = sessions[0].agent
    assert agent.context_changes == [(int(1.5 * 16000), 1.5), (int(2.5 * 16000), 2.5)]  # heard exactly that much
    assert agent.context["digital_context"]["Notes"] == {"text": "bring the slides"}
    assert len(records) == 2


async def test_the_realtime_session_is_updated_after_the_audio_before_it(tmp_path, monkeypatch):
    monkeypatch.setenv("RT_TEST_KEY", "sk-rt-test")
    srv = await FakeRealtime().start()
    try:
        agent = OpenAIRealtimeAgent(base_url=srv.base_url, api_key_env="RT_TEST_KEY", retry_base_s="0.01",
                                    retry_max_s="0.05", timeout_s="5")
        await run(agent, tmp_path, rate=24000, vad=False)
    finally:
        await srv.stop()
    audio_bytes, updates = 0, []
    for event in srv.received:
        if event["type"] == "input_audio_buffer.append":
            audio_bytes += event["bytes"]
        elif event["type"] == "session.update" and set(event["session"]) == {"type", "instructions"}:
            updates.append((audio_bytes / 2 / 24000, event["session"]["instructions"]))
    assert [t for t, _ in updates] == [pytest.approx(1.5), pytest.approx(2.5)]
    assert "16:00" in updates[0][1] and "bring the slides" in updates[1][1]
    assert "16:00" in srv.session["instructions"] and srv.errors == []


async def test_the_gemini_live_session_gets_the_new_state_as_client_content_after_the_audio_before_it(
        tmp_path, monkeypatch):
    pytest.importorskip("google.genai")
    from fakes.gemini_live_server import FakeGeminiLive
    from provoice_live.agents.gemini_live import GeminiLiveAgent

    monkeypatch.setenv("GEMINI_API_KEY", "AIzaFAKE-context-test")
    srv = await FakeGeminiLive().start()
    try:
        agent = GeminiLiveAgent(base_url=srv.base_url, ca_file=str(srv.cert), timeout_s="20", output="text")
        records = await run(agent, tmp_path, vad=False)
    finally:
        await srv.stop()
    assert not srv.refused and len(records) == 2
    assert [t for t, _ in srv.client_contents] == [pytest.approx(1.5), pytest.approx(2.5)]  # after that much audio
    for _, content in srv.client_contents:
        assert content.turn_complete is False  # context to read, not a turn to answer
        (turn,) = content.turns
        assert turn.role == "user"
    first, second = (c.turns[0].parts[0].text for _, c in srv.client_contents)
    assert "16:00" in first and "15:00" not in first and "bring the slides" not in first
    assert "16:00" in second and "bring the slides" in second
    assert "15:00" in srv.setups[0].system_instruction.parts[0].text  # the state at the start


def test_the_offline_mind_speaks_when_an_update_makes_what_was_said_a_conflict():
    from provoice_live.agents.offline.understanding.mind import Mind

    from support.offline_helpers import context as app_context
    from support.offline_helpers import event

    def calendar(start: str, end: str) -> dict:
        return {"events": [event("Dentist check-up", start, end, "Brightsmile Dental, Elm Street")]}

    before = app_context(Calendar=calendar("2025-03-13 15:30", "2025-03-13 16:15"))  # Thursday
    mind = Mind(None, before, [])
    assert mind.hear("My dentist check-up is on Thursday, right?") is None  # agrees with the calendar
    moved = apply_merge_patch(before, {"app_states": {"Calendar": {"state": calendar("2025-03-14 15:30",
                                                                                     "2025-03-14 16:15")}}})
    said = mind.update_context(moved)  # moved to Friday while they were talking
    assert said is not None and said.rule == "contradiction" and "Friday, March 14" in said.text
    assert mind.update_context(moved) is None  # said once


def test_builder_cfc_variants_put_the_conflict_after_an_update_or_remove_it(tmp_path):
    """`build-corpus --cfc-updates`: a positive CFC scene's `.late` copy starts without the records
    and gets them after the statement (cue = the update's moment); its `.withdrawn` copy loses them
    before the statement (a negative). The state at each time says which."""
    from provoice_live.cli import main as cli_main
    from provoice_live.corpus.builder import pipeline
    from provoice_live.corpus.loader import load_corpus

    cfc = [j for j in pipeline.preset_jobs("demo", 0) if j.template.startswith("cfc") and j.label][:1]
    jobs = cfc + pipeline.cfc_update_jobs(cfc)
    pipeline.build(jobs, tmp_path, progress=False)
    by_id = load_corpus(tmp_path).by_id()  # validates the new field against the audio
    base = by_id[cfc[0].id]
    late, gone = by_id[f"{base.id}.late"], by_id[f"{base.id}.withdrawn"]
    assert late.label and not gone.label and late.audio != base.audio
    (up,) = late.context_updates
    said_from, said_to = late.meta["statement_s"]  # this rendering's statement (eSpeak may vary by ms)
    assert up.at_s == pytest.approx(said_to + 1.0, abs=1e-3)
    assert (late.cue.start_s, late.cue.end_s) == (up.at_s, up.at_s)
    assert late.context_at(said_to)["app_states"] == {}  # nothing to contradict when it is said
    assert late.context_at(up.at_s) == base.digital_context  # the records, after the update
    (down,) = gone.context_updates
    assert gone.monitor_from_s <= down.at_s < gone.cue.start_s
    assert gone.digital_context["app_states"] and not gone.context_at(gone.cue.start_s)["app_states"]
    assert gone.gt_response == "" and gone.digital_context == base.digital_context
    assert cli_main(["validate", str(tmp_path)]) == 0
