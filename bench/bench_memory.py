"""Peak memory of one session against the length of its audio (`run` and `validate`).

    python bench/bench_memory.py --minutes 10 60 180 [--code DIR ...] [--rate 16000]

For each length it writes a one-sample corpus (a mono PCM16 wav at `--rate`, talk-like bursts of
noise and pauses, written block by block with numpy so the writer itself stays small), then runs
`python -m provoice_live.cli validate` and `run --agent null --clock lockstep` on it in a child
process, once per `--code` checkout (each a source tree put first on PYTHONPATH: e.g. an export
of the commit before streaming, then this one), and prints the children's peak resident memory
(`ru_maxrss` from `os.wait4`) as a Markdown table. The corpora and runs go to a temporary
directory deleted at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf


def write_long_wav(path: Path, seconds: int, rate: int) -> None:
    """Talk-like audio: 1-4 s bursts of shaped noise, 0.3-1.5 s pauses (seeded), 60 s at a time."""
    rng = np.random.default_rng(0)
    with sf.SoundFile(str(path), "w", rate, 1, "PCM_16") as fh:
        left = seconds * rate
        while left > 0:
            n = min(left, 60 * rate)
            x = np.zeros(n, np.float32)
            pos = 0
            while pos < n:
                burst = int(rng.uniform(1, 4) * rate)
                x[pos: pos + burst] = 0.1 * rng.standard_normal(min(burst, n - pos))
                pos += burst + int(rng.uniform(0.3, 1.5) * rate)
            fh.write(x)
            left -= n


def peak_rss_mb(argv: list[str], code: Path, cwd: Path) -> tuple[float, float, int]:
    """(peak RSS in MB, wall seconds, exit status) of a child process."""
    env = dict(os.environ, PYTHONPATH=str(code), HF_HUB_OFFLINE="1")
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024, wall, proc.returncode


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--minutes", type=int, nargs="+", default=[10, 60, 180])
    p.add_argument("--code", type=Path, nargs="+", default=[Path(__file__).resolve().parent.parent])
    p.add_argument("--rate", type=int, default=16000, help="the file's sample rate (the null agent takes 16 kHz)")
    args = p.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; load at start {os.getloadavg()[0]:.2f}")
    print("| code | audio | file MB | validate peak MB | run peak MB | run wall s | load |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        for minutes in args.minutes:
            corpus = Path(tmp) / f"c{minutes}"
            (corpus / "audio").mkdir(parents=True)
            wav = corpus / "audio" / "long.wav"
            write_long_wav(wav, minutes * 60, args.rate)
            (corpus / "manifest.jsonl").write_text(json.dumps({
                "id": "long", "task": "LTM", "label": False, "audio": "audio/long.wav", "semantic_cue": "none",
                "gt_response": "", "tools": [], "gt_tool_calls": []}) + "\n")
            size_mb = wav.stat().st_size / 1e6
            for code in args.code:
                v_mb, _, v_rc = peak_rss_mb([sys.executable, "-m", "provoice_live.cli", "validate", str(corpus)],
                                            code, Path(tmp))
                out = Path(tmp) / f"run-{minutes}-{code.name}"
                r_mb, wall, r_rc = peak_rss_mb([sys.executable, "-m", "provoice_live.cli", "run", "--corpus",
                                                str(corpus), "--out", str(out), "--agent", "null", "--clock",
                                                "lockstep", "--no-progress"], code, Path(tmp))
                bad = "" if v_rc == r_rc == 0 else f" (exit {v_rc}/{r_rc})"
                print(f"| {code.name} | {minutes} min | {size_mb:.0f} | {v_mb:.0f} | {r_mb:.0f}{bad} | {wall:.0f} | "
                      f"{os.getloadavg()[0]:.1f} |", flush=True)
                subprocess.run(["rm", "-rf", str(out)], check=False)
            subprocess.run(["rm", "-rf", str(corpus)], check=False)


if __name__ == "__main__":
    main()
