"""`provoice-live demo`: the four steps on a given corpus (the built-corpus path is covered by the
builder's tests and by running the command itself)."""

from __future__ import annotations

import json

from helpers import make_corpus, sample, timeline
from provoice_live.cli import main as cli


def test_demo_runs_scores_and_reports_a_corpus(tmp_path, capsys):
    x = timeline([("silence", 0.5), ("speech", 1.0), ("silence", 1.5)])
    corpus = make_corpus(tmp_path / "c", [
        sample("p1", task="LTM", _audio=x, cue=(0.5, 1.5)),
        sample("n1", task="LTM", _audio=x, label=False, cue=None),
        sample("p2", task="ESS", _audio=x, cue=(0.5, 1.5)),
    ])
    out = tmp_path / "run"
    rc = cli(["demo", "--corpus", str(corpus), "--out", str(out), "--agent", "scripted", "--vad", "webrtc",  # a buzz,
              "--agent-opt", "after_endpoint=0.25", "--agent-opt", "text=reply"])  # not a voice: silero ignores it
    assert rc == 0
    text = capsys.readouterr().out
    assert "Table 1" in text and "Table 2" in text and "heuristic" in text
    scores = json.loads((out / "scores.json").read_text())
    overall = scores["decision"]["overall"]
    assert (overall["tp"], overall["fp"], overall["tn"], overall["fn"]) == (2, 1, 0, 0)
    assert scores["decision"]["ESS"]["fpr"] is None  # no negatives in ESS: undefined, not 0
    lat = scores["timing"]["overall"]
    assert lat["latency_s"]["n"] == 2 and 0.25 < lat["latency_s"]["median"] < 1.5  # VAD hang-over + 0.25 s
    assert (out / "report" / "index.html").is_file()
