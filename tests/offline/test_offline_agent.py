"""The offline agent as an adapter: events, timing and silence, with a fake recogniser (fast), with
real speech recognition on eSpeak speech (slow), and end to end on built samples (slow)."""

from __future__ import annotations

import numpy as np
import pytest

from fakes import sessionio
from support.offline_helpers import CALENDAR_CTX, TOOLS
from provoice_live.agents.base import SessionContext
from provoice_live.agents.offline import OfflineAgent
from provoice_live.agents.offline.hearing import Hearing, is_confident
from provoice_live.agents.offline.understanding.mind import PAUSE_S
from provoice_live.asr import Utterance
from provoice_live.audio import iter_chunks, to_pcm16

RATE = 16000


class FakeIO(sessionio.FakeIO):
    """The shared fake (events through the engine's real core) at a lockstep stream: sleeps take no
    stream time, and `of` gives (stream time, event) pairs."""

    async def sleep(self, seconds):
        return None

    def of(self, kind):
        return [(t, e) for t, e in self.events if getattr(e, "type", None) == kind]


def voice(seconds: float, f0: float = 140.0) -> np.ndarray:
    """A buzzy vowel-like stand-in for speech that webrtcvad takes for speech."""
    t = np.arange(int(seconds * RATE)) / RATE
    f = f0 * (1 + 0.05 * np.sin(2 * np.pi * 3 * t))
    ph = 2 * np.pi * np.cumsum(f) / RATE
    y = sum(np.sin(k * ph) / k for k in range(1, 12))
    return (0.1 * y * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * t) ** 2)).astype(np.float32)


def silence(seconds: float, seed: int = 0) -> np.ndarray:
    return (10 ** (-70 / 20) * np.random.default_rng(seed).standard_normal(int(seconds * RATE))).astype(np.float32)


class ScriptedASR:
    """Stands in for Whisper: the n-th utterance handed over is heard as the n-th line."""

    def __init__(self, lines):
        self.lines = list(lines)
        self.calls = []

    def __call__(self, x, rate, offset_s=0.0, **kw):
        self.calls.append((offset_s, len(x) / rate))
        text = self.lines.pop(0) if self.lines else ""
        return [Utterance(text, offset_s, offset_s + len(x) / rate, (), 0.05, -0.3)] if text else []


async def run(agent: OfflineAgent, ctx: SessionContext, x: np.ndarray) -> FakeIO:
    io = FakeIO()
    await agent.start(ctx, io)
    for chunk in iter_chunks(to_pcm16(x), RATE, 20.0):
        io.t = chunk.end_s
        await agent.push_audio(chunk)
        await agent.drain()  # lockstep
    await agent.end_of_stream()
    await agent.drain()
    await agent.close()
    return io


def ctx(instruction=None, digital=CALENDAR_CTX):
    return SessionContext(session_id="t", instruction=instruction, digital_context=digital, tools=TOOLS)


def test_capabilities_match_the_contract():
    caps = OfflineAgent.capabilities
    assert caps.has_own_vad and caps.gives_transcripts and not caps.needs_poll and caps.input_sample_rate == 16000


async def test_contradiction_spoken_at_the_pause_after_the_utterance():
    # a contradiction waits for the floor: PAUSE_S of silence after the utterance, not its endpoint
    x = np.concatenate([silence(0.5), voice(2.0), silence(0.8), voice(2.5), silence(3.0)])
    asr = ScriptedASR(["So, about this week.", "My dentist check-up is on Thursday, right?"])
    io = await run(OfflineAgent(transcribe=asr), ctx(), x)
    texts = io.of("text")
    assert len(texts) == 1 and "Friday, March 14" in texts[0][1].text
    t = texts[0][0]
    # the second utterance ends at 5.8 s (the VAD's end, up to its 0.3 s hangover later); the audio goes on to 8.8 s
    assert 5.8 + PAUSE_S <= t <= 5.8 + 0.3 + PAUSE_S + 0.1
    assert [e.text for _t, e in io.of("transcript")] == ["So, about this week.", "My dentist check-up is on Thursday, right?"]
    assert io.of("response_done") and not io.of("tool_call")


async def test_pause_length_is_an_option():
    x = np.concatenate([silence(0.5), voice(2.5), silence(3.0)])
    asr = ScriptedASR(["My dentist check-up is on Thursday, right?"])
    io = await run(OfflineAgent(transcribe=asr, pause_s=0.6), ctx(), x)
    t = io.of("text")[0][0]
    assert 3.0 + 0.6 <= t <= 3.0 + 0.3 + 0.6 + 0.1


