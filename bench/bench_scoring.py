"""Scoring throughput: 100,000 predictions through the heuristic (offline) judge. Goal: under 5 s.

The predictions look like a real run's: the four tasks, half positive, about 70 % of positives caught
and 25 % of negatives falsely triggered; every true positive carries a reference reply and tool calls
and a predicted one that agrees fully, half or not at all, so every judge rule runs. Measured
stages: reading the predictions file (pydantic), scoring (outcomes, judge, S_i, timing, tables), and
rendering the tables (terminal text, Markdown, CSV, JSON).

    python bench/bench_scoring.py --n 100000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout, not another installed copy

from provoice_live import FORMAT_VERSION
from provoice_live.scoring import heuristic
from provoice_live.scoring.heuristic import HeuristicJudge
from provoice_live.scoring.inputs import read_predictions
from provoice_live.scoring.scores import score_predictions
from provoice_live.scoring.tables import render_tables, to_csv, to_json_text, to_markdown

TASKS = ("PIC", "LTM", "CFC", "ESS")
PLACES = ["Central Park", "the dentist on 5th Avenue", "Union Station", "the office", "Lisbon", "Kyoto"]
ITEMS = ["milk", "eggs", "printer paper", "batteries", "coffee beans", "a birthday card"]
TIMES = ["2025-03-04T15:00", "2025-03-05T09:30", "2025-04-01T18:15", "2025-05-20T12:00"]


def make_line(i: int, rng: random.Random) -> dict:
    task = TASKS[i % 4]
    label = rng.random() < 0.5
    intervened = rng.random() < (0.7 if label else 0.25)
    place, item, when = rng.choice(PLACES), rng.choice(ITEMS), rng.choice(TIMES)
    who = f"Sam{i}"  # a name of its own per sample: no two texts alike, so no cache helps
    gt_text = f"Your meeting with {who} at {place} is on {when[:10]} at {when[11:]}, shall I add {item} to the list?"
    gt_calls = [{"name": "calendar_event", "arguments": {"title": f"meeting at {place}", "start_time": when}},
                {"name": "note_taking", "arguments": {"content": f"buy {item}"}}] if task == "PIC" else []
    cue_start = rng.uniform(5, 40)
    cue_end = cue_start + rng.uniform(0.8, 4.0)
    line = {"id": f"s{i:06d}", "task": task, "label": label, "intervened": intervened, "format": FORMAT_VERSION,
            "semantic_cue": f"The user talks with {who} about {place} and needs {item}.",
            "gt_response": gt_text if label else "", "gt_tool_calls": gt_calls if label else [],
            "cue_start_s": round(cue_start, 3) if label else None, "cue_end_s": round(cue_end, 3) if label else None,
            "premature_interjections": int(rng.random() < 0.05)}
    if intervened:
        style = rng.random()
        if style < 0.4:  # agrees
            text, calls = f"Meeting with {who} at {place}, {when[:10]} {when[11:]}. Add {item} to your list?", gt_calls
        elif style < 0.75:  # half
            text = f"Do you need {item} for {who}?"
            calls = [{"name": "calendar_event", "arguments": {"title": "meeting", "start_time": "2025-01-01T08:00"}}] \
                if gt_calls else []
        else:  # disagrees
            text, calls = "Shall I play some music?", [{"name": "play_media", "arguments": {"query": "jazz"}}]
        t = cue_end + rng.lognormvariate(0.0, 0.6) - 0.3
        line.update(response_text=text, tool_calls=calls, first_interjection_s=round(t, 3),
                    latency_parts={"speech_end_s": round(cue_end, 3), "endpoint_detected_s": round(cue_end + 0.4, 3),
                                   "request_sent_s": round(cue_end + 0.41, 3), "first_output_s": round(t, 3)})
    return {k: v for k, v in line.items() if v is not None}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3, help="take the best of this many runs")
    args = ap.parse_args()
    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "predictions.jsonl"
        path.write_text("".join(json.dumps(make_line(i, rng)) + "\n" for i in range(args.n)))
        best: dict[str, float] = {}
        best_cpu: dict[str, float] = {}
        for _ in range(args.repeat):
            heuristic.clear_caches()  # every repeat starts cold, as a fresh process would
            t0, c0 = time.perf_counter(), time.process_time()
            preds = read_predictions(path)
            t1, c1 = time.perf_counter(), time.process_time()
            scores = score_predictions(preds, HeuristicJudge())
            t2, c2 = time.perf_counter(), time.process_time()
            render_tables(scores), to_markdown(scores), to_csv(scores), to_json_text(scores)
            t3, c3 = time.perf_counter(), time.process_time()
            for k, v, c in (("read", t1 - t0, c1 - c0), ("score", t2 - t1, c2 - c1), ("render", t3 - t2, c3 - c2),
                            ("total", t3 - t0, c3 - c0)):
                best[k] = min(best.get(k, float("inf")), v)
                best_cpu[k] = min(best_cpu.get(k, float("inf")), c)
    tp = scores.decision["overall"].tp
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.1f}")
    print(f"{args.n} predictions ({tp} true positives judged), best of {args.repeat}:")
    for k, v in best.items():
        print(f"  {k:>6}: {v:6.2f} s wall, {best_cpu[k]:6.2f} s CPU   ({args.n / v:,.0f} predictions/s)")
    print(f"R_acc overall {scores.response['overall'].r_acc:.3f}, "
          f"latency median {scores.timing['overall'].latency.median:.2f} s")


if __name__ == "__main__":
    main()
