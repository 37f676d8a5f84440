"""VAD events on real synthetic speech (eSpeak NG), both detectors (webrtc, silero), the poll policy,
and the `run` command."""

from __future__ import annotations

import json

import numpy as np
import pytest

from helpers import make_corpus, sample, timeline
from provoice_live.audio import iter_chunks, normalize_rms, resample, to_pcm16
from provoice_live.cli import main as cli
from provoice_live.engine.poll import PollPolicy
from provoice_live.errors import ProvoiceError
from provoice_live.vad import VadTracker, make_vad


@pytest.fixture(scope="module")
def espeak_utterances():
    from provoice_live.corpus.builder.tts import ESPEAK_VOICES, EspeakTTS

    tts = EspeakTTS()
    a = tts.synth("Could you remind me to call the dentist tomorrow morning?", ESPEAK_VOICES["female"][0])
    b = tts.synth("Sure, the meeting moved to Thursday afternoon.", ESPEAK_VOICES["male"][0])
    return resample(a, tts.rate, 16000), resample(b, tts.rate, 16000)


def _events(x, rate=16000, kind="webrtc", **kw):
    v = make_vad(kind, rate, **kw)
    out = []
    for c in iter_chunks(to_pcm16(x), rate, 20):
        out += v.process(c)
    out += v.flush(len(x) / rate)
    return out


@pytest.mark.parametrize("kind, hangover_s", [("webrtc", 0.4), ("silero", 0.416)])  # 13 windows of 32 ms
def test_vad_finds_each_espeak_utterance_within_its_span(espeak_utterances, kind, hangover_s):
    a, b = espeak_utterances
    sil = lambda s: np.zeros(int(s * 16000), np.float32)
    x = np.concatenate([sil(1.0), a, sil(1.5), b, sil(1.5)])
    spans = [(1.0, 1.0 + len(a) / 16000), (2.5 + len(a) / 16000, 2.5 + (len(a) + len(b)) / 16000)]
    ev = _events(x, kind=kind)
    starts = [e for e in ev if e.event == "speech_start"]
    ends = [e for e in ev if e.event == "speech_end"]
    assert len(starts) == 2 and len(ends) == 2
    for (s, e), st, en in zip(spans, starts, ends):
        assert s - 0.05 <= st.at_s <= s + 0.3  # onset found near the true start
        assert e - 0.3 <= en.at_s <= e + 0.3  # offset near the true end
        assert en.detected_s == pytest.approx(en.at_s + hangover_s, abs=1e-6)  # the hang-over, whole frames


@pytest.mark.parametrize("kind", ["webrtc", "silero"])
def test_vad_at_24k_is_resampled(espeak_utterances, kind):
    a, _ = espeak_utterances
    x = np.concatenate([np.zeros(8000, np.float32), a, np.zeros(16000, np.float32)])
    ev16 = _events(x, kind=kind)
    ev24 = _events(resample(x, 16000, 24000), rate=24000, kind=kind)
    assert [e.event for e in ev24] == [e.event for e in ev16] == ["speech_start", "speech_end"]
    assert abs(ev24[0].at_s - ev16[0].at_s) <= 0.06


