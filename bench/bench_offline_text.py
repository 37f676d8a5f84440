"""The offline agent's understanding on scenes' exact words (no audio, no recognition errors).

    python bench/bench_offline_text.py --preset demo --seed 1        # our builder's templates
    python bench/bench_offline_text.py --from tests/fixtures/heldout/scenes.json --tools tests/fixtures/heldout/tools.json
    python bench/bench_offline_text.py --from data.json --tools new_tools.json   # the official release (measure only)

Prints Recall / FPR / Accuracy per task and each wrong scene (--errors). Takes seconds: it is the
loop to iterate on the rules with; audio-level figures come from `provoice-live run` / bench_offline_agent.py.
"""

from __future__ import annotations

import argparse
import json
import time


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", help="a builder preset (demo, paper)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--from", dest="data", help="scenes in the release's data.json format")
    ap.add_argument("--tools", help="the tools file for --from")
    ap.add_argument("--errors", action="store_true", help="print every wrong scene")
    ap.add_argument("--json", help="write the table here")
    args = ap.parse_args()

    from provoice_live.agents.offline.script_run import decide_on_scene, score_outcomes

    if args.data:
        from provoice_live.corpus.official import official_jobs

        jobs, skipped = official_jobs(args.data, args.tools, args.seed)
        for s in skipped:
            print(f"skipped {s['id']}: {s['reason']}")
    else:
        from provoice_live.corpus.builder.pipeline import preset_jobs

        jobs = preset_jobs(args.preset or "demo", args.seed, args.limit)
    jobs = jobs[: args.limit] if args.limit else jobs
    t0 = time.perf_counter()
    outcomes = []
    for job in jobs:
        scene = job.scene()
        o = decide_on_scene(scene)
        outcomes.append(o)
        if args.errors and not o.correct:
            print(f"--- {scene.id} {scene.task} label={scene.label} template={scene.template}")
            if scene.instruction:
                print(f"  request: {scene.instruction}")
            for i, ln in enumerate(scene.script.lines):
                said = [d for j, d in o.decisions if j == i]
                mark = "*" if ln.role == "cue" else " "
                print(f"  {mark}{ln.speaker}: {ln.text or ln.sound}")
                for d in said:
                    print(f"     -> [{d.rule}] {d.text}")
    table = score_outcomes(outcomes)
    took = time.perf_counter() - t0
    print(f"{'task':8} {'n':>4} {'recall':>7} {'fpr':>6} {'acc':>6}")
    fmt = lambda v: "   -  " if v is None else f"{v:6.3f}"
    for task, row in table.items():
        print(f"{task:8} {row['n']:4d} {fmt(row['recall'])} {fmt(row['fpr'])} {fmt(row['accuracy'])}")
    print(f"({len(outcomes)} scenes in {took:.1f} s)")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(table, fh, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
