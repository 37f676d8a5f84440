"""Wall time of a corpus build (`build-corpus --preset P --workers N`), from scratch.

    python bench/bench_build_corpus.py --preset demo --workers 2
    python bench/bench_build_corpus.py --preset paper --workers 2 --out /tmp/paper
    python bench/bench_build_corpus.py --preset demo --workers 2 --tts neural

Builds into a fresh directory (a temporary one unless --out is given and empty), validates the
result, and prints one Markdown table row: preset, samples, audio minutes, wall seconds, CPU seconds
of this process and its workers, samples per second, x real time, load average before and after.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from provoice_live.corpus import validate_corpus  # noqa: E402
from provoice_live.corpus.builder import pipeline  # noqa: E402


def cpu_seconds() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="demo", choices=sorted(pipeline.PRESETS))
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", help="an empty directory to build in (default: a temporary one)")
    p.add_argument("--tts", default="espeak", help="espeak (default) or neural")
    p.add_argument("--limit", type=int, help="only the first N samples of the preset")
    args = p.parse_args()
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix=f"bench-{args.preset}-"))
    if out.exists() and any(out.iterdir()):
        p.error(f"{out} is not empty: the benchmark builds from scratch")
    load_before = os.getloadavg()[0]
    cpu0, t0 = cpu_seconds(), time.perf_counter()
    result = pipeline.build(pipeline.preset_jobs(args.preset, args.seed, args.limit), out, workers=args.workers,
                            progress=False, config=pipeline.RenderConfig(tts=args.tts))
    wall = time.perf_counter() - t0
    cpu = cpu_seconds() - cpu0
    problems = validate_corpus(out)
    print(f"| {args.preset}{f' (first {args.limit})' if args.limit else ''} | {args.tts} | {args.workers} | {result.samples} | {result.audio_s / 60:.1f} | {wall:.1f} | {cpu:.1f} "
          f"| {result.samples / wall:.2f} | {result.audio_s / wall:.0f}x | {load_before:.1f} / {os.getloadavg()[0]:.1f} "
          f"| {'ok' if not problems else f'{len(problems)} problems'} |")
    print(f"corpus in {out}; skipped {len(result.skipped)}", file=sys.stderr)
    return 0 if not problems and not result.skipped else 1


if __name__ == "__main__":
    sys.exit(main())
