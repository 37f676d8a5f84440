"""Long-horizon monitoring: a scripted agent speaking at known times in a 10-minute session with
several cue windows gives exactly the expected hits, misses, repeats and false alarms per hour,
through the real engine, run directory and `score`; the `long` preset's sessions carry their cues."""

from __future__ import annotations

import json

import numpy as np
import pytest

from helpers import make_corpus, sample
from provoice_live.cli import main as cli_main
from provoice_live.scoring.monitoring import match_interjections

RATE = 16000
MINUTES = 10
CUES = [(100.0, 102.0), (300.0, 301.0), (500.0, 503.0)]
# 50: a false alarm; 101.5: hits cue 1 (latency -0.5); 104: a repeat inside cue 1's window; 306.5: past
# cue 2's window (301 + 5): a false alarm, and cue 2 is missed; 503.5: hits cue 3 (latency 0.5);
# 590: a false alarm
SPEAKS = [50.0, 101.5, 104.0, 306.5, 503.5, 590.0]
MONITOR_FROM = 5.0


def test_matching_rules():
    cues, alarms, repeats = match_interjections(SPEAKS, CUES, 5.0)
    assert [c.hit_s for c in cues] == [101.5, None, 503.5]
    assert alarms == [50.0, 306.5, 590.0] and repeats == 1
    # two cues whose windows overlap: one interjection hits only the earliest free one
    cues, alarms, _ = match_interjections([10.5, 11.0], [(10.0, 10.2), (10.4, 11.0)], 5.0)
    assert [c.hit_s for c in cues] == [10.5, 11.0] and alarms == []


def test_a_scripted_agent_in_a_long_session_scores_exactly(tmp_path):
    audio = (0.01 * np.random.default_rng(0).standard_normal(MINUTES * 60 * RATE)).astype(np.float32)
    corpus = make_corpus(tmp_path / "corpus", [sample(
        "long01", task="ESS", cue=CUES[0], monitor_from_s=MONITOR_FROM, instruction="Tell me if the baby cries.",
        cues=[{"start_s": a, "end_s": b} for a, b in CUES], _audio=audio)])
    run = tmp_path / "run"
    assert cli_main(["run", "--corpus", str(corpus), "--out", str(run), "--agent", "scripted", "--agent-opt",
                     "at=" + ",".join(f"{t:g}" for t in SPEAKS), "--no-vad", "--tail", "0", "--no-progress"]) == 0
    assert cli_main(["score", str(run), "--json", str(tmp_path / "s.json"), "-q"]) == 0
    m = json.loads((tmp_path / "s.json").read_text())["monitoring"]
    assert (m["cues"], m["hits"], m["misses"], m["false_alarms"], m["repeats"]) == (3, 2, 1, 3, 1)
    hours = (MINUTES * 60 - MONITOR_FROM) / 3600
    assert m["monitored_h"] == pytest.approx(hours, abs=1e-6)
    assert m["fa_per_h"] == pytest.approx(3 / hours, rel=1e-6)
    assert m["recall"] == pytest.approx(2 / 3)
    assert [c["latency_s"] for c in m["per_cue"]] == [pytest.approx(-0.5), None, pytest.approx(0.5)]
    assert m["latency_s"]["median"] == pytest.approx(0.0)
    # the report zooms to each cue, with its outcome
    assert cli_main(["report", str(run), "--out", str(tmp_path / "report")]) == 0
    page = (tmp_path / "report" / "index.html").read_text()
    assert "cue 1 of 3 (100.0–102.0 s): hit, -0.50 s after its end" in page
    assert "cue 2 of 3 (300.0–301.0 s): missed" in page
    assert all(any((tmp_path / "report" / "img").glob(f"*-cue{k}.png")) for k in (1, 2, 3))
    assert "Monitoring: cues hit, false alarms per hour" in page


@pytest.mark.slow
def test_the_long_preset_builds_a_session_with_a_standing_request_and_cues(tmp_path):
    from provoice_live.corpus.loader import load_corpus

    assert cli_main(["build-corpus", "--preset", "long", "--limit", "1", "--out", str(tmp_path), "--no-progress"]) == 0
    (s,) = load_corpus(tmp_path).samples
    duration = s.meta["duration_s"]
    assert 8 * 60 <= duration <= 14 * 60  # a "10 minute" session
    assert s.instruction and s.monitor_from_s < 15.0  # the request at the start
    assert len(s.cues) == 2 and s.cue == s.cues[0]
    assert all(60 < c.start_s < duration - 1 for c in s.cues)
    assert len(s.meta["near_misses_s"]) >= 3
    sounds = [seg for seg in s.segments if seg.kind == "sound"]
    assert len(sounds) == len(s.cues) + len(s.meta["near_misses_s"])
