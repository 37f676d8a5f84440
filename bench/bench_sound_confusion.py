"""Confusion matrix of the offline agent's sound detector on the builder's synthesised classes.

Each trial is a 12 s scene at 16 kHz: an ambient bed (the builder's synthesised `home`, `street` or
`office` scene, 15 dB under the speech, as the builder mixes it), two eSpeak sentences at -20 dBFS
(0-3.5 s, and from 1 s after the sound ends), and one synthesised sound starting at 4.5 s whose RMS
(silence trimmed) sits `snr` dB above the speech level: 0 dB is a sound as loud as the talk.
The detector is run as the agent runs it (the whole stream, 20 ms chunks; an event running into the
talk after it judged on its part before the talk, as the agent does with the recogniser's word
times); the trial's prediction is the best-scored final event overlapping the sound that is not
"speech" ("none" when there is none).

Reported per SNR: accuracy over the classes the detector has a rule for (label = class), the rate
at which a class without a rule is called one of the ruled classes (such a call would make a watch
fire on the wrong sound), and the most frequent confusions. Seeds are disjoint from the tests'.
`--classes` restricts the run to some classes (each keeps the draws it has in a full run);
`--seed` changes the draws (9000 is the measured set; develop on another).

    python bench/bench_sound_confusion.py [--trials 3] [--snr 20 10 5 0] [--classes C ...] [--seed N]
                                          [--append] [--matrix FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections import Counter, defaultdict

import numpy as np

RATE = 16000
SENTENCES = ("I think we should leave a bit earlier tomorrow.", "Did you see what they posted about the trip?",
             "Let me know when you are done with the laptop.", "The weather is supposed to get better on Sunday.",
             "We still need to buy bread and some milk.", "Can you pass me that blue folder over there?")


def speech_clips():
    from provoice_live.audio import normalize_rms, resample
    from provoice_live.corpus.builder.tts import EspeakTTS, Voice, trim_silence

    tts = EspeakTTS()
    voices = (Voice("en-us+f3", "female"), Voice("en-us+m3", "male"))
    out = []
    for i, text in enumerate(SENTENCES):
        x = resample(tts.synth(text, voices[i % 2]), tts.rate, RATE)
        out.append(normalize_rms(trim_silence(x, RATE), -20.0).astype(np.float32))
    return out


def scene(sound: np.ndarray, snr_db: float, speech: list[np.ndarray], rng: np.random.Generator, noise_bank):
    from provoice_live.audio import normalize_rms
    from provoice_live.corpus.builder.assembly import add_ambient

    n = 12 * RATE
    x = np.zeros(n, np.float32)
    a = speech[int(rng.integers(len(speech)))][: int(3.5 * RATE)]
    x[: len(a)] += a
    at = int(4.5 * RATE)
    s = normalize_rms(sound, -20.0 + snr_db)[: n - at]
    x[at: at + len(s)] += s
    after = at + len(s) + RATE
    if after < n:
        b = speech[int(rng.integers(len(speech)))][: n - after]
        x[after: after + len(b)] += b
    bed, _ = noise_bank.draw(str(rng.choice(["home", "street", "office"])), n, RATE, rng)
    return add_ambient(x, bed, 15.0), (at / RATE, (at + len(s)) / RATE), after / RATE


def predict(x: np.ndarray, span: tuple[float, float], talk_s: float) -> str:
    from provoice_live.agents.offline.sounds import SoundDetector

    det = SoundDetector()
    events = []
    for i in range(0, len(x), 320):
        events += det.push(x[i: i + 320], i / RATE)
    events += det.flush()
    # the agent judges an event that runs into talk on its part before the first word (it has the
    # recogniser's word times); here the talk's true onset stands in for them
    events = [e.truncated(talk_s - 0.05) if e.final and e.start_s < talk_s < e.end_s else e for e in events]
    hits = [e for e in events if e is not None and e.final and e.label != "speech"
            and e.end_s > span[0] and e.start_s < span[1]]
    if not hits:
        return "none"
    return max(hits, key=lambda e: e.score).label


def run(trials: int, snrs: list[float], seed0: int = 9000, classes: list[str] | None = None):
    from provoice_live.corpus.builder.noise import SynthNoiseBank
    from provoice_live.corpus.builder.sounds import SYNTH_CLASSES
    from provoice_live.corpus.builder.tts import trim_silence

    speech = speech_clips()
    bank = SynthNoiseBank()
    results: dict[float, list[tuple[str, str]]] = defaultdict(list)
    for snr in snrs:
        for ci, cls in enumerate(sorted(SYNTH_CLASSES)):
            if classes and cls not in classes:
                continue  # the index stays the full run's: a class keeps its draws
            for k in range(trials):
                rng = np.random.default_rng([seed0, ci, k])
                sound = SYNTH_CLASSES[cls](RATE, rng)
                x, span, talk_s = scene(trim_silence(sound, RATE, below_peak_db=50.0), snr, speech,
                                np.random.default_rng([seed0 + 1, ci, k, int(snr * 10)]), bank)
                results[snr].append((cls, predict(x, span, talk_s)))
    return results


def summarise(results) -> tuple[str, dict]:
    from provoice_live.sound_classes import detected_classes

    ruled = detected_classes()
    lines = ["| SNR dB | ruled classes: accuracy | missed (none/unknown) | unruled called a ruled class | worst confusions |",
             "|---|---|---|---|---|"]
    data = {}
    for snr, pairs in results.items():
        on = [(t, p) for t, p in pairs if t in ruled]
        off = [(t, p) for t, p in pairs if t not in ruled]
        acc = sum(t == p for t, p in on) / max(1, len(on))
        missed = sum(p in ("none", "unknown") for t, p in on) / max(1, len(on))
        false = sum(p in ruled for _t, p in off) / max(1, len(off))
        conf = Counter((t, p) for t, p in pairs if p != t and p in ruled)
        worst = ", ".join(f"{t}->{p} {n}" for (t, p), n in conf.most_common(6))
        lines.append(f"| {snr:g} | {acc:.3f} ({len(on)}) | {missed:.3f} | {false:.3f} ({len(off)}) | {worst} |")
        data[str(snr)] = {"ruled_accuracy": acc, "ruled_missed": missed, "unruled_false_ruled": false,
                          "pairs": [[t, p] for t, p in pairs]}
    return "\n".join(lines), data


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=3, help="draws of each class at each SNR")
    ap.add_argument("--snr", type=float, nargs="+", default=[20.0, 10.0, 5.0, 0.0])
    ap.add_argument("--classes", nargs="+", help="only these synthesised classes (default: all)")
    ap.add_argument("--seed", type=int, default=9000, help="the draws' seed (9000: the measured set)")
    ap.add_argument("--append", action="store_true", help="append the table to bench/RESULTS.md")
    ap.add_argument("--matrix", help="write every (true, predicted) pair as JSON here")
    args = ap.parse_args()
    if args.trials < 1 or args.trials > 20:
        sys.exit("--trials must be 1-20")
    from provoice_live.corpus.builder.sounds import SYNTH_CLASSES

    unknown = sorted(set(args.classes or ()) - set(SYNTH_CLASSES))
    if unknown:
        sys.exit(f"not synthesised classes: {', '.join(unknown)}")
    started = time.time()
    results = run(args.trials, args.snr, args.seed, args.classes)
    table, data = summarise(results)
    load = os.getloadavg()
    only = f" --classes {' '.join(args.classes)}" if args.classes else ""
    seed = f" --seed {args.seed}" if args.seed != 9000 else ""
    head = (f"`python bench/bench_sound_confusion.py --trials {args.trials} --snr {' '.join(f'{s:g}' for s in args.snr)}"
            f"{only}{seed}`"
            f" ({platform.machine()}, {os.cpu_count()} cores, load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f},"
            f" shared machine; {time.time() - started:.0f} s)")
    print(head)
    print(table)
    if args.matrix:
        with open(args.matrix, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1)
    if args.append:
        with open(os.path.join(os.path.dirname(__file__), "RESULTS.md"), "a", encoding="utf-8") as handle:
            handle.write(f"\n{head}\n\n{table}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
