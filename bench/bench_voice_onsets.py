#!/usr/bin/env python
"""How exactly the engine hears an agent's spoken reply: onset error and the recogniser's word error.

Each reply is a sentence spoken by eSpeak NG (five voices, trimmed so its first sample is where the
voice starts), put into an agent track at a known onset after 1.0-2.0 s of either silence or light
noise (white noise at -50 dBFS, from the track's start to its end, under the speech too), and fed
to `engine.voice.VoiceListener` as 20 ms frames arriving in real time (the way a full-duplex agent
streams). Onset error = the first reply segment's stamp minus the true onset (s; positive: late).
Word error: the local recogniser (`engine.voice.recognise_words`, faster-whisper tiny.en) on the
segment's audio against the sentence (word edit distance over the reference's words, lower case,
punctuation and hyphens dropped, digits as written by the recogniser left as they are).

    python bench/bench_voice_onsets.py [--vad silero webrtc] [--n 40] [--seed 0]

Deterministic for a seed (the onsets, voices and noise are drawn from it).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from provoice_live.audio import resample, to_pcm16  # noqa: E402
from provoice_live.corpus.builder.tts import EspeakTTS, Voice  # noqa: E402
from provoice_live.engine.voice import VoiceListener, VoiceSettings, recognise_words  # noqa: E402

RATE = 24000
FRAME = RATE // 50
SENTENCES = [
    "Your oven timer went off a minute ago.",
    "The meeting with Sarah starts in five minutes.",
    "Do not forget to call your mother tonight.",
    "Watch out, the stove is still on.",
    "You asked me to remind you about the budget.",
    "That clashes with your dentist appointment on Friday.",
    "The train to Boston leaves at nine fifteen.",
    "Someone is ringing the doorbell.",
    "I can add that to your shopping list.",
    "Your flight has been moved to gate twelve.",
    "The report is due tomorrow morning.",
    "It is going to rain this afternoon, take an umbrella.",
    "You already have a lunch booked on Tuesday.",
    "Shall I send the slides to the whole team?",
    "The baby monitor picked up crying.",
    "Your package was delivered to the front desk.",
    "The parking meter expires in ten minutes.",
    "I set a reminder to water the plants.",
    "That number does not match the invoice.",
    "The library books are overdue since Monday.",
]
VOICES = [Voice("en-us+f3", "female", 170), Voice("en-us+m3", "male", 165), Voice("en+f2", "female", 175),
          Voice("en+m1", "male", 160), Voice("en-us+f4", "female", 180)]


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("-", " "))


def word_errors(ref: str, hyp: str) -> tuple[int, int]:
    """(edits, reference words): Levenshtein distance over words."""
    r, h = words(ref), words(hyp)
    d = list(range(len(h) + 1))
    for i, rw in enumerate(r, 1):
        prev, d[0] = d[0], i
        for j, hw in enumerate(h, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (rw != hw))
    return d[len(h)], len(r)


def one(listener: VoiceListener, track: np.ndarray) -> float | None:
    pcm = to_pcm16(track)
    for i in range(0, len(pcm), 2 * FRAME):
        listener.hear(pcm[i:i + 2 * FRAME], RATE, i / 2 / RATE)
    listener.flush()
    replies = [s for s in listener.segments if s.duration_s is not None and s.duration_s * 1000 >= 300]
    return replies[0] if replies else None


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--vad", nargs="+", default=["silero", "webrtc"])
    p.add_argument("--n", type=int, default=40, help="replies per condition (sentences x voices, cycled)")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    rng = np.random.default_rng(a.seed)
    tts = EspeakTTS()
    cases = []
    for k in range(a.n):
        text, voice = SENTENCES[k % len(SENTENCES)], VOICES[(k // len(SENTENCES) + k) % len(VOICES)]
        x = resample(tts.synth(text, voice), tts.rate, RATE)
        x = 0.5 * x / max(1e-6, float(np.abs(x).max()))
        onset = int(rng.uniform(1.0, 2.0) * RATE)
        track = np.zeros(onset + len(x) + RATE, np.float32)
        track[onset:onset + len(x)] = x
        noise = rng.normal(0.0, 10 ** (-50 / 20), len(track)).astype(np.float32)
        cases.append((text, onset / RATE, track, noise))
    load = os.getloadavg()[0]
    print(f"load average {load:.1f} at start; {a.n} replies per condition")
    print("| detector | before the reply | n | median error s | p99 abs error s | mean error s | missed | WER | ms per s of audio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for vad in a.vad:
        for cond in ("silence", "light noise"):
            errs, edits, refs, missed, t_vad, audio_s = [], 0, 0, 0, 0.0, 0.0
            for text, onset_s, track, noise in cases:
                y = track + noise if cond == "light noise" else track
                listener = VoiceListener(VoiceSettings(vad=vad))
                w0 = time.perf_counter()
                seg = one(listener, y)
                t_vad += time.perf_counter() - w0
                audio_s += len(y) / RATE
                if seg is None:
                    missed += 1
                    continue
                errs.append(seg.start_s - onset_s)
                e, n = word_errors(text, recognise_words(*listener.segment_samples(seg)))
                edits, refs = edits + e, refs + n
            errs_a = np.array(errs)
            print(f"| {vad} | {cond} | {len(errs)} | {np.median(errs_a):+.3f} | {np.percentile(np.abs(errs_a), 99):.3f} "
                  f"| {errs_a.mean():+.3f} | {missed} | {edits / max(1, refs):.3f} | {1000 * t_vad / audio_s:.2f} |")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
