"""The live views' projection of log records, and speaking the agent's replies back."""

from __future__ import annotations

import json

import numpy as np
import pytest

from provoice_live.audio import load_audio, write_wav
from provoice_live.errors import ProvoiceError
from provoice_live.live.feed import LiveFeed
from provoice_live.live.session import load_tools, parse_agent_opts, parse_context_text
from provoice_live.live.speak import (DeviceSpeaker, ReplyWatcher, SpokenReply, replies_from_trace, speech_track,
                                      synthesize, write_spoken_replies)
from provoice_live.run import EventLog, RunDir, SessionTrace, parse_record

RECORDS = [parse_record(r) for r in [
    {"kind": "session_start", "t": 0.0},
    {"kind": "vad", "t": 0.5, "event": "speech_start", "at_s": 0.3},
    {"kind": "vad", "t": 2.4, "event": "speech_end", "at_s": 2.0},
    {"kind": "agent", "t": 2.5, "event": {"type": "transcript", "text": " remind me about the budget "}},
    {"kind": "poll", "t": 2.4, "poll_id": 1},
    {"kind": "interjection", "t": 2.9, "response_id": "r1", "text": "Sure", "tool_calls": [],
     "parts": {"speech_end_s": 2.0}},
    {"kind": "response", "t": 3.1, "response_id": "r1", "text": "Sure, I will tell you.", "tool_calls": []},
    {"kind": "vad", "t": 5.0, "event": "speech_end", "at_s": 4.6},
    {"kind": "interjection", "t": 5.5, "response_id": "r2", "text": "", "tool_calls": [{"name": "add", "arguments": {}}]},
    {"kind": "session_end", "t": 6.0, "status": "ok", "reason": None, "interjections": 2},
]]


def test_feed_projects_records_to_view_events():
    """Speech, transcripts, interjections (with latency), responses and the end; nothing else."""
    feed = LiveFeed()
    events = [e for e in map(feed, RECORDS) if e is not None]
    assert [e["type"] for e in events] == ["speech", "speech", "transcript", "interjection", "response",
                                            "speech", "interjection", "end"]
    assert events[2]["text"] == "remind me about the budget"
    assert events[3]["latency_s"] == pytest.approx(0.9)  # from parts.speech_end_s
    assert events[6]["latency_s"] == pytest.approx(0.9)  # from the last VAD end (4.6) without parts
    assert events[6]["tool_calls"] == [{"name": "add", "arguments": {}}]
    assert events[-1]["status"] == "ok" and events[-1]["interjections"] == 2
    json.dumps(events)  # the page gets them as JSON


def test_feed_latency_unknown_before_any_speech_end():
    """An interjection before the user ever stopped speaking has no latency."""
    feed = LiveFeed()
    assert feed(parse_record({"kind": "interjection", "t": 1.0, "text": "hi"}))["latency_s"] is None


def test_replies_take_the_full_response_text_and_skip_tool_only_ones():
    """A reply is spoken at its interjection time with the response's full text."""
    replies = replies_from_trace(SessionTrace.from_records(RECORDS))
    assert [(r.t, r.text) for r in replies] == [(2.9, "Sure, I will tell you.")]


def test_reply_watcher_speaks_each_reply_once_when_done():
    """Spoken when the response finishes; an unfinished one at the session's end."""
    said: list[SpokenReply] = []
    watch = ReplyWatcher(said.append)
    for r in RECORDS[:6]:
        watch(r)
    assert said == []  # the response is not done yet
    watch(RECORDS[6])
    watch(parse_record({"kind": "interjection", "t": 5.8, "response_id": "r3", "text": "Half a sentence"}))
    watch(RECORDS[-1])
    assert [r.text for r in said] == ["Sure, I will tell you.", "Half a sentence"]


def test_speech_track_places_replies_at_their_times_without_overlap():
    """Each reply starts at its interjection time, or after the previous one ends."""
    synth = lambda text: (np.full(8000 if text == "long" else 1600, 0.5, np.float32), 16000)  # noqa: E731
    track = speech_track([SpokenReply(1.0, "long"), SpokenReply(1.2, "short")], length_s=3.0, rate=16000, synth=synth)
    assert len(track) == 48000
    nz = np.flatnonzero(track)
    assert nz[0] == 16000  # 1.0 s
    assert nz[-1] == 16000 + 8000 + 1600 - 1  # the second one waited for the first (ended at 1.5 s)


def test_write_spoken_replies_into_the_run_directory(tmp_path):
    """`<id>.speech.wav` holds eSpeak speech at the interjection time; `<id>.mix.wav` adds the input."""
    run = RunDir(tmp_path / "run").create()
    log = EventLog(run.log_path("s1"))
    for r in RECORDS:
        log.write(r)
    log.close()
    write_wav(run.sessions / "s1.input.wav", np.full(16000 * 4, 0.01, np.float32), 16000)
    written = write_spoken_replies(run.root)
    assert [p.name for p in written] == ["s1.speech.wav", "s1.mix.wav"]
    speech, rate = load_audio(written[0])
    spoken, _ = synthesize("Sure, I will tell you.")
    first = np.flatnonzero(np.abs(speech) > 1e-3)[0] / rate
    assert first == pytest.approx(2.9, abs=0.02)
    assert len(speech) / rate >= 2.9 + len(spoken) / 22050 - 0.01
    mix, _ = load_audio(written[1])
    assert np.abs(mix[: int(2.8 * rate)] - 0.01).max() < 2e-3  # the input before the reply


async def test_device_speaker_plays_replies_in_order():
    """Live speaking: each reply is synthesised and played once, in order."""
    played: list[float] = []
    spk = DeviceSpeaker(play=lambda x, rate: played.append(len(x) / rate))
    spk.start()
    for r in RECORDS:
        spk.watcher(r)
    await spk.close()
    assert [r.text for r in spk.spoken] == ["Sure, I will tell you."]
    assert played[0] > 0.8  # a real utterance, not an empty buffer


def test_command_inputs_give_clear_errors(tmp_path):
    """Agent options, page context and tools files: bad input is named, not a traceback."""
    assert parse_agent_opts(["at=1.5", "text=a=b"]) == {"at": "1.5", "text": "a=b"}
    with pytest.raises(ProvoiceError, match="KEY=VALUE"):
        parse_agent_opts(["oops"])
    assert parse_context_text("  ") is None
    assert parse_context_text('{"calendar": []}') == {"calendar": []}
    with pytest.raises(ProvoiceError, match="not valid JSON"):
        parse_context_text("{calendar")
    with pytest.raises(ProvoiceError, match="JSON object"):
        parse_context_text("[1, 2]")
    tools = tmp_path / "tools.json"
    tools.write_text(json.dumps([{"type": "function", "function": {"name": "add_event", "parameters": {}}}]))
    assert [t.name for t in load_tools(tools)] == ["add_event"]
    tools.write_text(json.dumps([{"description": "no name"}]))
    with pytest.raises(ProvoiceError, match="tool 0"):
        load_tools(tools)
