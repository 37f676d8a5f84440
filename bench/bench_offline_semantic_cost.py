"""CPU the offline agent's understanding costs per heard sentence, with and without the semantic layer.

    python bench/bench_offline_semantic_cost.py --preset paper --seed 1 --limit 100
    python bench/bench_offline_semantic_cost.py --from tests/fixtures/dev2/scenes.json --tools tests/fixtures/dev2/tools.json

Feeds each scene's spoken lines to a fresh `Mind` (as `bench_offline_text.py` does) and reports the
process CPU time per line (all threads: `time.process_time`), the number of sentence embeddings the
semantic layer computed (cache misses) and CPU per embedding. CPU time, not wall time: the machine is
shared, and CPU time is what the agent's real-time factor budget is spent on.
"""

from __future__ import annotations

import argparse
import time


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--from", dest="data")
    ap.add_argument("--tools")
    args = ap.parse_args()

    from provoice_live.agents.offline.script_run import decide_on_scene
    from provoice_live.agents.offline.understanding import semantic

    if args.data:
        from provoice_live.corpus.official import official_jobs

        jobs, _ = official_jobs(args.data, args.tools, args.seed)
    else:
        from provoice_live.corpus.builder.pipeline import preset_jobs

        jobs = preset_jobs(args.preset or "demo", args.seed, args.limit)
    scenes = [j.scene() for j in jobs[: args.limit] if j is not None]
    lines = sum(1 for s in scenes for ln in s.script.lines if ln.speaker != "sound")
    for on in (False, True):
        semantic.disable(not on)
        m = semantic.meaning()
        if m is not None:
            m._cache.clear()
            calls = {"n": 0}
            model_passage, model_query = m._model.passage, m._model.query

            def counted(fn):
                def run(text):
                    calls["n"] += 1
                    return fn(text)
                return run
            m._model.passage, m._model.query = counted(model_passage), counted(model_query)
        t0 = time.process_time()
        for s in scenes:
            decide_on_scene(s)
        cpu = time.process_time() - t0
        label = "semantic on " if on else "semantic off"
        extra = ""
        if m is not None:
            m._model.passage, m._model.query = model_passage, model_query
            extra = f", {calls['n']} embeddings ({1000 * cpu / max(calls['n'], 1):.1f} ms CPU each, upper bound)"
        print(f"{label}: {len(scenes)} scenes, {lines} lines, {cpu:.2f} s CPU, {1000 * cpu / lines:.1f} ms CPU per line{extra}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
