"""How well the offline agent tells the wearer's own voice from another's (`own_voice.OwnVoice`).

    python bench/bench_own_voice.py CORPUS_DIR [--limit N]

For every sample with a standing request (LTM, ESS) the audio is cut into utterances exactly as the agent
cuts it (webrtcvad, `Hearing`), each utterance's speech level is measured as the agent measures it (a
stand-in recogniser returns one segment spanning the utterance, so the level is over the whole utterance,
not the words Whisper would time: slightly harder than the agent's case), the reference is the utterance
that overlaps the request most, and every later utterance is judged. The truth is the corpus's timeline
(`segments`): the speaker covering most of the utterance. Prints the confusion (wearer / other / mixed
utterances against the judgement True / False / None) with the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from provoice_live.agents.offline.hearing import RATE, Hearing  # noqa: E402
from provoice_live.agents.offline.own_voice import OwnVoice  # noqa: E402
from provoice_live.asr import Utterance  # noqa: E402
from provoice_live.audio import iter_chunks, load_audio, to_pcm16  # noqa: E402


def spanning(x, rate, offset_s=0.0, **_kw):
    # (a different line each time: the hearing drops a line heard again and again as a hallucination)
    return [Utterance(f"utterance at {offset_s:.2f}", offset_s, offset_s + len(x) / rate, (), 0.0, -0.1)]


def overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def truth(start: float, end: float, segments: list[dict]) -> str:
    """"wearer" / "other" when one speaker covers 80 % of the speech in the utterance, else "mixed"."""
    by = collections.Counter()
    for s in segments:
        if s["kind"] in ("user1", "user2"):
            by[s["kind"]] += overlap(start, end, s["start_s"], s["end_s"])
    total = sum(by.values())
    if total <= 0:
        return "none"
    kind, most = by.most_common(1)[0]
    return ("wearer" if kind == "user1" else "other") if most >= 0.8 * total else "mixed"


async def utterances(path: Path) -> list:
    x, _ = load_audio(path, target_rate=RATE)
    heard = []
    h = Hearing(heard.append, transcribe=spanning)
    for chunk in iter_chunks(to_pcm16(x), RATE, 20.0):
        h.push(chunk)
        await h.drain()
    h.flush(len(x) / RATE)
    await h.drain()
    await h.close()
    return heard


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args()
    rows = [json.loads(line) for line in (args.corpus / "manifest.jsonl").read_text().splitlines() if line.strip()]
    rows = [r for r in rows if r.get("instruction")][: args.limit]
    table: collections.Counter = collections.Counter()
    t0 = time.perf_counter()
    for r in rows:
        heard = asyncio.run(utterances(args.corpus / r["audio"]))
        segs = r.get("segments") or []
        request = next((s for s in segs if s["kind"] == "user1"), None)
        if request is None or not heard:
            continue
        ref = max(heard, key=lambda u: overlap(u.start_s, u.end_s, request["start_s"], request["end_s"]))
        ov = OwnVoice()
        ov.learn(ref.levels_db)
        for u in heard:
            if u.start_s <= ref.start_s:
                continue
            table[(truth(u.start_s, u.end_s, segs), ov.judge(u.levels_db))] += 1
    took = time.perf_counter() - t0
    print(f"{len(rows)} samples with a request, {sum(table.values())} utterances after it, {took:.0f} s, "
          f"load {os.getloadavg()[0]:.1f}")
    print("| truth | judged own | judged other | not known |")
    print("|---|---|---|---|")
    for kind in ("wearer", "other", "mixed"):
        print(f"| {kind} | {table[(kind, True)]} | {table[(kind, False)]} | {table[(kind, None)]} |")


if __name__ == "__main__":
    main()
