"""How often the cue locator recovers the cue windows our builder knows, and what it finds elsewhere.

    python bench/bench_cue_locator.py --per-group 50                  # template scripts, text timing
    python bench/bench_cue_locator.py --per-group 6 --rendered        # also rendered with eSpeak + ASR words
    python bench/bench_cue_locator.py --official data.json --tools new_tools.json   # measure only

1. Template scripts (`corpus.builder.cues.check_templates`): the locator is given every line of a
   scene and its ground truth, never the cue line's role; recovered = IoU >= 0.8 with the builder's
   exact window. Two conditions: the semantic cue as written (with its quote of what was said), and
   with the quotes removed (the content method alone; there "inside" = the window lies within the
   true one, e.g. the key sentence of a two-sentence line).
2. `--rendered`: the same on audio rendered with eSpeak NG (the pipeline's `render_script`),
   words timed by faster-whisper on each line's stretch when the locator picks part of a line.
3. `--official`: re-voice a release file with `build-corpus --from` and print its fidelity report
   (only to measure: the release is the test set; nothing here is tuned on it).
Prints Markdown rows with the load average.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from provoice_live.corpus.builder.cues import asr_word_timer, check_templates  # noqa: E402

TASKS = ("PIC", "LTM", "CFC", "ESS")


def row(name: str, rec, seconds: float) -> str:
    cells = [f"{rec.rate(t, True):.2f} / {rec.rate(t, False):.2f} / {rec.inside_rate(t, True):.2f}" for t in TASKS]
    hows = ", ".join(f"{k} {v}" for k, v in rec.hows.most_common())
    return (f"| {name} | {rec.count()} | " + " | ".join(cells)
            + f" | {rec.rate():.3f} | {rec.flagged} | {hows} | {seconds:.1f} s | {os.getloadavg()[0]:.1f} |")


def renderer():
    import numpy as np

    from provoice_live.corpus.builder.pipeline import RenderConfig, banks
    from provoice_live.corpus.builder.render import render_script

    tts, sounds, noise = banks(RenderConfig())

    def render(scene, seed):
        r = render_script(scene.script, np.random.default_rng(seed), tts=tts, sounds=sounds, noise=noise)
        return r.segments, asr_word_timer(r.audio, r.rate)

    return render


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--per-group", type=int, default=50, help="scenes per (task, label)")
    p.add_argument("--seed", type=int, default=3)
    p.add_argument("--rendered", action="store_true", help="also render the audio (slow)")
    p.add_argument("--official", metavar="data.json")
    p.add_argument("--tools", metavar="new_tools.json")
    args = p.parse_args()
    counts = {(t, lab): args.per_group for t in TASKS for lab in (True, False)}
    print("| condition | scenes | PIC +/-/inside+ | LTM | CFC | ESS | all IoU>=0.8 | flagged | methods | time | load |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for quotes in (True, False):
        t0 = time.perf_counter()
        rec = check_templates(counts, args.seed, with_quotes=quotes)
        print(row(f"text timing, {'with' if quotes else 'without'} quotes", rec, time.perf_counter() - t0))
    if args.rendered:
        render = renderer()
        for quotes in (True, False):
            t0 = time.perf_counter()
            rec = check_templates(counts, args.seed, with_quotes=quotes, render=render)
            print(row(f"eSpeak audio, {'with' if quotes else 'without'} quotes", rec, time.perf_counter() - t0))
    if args.official:
        out = tempfile.mkdtemp(prefix="bench-official-")
        cmd = [sys.executable, "-m", "provoice_live.cli", "build-corpus", "--from", args.official, "--out", out,
               "--no-progress"] + (["--tools", args.tools] if args.tools else [])
        t0 = time.perf_counter()
        subprocess.run(cmd, check=False)
        print(f"(re-voiced in {time.perf_counter() - t0:.1f} s, load {os.getloadavg()[0]:.1f}; corpus in {out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