async def test_slip_put_right_by_the_next_voice_before_the_pause_is_not_spoken():
    # the next utterance starts 0.8 s after the slip (within the pause) and gives the calendar's day
    x = np.concatenate([silence(0.5), voice(2.5), silence(0.8), voice(2.0, f0=210.0), silence(3.0)])
    asr = ScriptedASR(["My dentist check-up is on Thursday, right?", "No, it's Friday the fourteenth, they moved it."])
    io = await run(OfflineAgent(transcribe=asr), ctx(), x)
    assert not io.of("text") and not io.of("response_done")


async def test_waiting_decision_is_spoken_when_the_stream_ends():
    x = np.concatenate([silence(0.5), voice(2.5), silence(0.4)])  # the audio ends before a pause
    asr = ScriptedASR(["My dentist check-up is on Thursday, right?"])
    io = await run(OfflineAgent(transcribe=asr), ctx(), x)
    assert len(io.of("text")) == 1 and "Friday, March 14" in io.of("text")[0][1].text


async def test_intent_offer_carries_its_tool_call():
    x = np.concatenate([silence(0.5), voice(2.5), silence(1.5)])
    asr = ScriptedASR(["I wonder if it's going to rain in Porto this weekend?"])
    io = await run(OfflineAgent(transcribe=asr), ctx(), x)
    (_t, call), = io.of("tool_call")
    assert call.name == "realtime_weather" and call.arguments == {"city": "Porto"}
    assert io.of("text")[0][1].response_id == call.response_id


async def test_silent_when_nothing_applies_and_never_twice():
    x = np.concatenate([silence(0.5), voice(2.0), silence(0.8), voice(2.0), silence(0.8), voice(2.0), silence(1)])
    asr = ScriptedASR(["The traffic was unreal today.", "My dentist check-up is on Thursday.",
                       "Yes, the dentist check-up is Thursday."])
    io = await run(OfflineAgent(transcribe=asr), ctx(), x)
    assert len(io.of("text")) == 1  # the same correction is not repeated


async def test_topic_watch_waits_for_the_request_to_be_spoken():
    request = "Let me know if anyone mentions dining plans."
    x = np.concatenate([silence(0.3), voice(2.5), silence(0.8), voice(2.0), silence(0.8), voice(2.5), silence(1.2)])
    asr = ScriptedASR(["Let me know if anyone mentions dining plans.", "Work has been crazy lately.",
                       "We're thinking of trying that new sushi place on Friday."])
    io = await run(OfflineAgent(transcribe=asr), ctx(request), x)
    texts = io.of("text")
    assert len(texts) == 1 and "dining plans" in texts[0][1].text and texts[0][0] > 8.5


async def test_spoken_request_without_instruction_text_sets_the_watch():
    x = np.concatenate([silence(0.3), voice(2.5), silence(0.8), voice(2.5), silence(1.2)])
    asr = ScriptedASR(["When you hear anyone mention the weather, give me a heads up.",
                       "Apparently a big storm is rolling in tonight."])
    io = await run(OfflineAgent(transcribe=asr), ctx(None), x)
    assert len(io.of("text")) == 1 and "weather" in io.of("text")[0][1].text


def _sound(cls: str, seed: int = 1) -> np.ndarray:
    from provoice_live.corpus.builder.sounds import SYNTH_CLASSES

    y = SYNTH_CLASSES[cls](RATE, np.random.default_rng(seed)).astype(np.float32)
    return y * (0.1 / np.sqrt(np.mean(y ** 2)))


@pytest.mark.parametrize("played, spoken", [("smoke_alarm", True), ("dog_bark", False), ("microwave_beep", False)])
async def test_waits_for_the_named_sound_only(played, spoken):
    request = "If you hear the smoke alarm, remind me to turn off the oven."
    sound = _sound(played)
    x = np.concatenate([silence(0.3), voice(2.5), silence(3.0), sound, silence(2.5)])
    asr = ScriptedASR(["If you hear the smoke alarm, remind me to turn off the oven."])  # the sound: no words
    io = await run(OfflineAgent(transcribe=asr), ctx(request, None), x)
    texts = io.of("text")
    assert bool(texts) is spoken
    if spoken:
        start, end = 5.8, 5.8 + len(sound) / RATE
        assert start <= texts[0][0] <= end + 1.5
        assert "smoke alarm" in texts[0][1].text and "turn off the oven" in texts[0][1].text


async def test_speech_taken_for_a_sound_is_dropped_when_words_are_heard():
    request = "Listen out for the dog barking."
    x = np.concatenate([silence(0.3), voice(2.0), silence(3.0), voice(2.0, f0=420), silence(2.0)])
    asr = ScriptedASR(["Listen out for the dog barking.", "We skipped the long walk this morning."])
    io = await run(OfflineAgent(transcribe=asr), ctx(request, None), x)
    assert io.of("text") == []


