"""Hearing's guards against Whisper's inventions: the Silero speech gate and the repeat filter."""

import numpy as np

from provoice_live.agents.offline.hearing import RATE, Hearing, RepeatFilter, SpeechGate
from provoice_live.asr import Utterance


def test_a_line_said_again_and_again_is_dropped_after_the_second_time():
    f = RepeatFilter(max_repeats=2, window_s=60.0)
    kept = [f.keep(["I love you."], t)[0] for t in np.arange(0, 20, 1.0)]
    assert kept[:2] == [True, True] and not any(kept[2:])


def test_a_loop_inside_one_utterance_keeps_its_first_line_only():
    f = RepeatFilter()
    assert f.keep(["I love you.", "I love you.", "I love you.", "See you tomorrow."], 5.0) == [True, False, False, True]


def test_the_window_forgets_old_lines():
    f = RepeatFilter(max_repeats=2, window_s=60.0)
    assert f.keep(["Okay, let's go."], 0.0) == [True]
    assert f.keep(["Okay, let's go."], 10.0) == [True]
    assert f.keep(["Okay, let's go."], 20.0) == [False]
    assert f.keep(["Okay, let's go."], 200.0) == [True]  # minutes later it is a new line


def test_different_lines_are_kept():
    f = RepeatFilter()
    lines = [f"Line number {i} is different." for i in range(30)]
    assert all(f.keep([s], float(i))[0] for i, s in enumerate(lines))


def _knocks(seconds=2.0):
    x = np.zeros(int(seconds * RATE), np.float32)
    rng = np.random.default_rng(0)
    for k in range(int(seconds * 3)):
        i = int(k * RATE / 3)
        burst = rng.standard_normal(400).astype(np.float32) * np.exp(-np.arange(400) / 60.0).astype(np.float32)
        x[i:i + 400] += 0.6 * burst
    return x


def test_the_gate_hears_no_speech_in_knocks_or_silence():
    gate = SpeechGate()
    assert not gate.has_speech(_knocks())
    assert not gate.has_speech(np.zeros(RATE, np.float32))


def _speech(text="Remember to pick up the parcel from the post office before five."):
    from provoice_live.audio import resample
    from provoice_live.corpus.builder.tts import ESPEAK_VOICES, EspeakTTS

    tts = EspeakTTS()
    return resample(tts.synth(text, ESPEAK_VOICES["female"][0]), tts.rate, RATE).astype(np.float32)


def test_the_gate_lets_speech_through():
    speech = _speech()
    gate = SpeechGate()
    assert gate.has_speech(speech)
    assert gate.speech_seconds(speech) > 1.0
    mixed = np.concatenate([_knocks(), speech[: RATE]])  # knocks, then a second of talk
    assert gate.has_speech(mixed)


async def _run(hearing, audio):
    from provoice_live.audio import AudioChunk, to_pcm16

    n = RATE // 50
    x = np.concatenate([np.zeros(RATE // 2, np.float32), audio, np.zeros(RATE, np.float32)])
    for k, i in enumerate(range(0, len(x) - n + 1, n)):
        hearing.push(AudioChunk(to_pcm16(x[i:i + n]), RATE, i, k))
    hearing.flush(len(x) / RATE)
    await hearing.drain()
    await hearing.close()


def test_knocks_never_reach_the_recogniser_and_a_loop_is_cut():
    import asyncio

    asked = []

    def loop_recogniser(audio, rate, **kw):
        asked.append(len(audio))
        return [Utterance("I love you.", 0.0, 1.0, (), 0.1, -0.3)] * 3

    heard = []
    h = Hearing(heard.append, transcribe=loop_recogniser, gate=SpeechGate())
    asyncio.run(_run(h, _knocks(3.0)))
    assert asked == [] and h.gated >= 1 and all(not r.text for r in heard)
    heard.clear()
    h = Hearing(heard.append, transcribe=loop_recogniser, gate=None)  # no gate: the loop filter still cuts
    asyncio.run(_run(h, _knocks(3.0)))
    texts = [r.text for r in heard if r.text]
    assert asked and all(t.count("love") == 1 for t in texts)  # the loop inside an utterance is cut
    assert len(texts) <= 2  # and the same line is taken at most twice a minute


def test_the_recogniser_and_its_beam_reach_faster_whisper(monkeypatch):
    import provoice_live.asr as asr
    from provoice_live.agents.offline.agent import OfflineAgent

    calls = []

    def fake(audio, rate, **kw):
        calls.append(kw)
        return []

    monkeypatch.setattr(asr, "transcribe", fake)
    agent = OfflineAgent(beam_size="5", recogniser="base")
    assert (agent.beam_size, agent.recogniser) == (5, "base")
    h = Hearing(lambda heard: None, recogniser=agent.recogniser, beam_size=agent.beam_size)
    h._recognise(0.0, 0.0, 1.0, 1.0, np.zeros(16000, np.float32))
    assert calls and calls[0]["beam_size"] == 5 and calls[0]["recogniser"] == "base"
    assert OfflineAgent().beam_size == asr.DEFAULT_BEAM == 1  # greedy unless asked (bench/RESULTS.md)
