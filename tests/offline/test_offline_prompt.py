"""The recogniser's context prompt (`--agent-opt context_prompt=1`): the digital context's names,
and the topic of a standing request from the moment it is heard."""

import numpy as np
import pytest

from provoice_live.agents.base import SessionContext
from provoice_live.agents.offline.agent import PROMPT_MAX_CHARS, OfflineAgent, whisper_prompt

from test_offline_agent import ScriptedASR, ctx, run, silence, voice


class PromptASR(ScriptedASR):
    def __init__(self, lines):
        super().__init__(lines)
        self.prompts = []

    def __call__(self, x, rate, offset_s=0.0, **kw):
        self.prompts.append(kw.get("initial_prompt"))
        return super().__call__(x, rate, offset_s, **kw)


def _three_turns():
    return np.concatenate([silence(0.3), voice(2.5), silence(0.8), voice(2.0), silence(0.8), voice(2.5), silence(1.2)])


@pytest.mark.parametrize("request_line, topic", [
    ("Let me know if anyone mentions dining plans.", "dining plans"),
    ("Give me a shout if someone brings up the parking permits.", "parking permits"),
    ("If the allotment rota comes up, tell me.", "allotment rota"),
])
async def test_a_heard_request_puts_its_topic_first_in_the_prompt(request_line, topic):
    asr = PromptASR([request_line, "Work has been crazy lately.", "Anyway, how was the trip?"])
    await run(OfflineAgent(transcribe=asr, context_prompt="1"), ctx(None), _three_turns())
    before, *after = asr.prompts
    assert before and topic not in before.lower()  # the context's names only, before the request
    assert len(after) == 2 and all(p.lower().startswith(topic) for p in after), asr.prompts
    assert all(before in p for p in after)  # the context's names stay


@pytest.mark.parametrize("off", [None, "0", "false", "off", "no"])
async def test_no_prompt_unless_asked(off):
    asr = PromptASR(["Let me know if anyone mentions dining plans.", "Work has been crazy lately.", "Fine."])
    agent = OfflineAgent(transcribe=asr) if off is None else OfflineAgent(transcribe=asr, context_prompt=off)
    await run(agent, ctx(None), _three_turns())
    assert asr.prompts == [None, None, None]


def test_the_prompt_takes_names_from_any_depth_and_skips_the_user():
    dc = {"app_states": {"Calendar": {"state": {"events": [{"title": "Dentist check-up", "location": "Harbor Hall",
                                                             "attendees": ["Me", "Rachel Garcia"]}]}},
                         "Messaging": [{"participants": ["User", "Omar Haddad"], "log": [{"sender": "Omar Haddad"}]}]}}
    p = whisper_prompt(SessionContext(session_id="t", digital_context=dc), "the allotment rota")
    assert p == "the allotment rota, Dentist check-up, Harbor Hall, Rachel Garcia, Omar Haddad"
    long = {"app_states": {"Contacts": [{"name": f"Person Number {i}"} for i in range(40)]}}
    assert len(whisper_prompt(SessionContext(session_id="t", digital_context=long))) == PROMPT_MAX_CHARS
    assert whisper_prompt(SessionContext(session_id="t", digital_context=None)) is None


async def test_a_request_given_as_text_is_in_the_prompt_from_the_first_utterance():
    request = "Let me know if anyone mentions dining plans."
    asr = PromptASR(["Work has been crazy lately.", "We should book somewhere.", "Anyway, how was the trip?"])
    await run(OfflineAgent(transcribe=asr, context_prompt="on"), ctx(request), _three_turns())
    assert len(asr.prompts) == 3 and all(p.lower().startswith("dining plans") for p in asr.prompts), asr.prompts
