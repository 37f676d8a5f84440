"""The figures of a `bench/run_paper_preset.sh` job: what ran, what it cost, and how it scales.

    python bench/paper_run_stats.py /work/paper-run [--json FILE]

Reads DIR/run/sessions/*.result.json (each session's audio, wall and compute seconds, measured on
its worker), DIR/times.tsv (each step's wall time), DIR/load.log (the load average and every Ray
worker process's CPU seconds, sampled by the job) and the worker lines the driver printed at the
end of the run (DIR/job.log). Works on a run still going or stopped: it reports what is finished.

Scaling: sessions are independent and the driver's work per session is writing its files, so a
run's wall time on W workers is about `sessions x CPU s per session / W` plus one worker start,
when every worker has a free core; the CPU seconds per session (the workers' own processes, from
`ps`) do not depend on the machine's load, the wall seconds per session do.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from datetime import datetime, timezone
from pathlib import Path


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q / 100 * (len(values) - 1))))] if values else float("nan")


def load_log(path: Path) -> list[dict]:
    """The job's samples: `{"t": epoch s, "load": 1-min load, "workers": {pid: CPU s}}` (session workers)."""
    samples: list[dict] = []
    if not path.is_file():
        return samples
    for line in path.read_text().splitlines():
        if line.startswith("#"):
            m = re.match(r"# (\S+) load ([\d.]+)", line)
            if m:
                t = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()
                samples.append({"t": t, "load": float(m.group(2)), "workers": {}})
            continue
        parts = line.split(None, 3)
        if samples and len(parts) == 4 and parts[3].startswith("ray::SessionWorker"):
            samples[-1]["workers"][int(parts[0])] = int(parts[1])
    return samples


def cpu_per_session(samples: list[dict], finished: list[float]) -> tuple[float | None, int]:
    """The session workers' CPU seconds per finished session between the first and last samples that
    saw workers (model loading excluded), and how many sessions finished in between."""
    seen = [s for s in samples if s["workers"]]
    if len(seen) < 2:
        return None, 0
    first, last = seen[0], seen[-1]
    cpu = sum(last["workers"].values()) - sum(c for pid, c in first["workers"].items() if pid in last["workers"])
    done = sum(1 for t in finished if first["t"] < t <= last["t"])
    return (cpu / done if done else None), done


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    results = [json.loads(p.read_text()) for p in sorted((args.dir / "run" / "sessions").glob("*.result.json"))]
    ok = [r for r in results if r["status"] == "ok"]
    audio = [r["audio_s"] for r in ok]
    wall = [r["wall_s"] for r in ok]
    compute = [r["compute_s"] for r in ok]
    steps = {}
    times = args.dir / "times.tsv"
    if times.is_file():
        for line in times.read_text().splitlines():
            step, w, cpu_s, rss, rc, *_ = line.split("\t")
            steps[step] = {"wall_s": float(w or "nan"), "driver_cpu_s": float(cpu_s or "nan"), "max_rss_kb": int(rss or 0),
                           "rc": int(rc)}
    samples = load_log(args.dir / "load.log")
    loads = [s["load"] for s in samples]
    finished = sorted(p.stat().st_mtime for p in (args.dir / "run" / "sessions").glob("*.result.json"))
    cps, between = cpu_per_session(samples, finished)
    worker_cpu = next((s["workers"] for s in reversed(samples) if s["workers"]), {})
    job = (args.dir / "job.log").read_text() if (args.dir / "job.log").is_file() else ""
    workers = re.findall(r"^worker (\S+) \(host .*?, pid (\d+)\): (\d+) session\(s\), (\d+) error\(s\), "
                         r"(\d+) timing-suspect", job, flags=re.M)
    worker_cpu_s = sum(worker_cpu.values())
    out = {
        "sessions": len(results), "ok": len(ok), "errors": len(results) - len(ok),
        "audio_h": sum(audio) / 3600,
        "audio_s_per_session": {"mean": statistics.fmean(audio) if audio else None, "median": pct(audio, 50)},
        "wall_s_per_session": {"mean": statistics.fmean(wall) if wall else None, "median": pct(wall, 50),
                               "p90": pct(wall, 90), "max": max(wall, default=None)},
        "compute_s_per_session": {"mean": statistics.fmean(compute) if compute else None},
        "rtf_wall": sum(wall) / sum(audio) if audio else None,
        "workers_cpu_s_last_sample": worker_cpu_s, "worker_processes": len(worker_cpu),
        "workers_cpu_s_per_session": cps, "sessions_in_cpu_window": between,
        "workers_cpu_s_per_audio_s": cps / statistics.fmean(audio) if cps and audio else None,
        "steps": steps,
        "load_1min": {"min": min(loads, default=None), "median": pct(loads, 50), "max": max(loads, default=None),
                      "samples": len(loads)},
        "per_worker": [{"name": n, "pid": int(p), "sessions": int(s), "errors": int(e), "suspect": int(t)}
                       for n, p, s, e, t in workers],
    }
    if cps:  # sessions x CPU s per session / workers (each with a free core)
        out["projected_wall_min"] = {f"{w} workers": round(1182 * cps / w / 60, 1) for w in (1, 2, 8, 16, 64)}
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
