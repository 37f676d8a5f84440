"""Whose voice: a watched topic is brought up by someone else, never by the wearer who asked.

By the speaker's name on scripts (`decide_on_scene`), by the speech level against the standing
request's on audio (`own_voice.OwnVoice`); not known (a mix, no request yet) changes nothing."""

from __future__ import annotations

import math

import numpy as np
import pytest

from test_offline_agent import RATE, ScriptedASR, ctx, run, silence, voice
from provoice_live.agents.offline import OfflineAgent
from provoice_live.agents.offline.own_voice import OWN_MARGIN_DB, OwnVoice, speech_level_db
from provoice_live.agents.offline.script_run import decide_on_scene
from provoice_live.agents.offline.understanding.mind import Mind
from provoice_live.corpus.builder.script import Line, Scene, Script, Speaker


def test_speech_level_of_a_steady_tone_is_its_power():
    t = np.arange(RATE) / RATE
    for amplitude in (0.5, 0.1, 0.01):
        x = (amplitude * np.sin(2 * np.pi * 200 * t)).astype(np.float32)
        assert speech_level_db(x, RATE) == pytest.approx(20 * math.log10(amplitude / math.sqrt(2)), abs=0.1)
    assert speech_level_db(np.zeros(100, np.float32), RATE) is None  # under three frames: no level


def test_levels_are_read_window_by_window():
    from provoice_live.agents.offline.own_voice import speech_levels_db

    t = np.arange(int(1.5 * RATE)) / RATE
    loud, soft = (0.2 * np.sin(2 * np.pi * 200 * t)).astype(np.float32), (0.1 * np.sin(2 * np.pi * 200 * t)).astype(np.float32)
    levels = speech_levels_db(np.concatenate([loud, loud, soft, soft]), RATE)
    assert len(levels) == 4 and levels[0] - levels[-1] == pytest.approx(20 * math.log10(2), abs=0.1)
    assert len(speech_levels_db(np.concatenate([loud, soft[: RATE // 2]]), RATE)) == 1  # under two windows: one level
    ov = OwnVoice()
    ov.learn(speech_levels_db(np.concatenate([loud, soft, soft]), RATE))  # the request ran on into a reply
    assert ov.reference_db == pytest.approx(levels[0], abs=0.01)  # its loudest window is the wearer


def test_own_voice_is_judged_against_the_request_only():
    ov = OwnVoice()
    assert ov.judge([-17.0]) is None  # no request heard yet: not known
    ov.learn([-17.5, -24.0])  # the request ran on into another's reply: its loudest part is the wearer
    assert ov.reference_db == -17.5
    ov.learn([-30.0])  # the first request stays the reference
    assert ov.reference_db == -17.5
    assert ov.judge([-17.0]) is None  # no other voice heard yet: the level tells nobody apart
    assert ov.judge([-23.8]) is False and ov.judge([-24.0, -23.5]) is False
    assert ov.judge([-17.0]) is True and ov.judge([-17.5 - OWN_MARGIN_DB + 0.1]) is True
    assert ov.judge([-17.2, -23.9]) is None  # two turns heard as one: not known
    assert ov.judge([]) is None


def test_a_mixed_utterance_shows_another_voice_too():
    ov = OwnVoice()
    ov.learn([-17.5])
    assert ov.judge([-17.2, -23.9]) is None
    assert ov.judge([-17.0]) is True


def test_voices_all_at_one_level_are_never_told_apart():
    ov = OwnVoice()
    ov.learn([-20.0])
    assert [ov.judge([level]) for level in (-20.3, -19.1, -21.5, -20.0)] == [None] * 4


# (request, the mention said by the wearer, the same mention said by the other person)
FAMILIES = [
    ("If they give a delivery time for the roof trusses, put it in the calendar.",
     "The trusses go on the lorry Thursday, between seven and eight in the morning."),
    ("Let me know if anyone mentions the parking permits.",
     "The parking permits for next quarter will be handed out on Monday."),
    ("If she tells us what the new monthly price is, note it down.",
     "The new monthly price is going to be fourteen ninety-nine."),
    ("When Miss Hart says what costume Maisie needs for the nativity, write it down.",
     "Maisie needs a shepherd costume for the nativity, a tea towel and a dressing gown will do."),
]


@pytest.mark.parametrize("request_text,mention", FAMILIES)
def test_the_wearer_never_brings_up_their_own_watched_topic(request_text, mention):
    for own, spoken in ((True, False), (False, True), (None, True)):
        mind = Mind(request_text, None, [])
        assert mind.hear(request_text, own=None) is None
        d = mind.hear(mention, own=own)
        assert (d is not None and d.rule == "topic") is spoken, (own, mention)


def _scene(lines, label=False):
    return Scene(id="own-1", task="LTM", label=label, instruction=lines[0][1], digital_context=None, tools=[],
                 script=Script(speakers=[Speaker(id="user1", gender="female"), Speaker(id="user2", gender="male")], lines=[Line(speaker=s, text=t, role=r) for s, t, r in lines]))


def test_scripts_take_the_wearer_from_the_request_line():
    request = "Let me know if anyone mentions the parking permits."
    said_by_wearer = _scene([("user1", request, "instruction"), ("user2", "Morning all, coffee's on.", "talk"),
                             ("user1", "The parking permits for next quarter come out on Monday, I think.", "talk")])
    assert decide_on_scene(said_by_wearer).decisions == []
    said_by_other = _scene([("user1", request, "instruction"), ("user2", "Morning all, coffee's on.", "talk"),
                            ("user2", "The parking permits for next quarter come out on Monday.", "cue")], label=True)
    out = decide_on_scene(said_by_other)
    assert out.correct and [i for i, _ in out.decisions] == [2]
    # a request spoken by User2 makes User2 the wearer
    swapped = _scene([("user2", request, "instruction"), ("user1", "Morning all, coffee's on.", "talk"),
                      ("user2", "The parking permits for next quarter come out on Monday, I think.", "talk")])
    assert decide_on_scene(swapped).decisions == []


def _three_turns(other_gain: float, mention_gain: float) -> np.ndarray:
    return np.concatenate([silence(0.3), voice(2.5), silence(0.8), other_gain * voice(2.0), silence(0.8),
                           mention_gain * voice(2.5), silence(1.2)])


@pytest.mark.parametrize("other,mention,option,spoken", [
    (0.5, 1.0, True, False),   # the wearer's own level, another voice heard 6 dB below: their own words
    (0.5, 0.5, True, True),    # 6 dB below the request, like the other voice: another speaker
    (1.0, 1.0, True, True),    # every voice at one level: nobody told apart, the mention counts
    (0.5, 1.0, False, True),   # own_voice=off: every voice counts, as before
])
async def test_audio_judges_the_voice_by_its_level_against_the_request(other, mention, option, spoken):
    request = "Let me know if anyone mentions the parking permits."
    asr = ScriptedASR([request, "Morning all, coffee's on.",
                       "The parking permits for next quarter will be handed out on Monday."])
    io = await run(OfflineAgent(transcribe=asr, own_voice=option), ctx(request), _three_turns(other, mention))
    assert (len(io.of("text")) == 1) is spoken
