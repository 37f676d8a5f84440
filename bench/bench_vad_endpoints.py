"""Endpoints in noise: how often each VAD finds the end of each scripted turn, how late, at what cost.

The builder records every spoken segment's nominal span (`segments` in the manifest). Overlapping
or touching user lines are merged into turns; a turn end is **scorable** when the pause after it
(to the next turn, or to the end of the audio) is at least the hangover plus 0.1 s, since no
detector can end speech in a shorter pause. For each scorable end `e` (next turn at `n`), the
endpoint is the first `speech_end` event whose speech stopped in [e - 0.3 s, n): found or not, and
its delay = detected_s - e. Endpoints at the end of the audio (`flush`) never count. An endpoint
that matches no turn end is **spurious** (a pause inside a line, or noise taken for a turn);
reported per minute of audio. Cost: the detector's thread CPU time per second of audio (the model
load is excluded: one warm-up chunk first).

Each sample is streamed in 20 ms chunks at 16 kHz, exactly as the engine feeds its VAD.

    python bench/bench_vad_endpoints.py CORPUS_DIR [CORPUS_DIR ...] [--vad silero webrtc] [--hangover-ms 400]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from dataclasses import dataclass, field


from provoice_live.audio import iter_chunks, load_audio, to_pcm16
from provoice_live.corpus.loader import load_corpus
from provoice_live.vad import VAD_KINDS, make_vad

RATE = 16000
EARLY_S = 0.3  # an endpoint may place the stop this much before the scripted end (a soft last phoneme)
SLACK_S = 0.1  # beyond the hangover, the pause a detector needs to end speech


def turns(segments, gap_s: float = 0.0) -> list[tuple[float, float]]:
    """User lines merged where they overlap or touch: [(start, end)] in time order."""
    spans = sorted((s.start_s, s.end_s) for s in segments or [] if s.kind in ("user1", "user2"))
    out: list[list[float]] = []
    for a, b in spans:
        if out and a <= out[-1][1] + gap_s:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


@dataclass
class Tally:
    scorable: int = 0
    found: int = 0
    delays: list[float] = field(default_factory=list)
    spurious: int = 0
    audio_s: float = 0.0
    cpu_s: float = 0.0
    sessions_without_endpoint: int = 0  # sessions with scorable ends but no endpoint before the audio ended
    misses: list[str] = field(default_factory=list)

    def row(self, name: str, hangover_s: float) -> dict:
        d = sorted(self.delays)
        pct = lambda q: d[min(len(d) - 1, int(q * len(d)))] if d else float("nan")  # noqa: E731
        return {"vad": name, "scorable_ends": self.scorable, "found": self.found,
                "found_pct": round(100 * self.found / max(1, self.scorable), 1),
                "delay_median_s": round(statistics.median(d), 3) if d else None,
                "delay_p90_s": round(pct(0.9), 3) if d else None, "hangover_s": hangover_s,
                "spurious_per_min": round(60 * self.spurious / max(1e-9, self.audio_s), 2),
                "sessions_without_endpoint": self.sessions_without_endpoint,
                "cpu_ms_per_audio_s": round(1000 * self.cpu_s / max(1e-9, self.audio_s), 3),
                "audio_s": round(self.audio_s, 1)}


def score_session(events, spans, duration_s: float, hangover_s: float, tally: Tally, sid: str) -> None:
    ends = [e for e in events if e.event == "speech_end"]
    used: set[int] = set()
    scorable_here = 0
    for k, (_, e) in enumerate(spans):
        n = spans[k + 1][0] if k + 1 < len(spans) else duration_s
        if n - e < hangover_s + SLACK_S:
            continue
        scorable_here += 1
        tally.scorable += 1
        hit = next((i for i, ev in enumerate(ends) if i not in used and e - EARLY_S <= ev.at_s < n), None)
        if hit is None:
            tally.misses.append(f"{sid}@{e:.2f}")
            continue
        used.add(hit)
        tally.found += 1
        tally.delays.append(ends[hit].detected_s - e)
    tally.spurious += len(ends) - len(used)
    if scorable_here and not ends:
        tally.sessions_without_endpoint += 1


def run(corpora: list[str], kinds: list[str], hangover_ms: int) -> list[dict]:
    hangover_s = hangover_ms / 1000
    tallies = {k: Tally() for k in kinds}
    for cdir in corpora:
        corpus = load_corpus(cdir)
        for sample in corpus.samples:
            x, _ = load_audio(corpus.audio_path(sample), sample.id, target_rate=RATE)
            duration = len(x) / RATE
            spans = turns(sample.segments)
            chunks = list(iter_chunks(to_pcm16(x), RATE, 20.0))
            for kind in kinds:
                vad = make_vad(kind, RATE, hangover_ms=hangover_ms)
                vad.process(chunks[0])  # warm-up: the model load is not per-chunk cost
                vad = make_vad(kind, RATE, hangover_ms=hangover_ms)
                events = []
                t0 = time.thread_time()
                for c in chunks:
                    events += vad.process(c)
                tallies[kind].cpu_s += time.thread_time() - t0
                tallies[kind].audio_s += duration
                score_session(events, spans, duration, hangover_s, tallies[kind], f"{os.path.basename(cdir)}/{sample.id}")
    return [tallies[k].row(k, hangover_s) | {"misses": tallies[k].misses[:12]} for k in kinds]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("corpora", nargs="+")
    p.add_argument("--vad", nargs="+", default=list(VAD_KINDS), choices=VAD_KINDS)
    p.add_argument("--hangover-ms", type=int, default=400)
    a = p.parse_args()
    print(f"# {platform.node()} {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f} (1 min) at start")
    rows = run(a.corpora, a.vad, a.hangover_ms)
    print(f"# load {os.getloadavg()[0]:.2f} at end")
    for r in rows:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