def test_silero_streaming_gives_faster_whispers_batch_probabilities(espeak_utterances):
    """The per-window stream (context + LSTM state carried) equals faster-whisper's whole-file call."""
    from faster_whisper.vad import SileroVADModel

    from provoice_live.silero import WINDOW, SileroProbabilities, model_path

    a, b = espeak_utterances
    x = np.concatenate([a, b])[: (len(a) + len(b)) // WINDOW * WINDOW]
    batch = SileroVADModel(str(model_path()))(x).reshape(-1)
    probs, stream = SileroProbabilities(), []
    for part in np.array_split(x, 37):  # odd pieces: windows straddle the pushes
        stream += [p for p, _ in probs.push(part)]
    assert len(stream) == len(batch) == len(x) // WINDOW
    np.testing.assert_allclose(stream, batch, atol=1e-6)
    assert max(stream) > 0.9 and min(stream) < 0.1


def test_silero_ends_a_turn_over_cafe_babble_where_webrtcvad_does_not(espeak_utterances):
    """The builder's cafe bed (babble of eSpeak voices) 15 dB under the talker: two turns, two endpoints."""
    from provoice_live.corpus.builder.assembly import add_ambient
    from provoice_live.corpus.builder.noise import SynthNoiseBank

    a, b = (normalize_rms(u, -20.0) for u in espeak_utterances)  # the builder's speech level
    sil = lambda s: np.zeros(int(s * 16000), np.float32)  # noqa: E731
    dry = np.concatenate([sil(1.0), a, sil(1.5), b, sil(1.5)])
    a_end, b_end = 1.0 + len(a) / 16000, 2.5 + (len(a) + len(b)) / 16000
    bed, _ = SynthNoiseBank().draw("cafe", len(dry), 16000, np.random.default_rng(4))
    x = add_ambient(dry, bed, snr_db=15.0)
    ends = {kind: [e for e in _events(x, kind=kind) if e.event == "speech_end"] for kind in ("silero", "webrtc")}
    assert [round(e.at_s - t, 1) <= 0.2 for e, t in zip(ends["silero"], (a_end, b_end))] == [True, True]
    assert all(e.at_s >= a_end - 0.3 for e in ends["silero"])  # no endpoint inside the first line
    assert len(ends["webrtc"]) < 2  # the babble reads as speech to webrtcvad: a turn is never ended


def test_an_unknown_vad_is_named():
    with pytest.raises(ProvoiceError, match="unknown VAD 'rnnoise': choose one of silero, webrtc"):
        make_vad("rnnoise", 16000)


def test_interval_polls_skip_speech_and_keep_their_grid():
    p = PollPolicy(every_s=1.0)
    due = [t / 10 for t in range(1, 45) if p.interval_due(t / 10, in_speech=(2.0 <= t / 10 < 3.0))]
    assert due == [1.0, 3.0, 4.0]  # 2.0 fell in speech and was skipped; the grid did not shift


def test_run_command_with_the_scripted_agent(tmp_path, capsys, espeak_utterances):
    a, _ = espeak_utterances  # real speech: the default VAD (silero) does not take a buzz for a voice
    x = np.concatenate([np.zeros(8000, np.float32), a[:16000], np.zeros(16000, np.float32)])
    corpus = make_corpus(tmp_path / "c", [sample("a", _audio=x, cue=(0.5, 1.5)),
                                          sample("b", _audio=x, label=False, cue=None)])
    out = tmp_path / "run"
    rc = cli(["run", "--corpus", str(corpus), "--agent", "scripted", "--agent-opt", "after_endpoint=0.2",
              "--clock", "lockstep", "--out", str(out), "--no-progress"])
    assert rc == 0
    preds = [json.loads(l) for l in (out / "predictions.jsonl").read_text().splitlines()]
    assert [p["intervened"] for p in preds] == [True, True]
    assert preds[0]["first_interjection_s"] > 1.5  # after the endpoint of the speech ending near 1.5 s
    config = json.loads((out / "config.json").read_text())
    assert config["agent"] == "scripted" and config["session"]["vad_model"] == "silero"
    # a rerun resumes: nothing left to do
    assert cli(["run", "--corpus", str(corpus), "--agent", "scripted", "--agent-opt", "after_endpoint=0.2",
                "--out", str(out), "--no-progress"]) == 0
    assert "0 session(s) run, 2 already finished" in capsys.readouterr().err.replace("\n", " ")


def test_run_command_errors_are_one_line(tmp_path, capsys):
    assert cli(["run", "--corpus", str(tmp_path / "none"), "--agent", "null", "--out", str(tmp_path / "r")]) == 1
    assert "is not a directory" in capsys.readouterr().err
    assert cli(["run", "--corpus", str(tmp_path), "--agent", "nope", "--out", str(tmp_path / "r"), "--clock", "x"]) == 1
    assert cli(["run", "--corpus", str(tmp_path), "--agent-opt", "novalue", "--out", str(tmp_path / "r")]) == 1


def test_a_users_own_adapter_runs_by_module_path(tmp_path):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    x = timeline([("silence", 0.5), ("speech", 1.0), ("silence", 1.0)])
    corpus = make_corpus(tmp_path / "c", [sample("a", _audio=x, cue=(0.5, 1.5))])
    out = tmp_path / "run"
    assert cli(["run", "--corpus", str(corpus), "--agent", "examples.custom_agent:LoudnessAgent", "--vad", "webrtc",
                "--agent-opt", "threshold_dbfs=-30", "--out", str(out), "--no-progress"]) == 0
    assert json.loads((out / "config.json").read_text())["session"]["vad_model"] == "webrtc"
    pred = json.loads((out / "predictions.jsonl").read_text())
    assert pred["intervened"] and pred["response_text"].startswith("That was loud")
    assert cli(["run", "--corpus", str(corpus), "--agent", "json:dumps", "--out", str(tmp_path / "r2")]) == 1


def test_run_speak_writes_the_replies_as_audio(tmp_path):
    import soundfile as sf

    x = timeline([("silence", 0.5), ("speech", 1.0), ("silence", 1.5)])
    corpus = make_corpus(tmp_path / "c", [sample("a", _audio=x, cue=(0.5, 1.5))])
    out = tmp_path / "run"
    assert cli(["run", "--corpus", str(corpus), "--agent", "scripted", "--agent-opt", "at=2.0",
                "--agent-opt", "text=Hello there", "--out", str(out), "--no-progress", "--speak"]) == 0
    speech, rate = sf.read(out / "sessions" / "a.speech.wav")
    loud = np.flatnonzero(np.abs(speech) > 0.01)
    assert len(loud) and loud[0] / rate == pytest.approx(2.0, abs=0.1)  # the reply starts at its interjection