def test_whisper_inventions_are_not_trusted():
    assert not is_confident("Thank you.", -0.2, 0.1)
    assert not is_confident("Three, two, three, four.", -1.8, 0.5)
    assert is_confident("My flight leaves at seven.", -0.4, 0.1)


async def test_hearing_cuts_a_long_turn_without_pauses():
    heard = []
    h = Hearing(heard.append, max_utterance_s=4.0, transcribe=ScriptedASR(["one", "two", "three"]))
    x = np.concatenate([voice(9.0), silence(1.0)])
    for chunk in iter_chunks(to_pcm16(x), RATE, 20.0):
        h.push(chunk)
    h.flush(len(x) / RATE)
    await h.drain()
    await h.close()
    assert len(h.segments) >= 2 and all(e - s <= 4.5 for s, e in h.segments)


# ---- slow: real speech recognition and the engine ----------------------------------------------

def _espeak(text: str) -> np.ndarray:
    from provoice_live.audio import resample
    from provoice_live.corpus.builder.tts import ESPEAK_VOICES, EspeakTTS

    tts = EspeakTTS()
    y = resample(tts.synth(text, ESPEAK_VOICES["male"][0]), tts.rate, RATE)
    return (y * (0.1 / np.sqrt(np.mean(y ** 2)))).astype(np.float32)


@pytest.mark.slow
async def test_hearing_transcribes_espeak_speech():
    x = np.concatenate([silence(0.5), _espeak("My dentist appointment is on Friday at three."), silence(1.0),
                        _espeak("Could you pick up some milk on the way home?"), silence(1.0)])
    heard = []
    h = Hearing(heard.append)
    for chunk in iter_chunks(to_pcm16(x), RATE, 20.0):
        h.push(chunk)
        await h.drain()
    h.flush(len(x) / RATE)
    await h.drain()
    await h.close()
    text = " ".join(u.text.lower() for u in heard)
    assert len(heard) == 2 and "dentist" in text and "friday" in text and "milk" in text
    assert heard[0].end_s < heard[1].start_s


@pytest.mark.slow
async def test_end_to_end_on_built_samples(tmp_path):
    """Build a few demo samples, run them through the engine in lockstep, check the log contract."""
    from provoice_live.corpus.builder.pipeline import build, preset_jobs
    from provoice_live.engine.runner import run_corpus_async
    from provoice_live.engine.session import SessionConfig
    from provoice_live.run import SessionResult

    corpus = tmp_path / "corpus"
    build(preset_jobs("demo", 0, limit=4), corpus, progress=False)
    summary = await run_corpus_async(corpus, "offline", {}, tmp_path / "run", SessionConfig(clock="lockstep"), 1, False)
    assert summary.ran == 4 and not summary.errors
    import json

    preds = [json.loads(line) for line in (tmp_path / "run" / "predictions.jsonl").read_text().splitlines()]
    assert len(preds) == 4 and {p["task"] for p in preds} <= {"PIC", "LTM", "CFC", "ESS"}
    for p in preds:
        result = SessionResult.model_validate_json((tmp_path / "run" / "sessions" / f"{p['id']}.result.json").read_text())
        assert result.status == "ok"
        log = (tmp_path / "run" / "sessions" / f"{p['id']}.jsonl").read_text()
        assert '"transcript"' in log  # it heard something in every sample
        if p["intervened"]:
            assert p["first_interjection_s"] is not None and (p["response_text"] or p["tool_calls"])


async def test_a_sound_followed_at_once_by_talk_is_judged_before_the_talk():
    from provoice_live.asr import Word

    request = "Listen out for the dog barking and message Daniel that Luna is awake."
    bark = _sound("dog_bark", 2)
    talk_at = 0.3 + 2.5 + 3.0 + len(bark) / RATE + 0.2
    x = np.concatenate([silence(0.3), voice(2.5), silence(3.0), bark, silence(0.2), voice(2.0), silence(1.5)])

    def asr(audio, rate, offset_s=0.0, **kw):
        end = offset_s + len(audio) / rate
        if offset_s < 1.0:
            return [Utterance(request, offset_s, end, (), 0.05, -0.3)]
        if end > talk_at + 1.0:  # the segment holding the talk (and, joined to it, the bark)
            words = (Word("We", talk_at + 0.05, talk_at + 0.2), Word("skipped", talk_at + 0.2, talk_at + 0.6))
            return [Utterance("We skipped the long walk this morning.", offset_s, end, words, 0.05, -0.3)]
        return []

    io = await run(OfflineAgent(transcribe=asr), ctx(request, None), x)
    texts = io.of("text")
    assert len(texts) == 1 and "dog barking" in texts[0][1].text
    assert io.of("tool_call")[0][1].arguments["target"] == "Daniel"
