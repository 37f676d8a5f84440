"""ESS loudness sweeps (`build-corpus --sound-snr-db`): the same scene at each level, and the sound
event's SNR against the speech and ambient bed under it, measured back from the built wav, is the
asked value within 0.5 dB."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from provoice_live.audio import load_audio, rms
from provoice_live.cli import main as cli_main
from provoice_live.corpus.builder import pipeline
from provoice_live.corpus.builder.pipeline import RenderConfig, banks
from provoice_live.corpus.builder.render import render_script
from provoice_live.corpus.builder.script import Scene
from provoice_live.corpus.loader import load_corpus

LEVELS = (10.0, -5.0)


class RememberingTTS:
    """eSpeak NG, each (text, voice) synthesised once: eSpeak's output can vary by a few samples
    with its internal state, and the measurement re-renders the bed, which must line up exactly."""

    def __init__(self, tts):
        self.tts, self.rate, self.voice_pool, self.memory = tts, tts.rate, tts.voice_pool, {}

    def synth(self, text, voice):
        key = (text, voice)
        if key not in self.memory:
            self.memory[key] = self.tts.synth(text, voice)
        return self.memory[key]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep")
    original = banks(RenderConfig())
    pipeline._BANKS[RenderConfig()] = (RememberingTTS(original[0]), *original[1:])  # the build runs here
    try:
        assert cli_main(["build-corpus", "--preset", "demo", "--seed", "3", "--limit", "1",
                         f"--sound-snr-db={','.join(f'{v:g}' for v in LEVELS)}", "--out", str(out),
                         "--no-progress"]) == 0
        yield out
    finally:
        pipeline._BANKS[RenderConfig()] = original


def measured_snr_db(corpus, sample) -> float:
    """Re-render the scene's bed (sound events silenced, same seed), undo each mix's clipping gain,
    and compare the sound (built minus bed) with the bed over the sound's span."""
    scene = Scene.model_validate_json((corpus / "parts" / f"{sample.id}.scene.json").read_text())
    tts, sounds, noise = banks(RenderConfig())
    bed = render_script(scene.script, np.random.default_rng(sample.meta["seed"]), tts=tts, sounds=sounds,
                        noise=noise, sound_snr_db=-math.inf)
    built, rate = load_audio(corpus / sample.audio)
    built = built / 10 ** (sample.meta["gain_db"] / 20)
    bed_audio = bed.audio / 10 ** (bed.gain_db / 20)
    seg = next(s for s in sample.segments if s.kind == "sound")
    a, b = int(round(seg.start_s * rate)), int(round(seg.end_s * rate))
    return 20 * math.log10(rms(built[a:b] - bed_audio[a:b]) / rms(bed_audio[a:b]))


def test_every_level_is_the_same_scene_at_the_asked_snr(sweep):
    samples = load_corpus(sweep).samples
    assert sorted(s.meta["sound_snr_db"] for s in samples) == sorted(LEVELS)
    assert len({s.meta["sweep_of"] for s in samples}) == 1 and all(s.task == "ESS" for s in samples)
    spans = {(s.cue.start_s, s.cue.end_s) for s in samples}
    assert len(spans) == 1  # the same scene, voices and gaps at every level
    for s in samples:
        assert measured_snr_db(sweep, s) == pytest.approx(s.meta["sound_snr_db"], abs=0.5)
    build = json.loads((sweep / "build.json").read_text())
    assert build["sound_snr_db"] == list(LEVELS)


def test_bad_levels_are_one_clear_line(tmp_path, capsys):
    assert cli_main(["build-corpus", "--sound-snr-db", "loud", "--out", str(tmp_path)]) == 1
    assert "--sound-snr-db takes numbers" in capsys.readouterr().err


def test_score_draws_recall_against_snr_for_several_runs(tmp_path):
    """Two synthetic runs over a sweep: per-level recall in the JSON and one picture for both."""
    from provoice_live.report.plots import plot_snr  # noqa: F401  (the picture is drawn by score)

    runs = []
    for name, hears_down_to in (("keen", -5.0), ("dull", 10.0)):
        lines = []
        for k in range(4):
            for level in (20.0, 10.0, 0.0, -5.0):
                heard = level >= hears_down_to
                lines.append({"id": f"e{k}.snr{level:g}", "task": "ESS", "label": True, "intervened": heard,
                              "first_interjection_s": 12.0 if heard else None, "cue_start_s": 10.0,
                              "cue_end_s": 11.0, "sound_snr_db": level, "judge": {"tool": 1, "text": 1}})
        path = tmp_path / f"{name}.jsonl"
        path.write_text("".join(json.dumps(x) + "\n" for x in lines))
        runs.append(str(path))
    assert cli_main(["score", *runs, "--json", str(tmp_path / "s.json"), "--plot-snr", str(tmp_path / "snr.png"),
                     "-q"]) == 0
    data = json.loads((tmp_path / "s.json").read_text())
    keen, dull = (r["scores"]["by_sound_snr_db"] for r in data["runs"])
    assert [keen[lv]["recall"] for lv in ("20", "10", "0", "-5")] == [1.0, 1.0, 1.0, 1.0]
    assert [dull[lv]["recall"] for lv in ("20", "10", "0", "-5")] == [1.0, 1.0, 0.0, 0.0]
    assert dull["20"]["latency_median_s"] == pytest.approx(1.0)
    assert (tmp_path / "snr.png").stat().st_size > 5000
