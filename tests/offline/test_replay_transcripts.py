"""bench/replay_transcripts.py: a run's logged transcripts replayed through today's understanding."""

import json
import runpy
import sys
from pathlib import Path

import numpy as np

from support.helpers import make_corpus, sample

REPO = Path(__file__).resolve().parents[2]
REQUEST = "Listen in while I chat. Should anyone bring up upcoming trips, please make a note of it."


def _log(path: Path, heard: list[tuple[float, str]]) -> None:
    rows = [{"kind": "session_start", "t": 0.0}]
    rows += [{"kind": "agent", "t": end, "event": {"type": "transcript", "text": text, "start_s": end - 2, "end_s": end}}
             for end, text in heard]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")


def test_replay_counts_decisions_after_the_request_only(tmp_path, capsys):
    silence = np.zeros(16000, np.float32)
    corpus = make_corpus(tmp_path / "corpus", [
        sample("p1", "LTM", True, instruction=REQUEST, monitor_from_s=6.0, _audio=silence),
        sample("n1", "LTM", False, instruction=REQUEST, monitor_from_s=6.0, _audio=silence),
    ])
    run = tmp_path / "run"
    (run / "sessions").mkdir(parents=True)
    # the request heard garbled (as logged by a real run), then a mention in p1 only
    garbled = "Listen in while I chat. Shorten it wandering up upcoming trips. Please make a note of it."
    _log(run / "sessions" / "p1.jsonl", [(5.9, garbled), (12.0, "I'm going on a trip to Lisbon next month!")])
    _log(run / "sessions" / "n1.jsonl", [(5.9, garbled), (12.0, "My sister just started a new job.")])
    # as an older agent logged them: it took the garbled request for a mention in both
    (run / "predictions.jsonl").write_text("\n".join(json.dumps({"id": i, "intervened": True}) for i in ("p1", "n1")) + "\n")
    argv = sys.argv
    sys.argv = ["replay_transcripts.py", "--run", str(run), "--corpus", str(corpus)]
    try:
        runpy.run_path(str(REPO / "bench" / "replay_transcripts.py"), run_name="__main__")
    except SystemExit as e:
        assert e.code == 0
    finally:
        sys.argv = argv
    out = capsys.readouterr().out
    assert "--- n1 LTM label=False logged=True replayed=False [fixed]" in out
    assert "p1" not in out.split("task ")[0]  # p1 stayed right (intervened), so it is not listed
    ltm = next(line.split() for line in out.splitlines() if line.startswith("LTM"))
    assert ltm[1] == "2" and ltm[2:5] == ["1.000", "1.000", "0.500"] and ltm[5:8] == ["1.000", "0.000", "1.000"]


def test_replay_says_what_waits_for_the_floor_at_the_pause():
    from support.offline_helpers import CALENDAR_CTX, TOOLS
    from provoice_live.agents.offline.understanding.mind import Mind

    replay = runpy.run_path(str(REPO / "bench" / "replay_transcripts.py"))["replay"]
    wrong = "The yoga class is at eight tonight, I think."  # 18:00 in the calendar

    def run(utterances):
        return [(t, d.rule) for t, _text, d in replay(Mind(None, CALENDAR_CTX, TOOLS), utterances, 1.2)]

    # a gap of 2 s after it: said at the pause, 1.2 s after the utterance ended
    assert run([(0.0, 3.0, wrong), (5.0, 6.0, "Anyway, how was work?")]) == [(4.2, "contradiction")]
    # put right by the next voice before any pause: nothing is said
    assert run([(0.0, 3.0, wrong), (3.5, 5.0, "No, it's at six, they moved it.")]) == []
    # the talk ends: the end is a pause
    assert run([(0.0, 3.0, wrong)]) == [(4.2, "contradiction")]
