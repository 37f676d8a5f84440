"""The cascade adapter: speech recognition (a fake /audio/transcriptions, or the local model), then a
text model on a fake chat-completions server."""

from __future__ import annotations

import numpy as np
import pytest

from fakes.openai_http import FakeOpenAI, Reply, Status
from fakes.sessionio import context, drive
from provoice_live.agents.cascade import CascadeAgent
from provoice_live.errors import AgentError

RATE = 16000
SPEAK = ('{"interaction_score": 2, "tool_calls": [{"name": "set_reminder", "arguments": {"what": "call mum"}}], '
         '"agent_response": "Want me to remind you to call your mum?"}')


@pytest.fixture
async def server():
    srv = await FakeOpenAI().start()
    yield srv
    await srv.stop()


def remote(server, **opts) -> CascadeAgent:
    return CascadeAgent(base_url=server.base_url, asr="remote", retry_base_s="0.01", retry_max_s="0.05", **opts)


def tone(seconds: float) -> np.ndarray:
    return (0.1 * np.sin(np.arange(int(seconds * RATE)) / RATE * 2 * np.pi * 300)).astype(np.float32)


async def test_each_utterance_is_transcribed_once_and_the_transcript_reaches_the_model(server):
    server.transcripts.extend(["I keep forgetting to call my mum.", "Anyway, how was work?"])
    server.script.extend([Reply(SPEAK), Reply('{"interaction_score": 0, "tool_calls": [], "agent_response": ""}')])
    io = await drive(remote(server, asr_model="whisper-large-v3"), tone(3.0), RATE, polls=[1.5, 3.0])
    assert [(r["rate"], r["samples"], r["model"], r["language"]) for r in server.asr_requests] == [
        (16000, 24000, "whisper-large-v3", "en"), (16000, 24000, "whisper-large-v3", "en")]
    first, second = (r["body"]["messages"][1]["content"] for r in server.requests)
    assert "[0.0-1.5] I keep forgetting to call my mum." in first and "how was work" not in first
    assert "[0.0-1.5] I keep forgetting" in second and "[1.5-3.0] Anyway, how was work?" in second
    assert [e.text for e in io.of("transcript")] == ["I keep forgetting to call my mum.", "Anyway, how was work?"]
    (t, _, first_out), = io.interjections()
    assert t == pytest.approx(1.5) and first_out.text == "Want me to remind you to call your mum?"
    assert io.of("tool_call")[0].arguments == {"what": "call mum"}


async def test_too_little_new_audio_is_not_sent_to_recognition(server):
    server.transcripts.append("Hello there.")
    await drive(remote(server, min_utterance_s="0.5"), tone(1.2), RATE, polls=[1.0, 1.2])
    assert len(server.asr_requests) == 1 and len(server.requests) == 2


async def test_recognition_faults_are_retried_then_end_the_decision(server):
    server.transcripts.extend([Status(503), "Fine."])
    io = await drive(remote(server), tone(1.0), RATE, polls=[1.0])
    assert "HTTP 503" in io.infos("retry")[0]["reason"]
    server.transcripts.extend([Status(500)] * 2)
    with pytest.raises(AgentError, match="speech recognition: gave up after 2 attempts: HTTP 500"):
        await drive(remote(server, max_retries="1"), tone(1.0), RATE, polls=[1.0])


@pytest.mark.slow
async def test_local_recognition_hears_espeak_speech(server):
    from provoice_live.audio import resample
    from provoice_live.corpus.builder.tts import ESPEAK_VOICES, EspeakTTS

    tts = EspeakTTS()
    speech = resample(tts.synth("Please remind me to buy milk tomorrow.", ESPEAK_VOICES["female"][0]), tts.rate, RATE)
    x = np.concatenate([np.zeros(RATE // 2, np.float32), 0.5 * speech, np.zeros(RATE // 2, np.float32)])
    server.script.append(Reply(SPEAK))
    io = await drive(CascadeAgent(base_url=server.base_url, asr="local"), x, RATE, polls=[len(x) / RATE],
                     ctx=context())
    heard = " ".join(e.text for e in io.of("transcript")).lower()
    assert "milk" in heard and "remind" in heard
    assert "milk" in server.requests[0]["body"]["messages"][1]["content"].lower()
