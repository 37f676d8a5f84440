"""`--agent gemini-live` against a fake Gemini Live server built from the google-genai SDK's types.

The adapter runs the SDK's own `client.aio.live.connect` over TLS to 127.0.0.1 (tests/fakes/
gemini_live_server.py): the setup it sends is validated as the SDK's `LiveClientMessage`, and
everything the fake answers is built as the SDK's `LiveServerMessage`.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("google.genai")

from fakes.gemini_live_server import FakeGeminiLive
from fakes.sessionio import drive
from fakes.speech import speech
from provoice_live.agents.gemini_live import GeminiLiveAgent
from provoice_live.errors import AgentError, ProvoiceError

RATE = 16000
KEY = "AIzaFAKE-not-a-real-key-0123456789"


@pytest.fixture
async def server(monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", KEY)
    fake = await FakeGeminiLive().start()
    yield fake
    await fake.stop()


def agent(server, **opts) -> GeminiLiveAgent:
    return GeminiLiveAgent(base_url=server.base_url, ca_file=str(server.cert), timeout_s="20", **opts)


def talk(seconds: float = 4.0) -> np.ndarray:
    """Speech from 0.5 s to about 2 s, then quiet."""
    x = np.zeros(int(seconds * RATE), np.float32)
    words = speech("Remind me to call the dentist tomorrow.", RATE)[: int(1.5 * RATE)]
    x[RATE // 2: RATE // 2 + len(words)] = words
    return x


async def test_setup_is_proactive_with_the_context_and_tools_and_the_key_stays_in_the_header(server):
    server.script.append(("pass",))
    io = await drive(agent(server), talk(), RATE, polls=[2.5])
    (setup,) = server.setups
    (path,) = server.paths
    assert path.startswith("/ws/google.ai.generativelanguage.v1") and path.endswith(".GenerativeService.BidiGenerateContent")
    assert server.keys == [KEY]
    assert setup.model == "models/gemini-2.5-flash-native-audio-preview-09-2025"
    assert server.realtime_configs[0].automatic_activity_detection.disabled is True
    assert setup.generation_config.response_modalities == ["AUDIO"]
    text = setup.system_instruction.parts[0].text
    assert "Calendar" in text and "<silent>" in text  # the digital context and the decision rules
    names = [f.name for f in setup.tools[0].function_declarations]
    assert names == ["set_reminder", "no_action"]
    assert len(server.audio) / 2 / RATE == pytest.approx(4.0)
    assert [a for a, _ in server.activity] == ["activity_start", "activity_end", "activity_start"]
    assert server.activity[1][1] == pytest.approx(2.5)  # the turn closed at the poll
    assert io.core.interjections == [] and len(io.silences()) == 1  # the model let the turn pass
    assert KEY not in repr([r.model_dump() for r in io.records])


async def test_an_audio_reply_is_heard_at_its_onset_with_its_transcript_as_words(server):
    server.script.append(("audio", "Do not forget to call your mother."))
    io = await drive(agent(server), talk(), RATE, polls=[2.5])
    (inter,) = io.core.interjections
    assert 2.5 <= inter.t <= 2.5 + 0.04  # heard in audio that arrived at the poll
    assert inter.text == "Do not forget to call your mother."
    assert [r.verdict for r in io.records if r.kind == "voice"] == ["reply"]


async def test_text_out_and_a_tool_call(server):
    server.script.extend([("text", "<silent>"), ("tool", "set_reminder", {"what": "dentist"})])
    a = agent(server, output="text")
    io = await drive(a, talk(), RATE, polls=[1.0, 2.5])
    assert server.setups[0].generation_config.response_modalities == ["TEXT"]
    (inter,) = io.core.interjections
    assert inter.t == pytest.approx(2.5) and inter.tool_calls[0].arguments == {"what": "dentist"}
    assert server.tool_responses[0].function_responses[0].id == "call-1"  # answered, so the model goes on
    assert len(io.silences()) == 1


async def test_server_turns_with_proactive_audio(server):
    server.script.append(("text", "Shall I set that reminder?"))
    a = agent(server, output="text", turns="server")
    assert not a.capabilities.needs_poll
    io = await drive(a, talk(), RATE, polls=[])
    setup = server.setups[0]
    assert setup.proactivity.proactive_audio is True
    assert not server.realtime_configs[0].automatic_activity_detection.disabled
    (inter,) = io.core.interjections
    assert inter.text == "Shall I set that reminder?"
    assert inter.t == pytest.approx(2.5, abs=0.1)  # the fake's turn detector: 500 ms after the speech


async def test_a_closed_connection_ends_the_session_with_the_reason(server):
    server.script.append(("close", 1011, "Internal error occurred."))
    with pytest.raises(AgentError, match="Internal error occurred"):
        await drive(agent(server), talk(), RATE, polls=[2.5])


def test_options_and_the_key():
    with pytest.raises(ProvoiceError, match="reply=json needs output=text"):
        GeminiLiveAgent(reply="json")
    with pytest.raises(ProvoiceError, match="api_key_env"):
        GeminiLiveAgent(api_key="x")
