"""Voices compared: the recogniser's word error rate and the synthesis speed of each voice.

Lines: the spoken lines of scenes our templates make (every template, both labels; never the
official release). Voices: eSpeak NG (a male and a female variant, the prosody the builder draws),
hibari-tts's "heart" (female) and Piper's en_US "joe" (male), through `NeuralTTS` exactly as the
builder uses them. Conditions: near field (the line normalised to -20 dBFS) and far field (the
builder's User2 processing: shelf, reverberation of a drawn room, -4 dB), each with the ambient
"home" bed at the builder's 15 dB SNR. The recogniser is the embedded agent's: faster-whisper
tiny.en, greedy, one thread, on clips of a few lines (up to ~20 s, 0.7 s apart). WER: word-level Levenshtein distance over the reference's words after
lower-casing, dropping punctuation and writing numbers as digits both sides.

Speed: seconds of speech per second of synthesis on one thread (the model load left out),
measured in this process; the machine's load is printed with it.

    python bench/bench_voices.py --lines 40
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import time
from dataclasses import replace

import numpy as np

from provoice_live.asr import transcribe
from provoice_live.audio import resample
from provoice_live.corpus.builder.acoustics import far_field, near_field
from provoice_live.corpus.builder.assembly import add_ambient
from provoice_live.corpus.builder.noise import DEFAULT_SNR_DB, SynthNoiseBank
from provoice_live.corpus.builder.scenes import make_scene
from provoice_live.corpus.builder.templates import REGISTRY
from provoice_live.corpus.builder.tts import ESPEAK_VOICES, HIBARI_VOICE, PIPER_JOE_VOICE, NeuralTTS

RATE = 16000
NUMBERS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}


def words(text: str) -> list[str]:
    text = text.lower().replace("%", " percent").replace("&", " and ")
    out = []
    for w in re.findall(r"[a-z0-9']+", re.sub(r"(\d)[:.,](\d)", r"\1 \2", text)):
        w = w.strip("'")
        if w:
            out.append(NUMBERS.get(w, w))
    return out


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def template_lines(n: int) -> list[str]:
    lines: list[str] = []
    for seed in range(50):
        for name in sorted(REGISTRY):
            for label in sorted(REGISTRY[name].labels):
                scene = make_scene(name, label, seed, "s0001")
                for line in scene.script.lines:
                    if line.speaker != "sound" and line.text not in lines and len(line.text.split()) >= 4:
                        lines.append(line.text)
                if len(lines) >= 4 * n:
                    break
    rng = np.random.default_rng(0)
    return [lines[i] for i in sorted(rng.choice(len(lines), size=min(n, len(lines)), replace=False))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=40)
    args = parser.parse_args()
    texts = template_lines(args.lines)
    tts = NeuralTTS()
    rng = np.random.default_rng(1)
    voices = {
        "espeak male": replace(ESPEAK_VOICES["male"][0], rate_wpm=170, pitch=50, range=55),
        "espeak female": replace(ESPEAK_VOICES["female"][6], rate_wpm=170, pitch=50, range=55),
        "hibari (female)": HIBARI_VOICE,
        "piper joe (male)": PIPER_JOE_VOICE,
    }
    for v in voices.values():  # load the models before timing
        tts.synth("Warm up.", v)
    bank = SynthNoiseBank()
    print(f"{len(texts)} lines, {sum(len(words(t)) for t in texts)} words; python {platform.python_version()}, "
          f"{os.cpu_count()} cpus, load before {os.getloadavg()}")
    print("| voice | WER near | WER far | speech x real time (1 thread) |")
    print("|---|---|---|---|")
    for name, voice in voices.items():
        errors = {"near": 0, "far": 0}
        total, audio_s, synth_s = 0, 0.0, 0.0
        clips: dict[str, list[np.ndarray]] = {"near": [], "far": []}
        refs: list[str] = []
        for i, text in enumerate(texts):
            t0 = time.perf_counter()
            x = tts.synth(text, voice)
            synth_s += time.perf_counter() - t0
            audio_s += len(x) / tts.rate
            near = near_field(resample(x, tts.rate, RATE))
            far, _ = far_field(near, RATE, rng)
            clips["near"].append(near)
            clips["far"].append(far)
            refs.append(text)
            if sum(len(c) for c in clips["near"]) > 18 * RATE or i == len(texts) - 1:
                ref = words(" ".join(refs))
                total += len(ref)
                for cond in ("near", "far"):  # several lines a clip: whisper pays for 30 s windows
                    gap = np.zeros(int(0.7 * RATE), np.float32)
                    y = np.concatenate([gap] + [p for c in clips[cond] for p in (c, gap)])
                    bed, _ = bank.draw("home", len(y), RATE, rng)
                    y = add_ambient(y, bed, DEFAULT_SNR_DB)
                    hyp = words(" ".join(u.text for u in transcribe(y, RATE, beam_size=1, temperature=0.0)))
                    errors[cond] += edit_distance(ref, hyp)
                clips, refs = {"near": [], "far": []}, []
        print(f"| {name} | {errors['near'] / total:.3f} | {errors['far'] / total:.3f} | {audio_s / synth_s:.1f} |",
              flush=True)
    print(f"load after {os.getloadavg()}")


if __name__ == "__main__":
    main()
