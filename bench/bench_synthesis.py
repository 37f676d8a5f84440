"""Corpus synthesis speed: seconds of audio produced per second of wall time, stage by stage.

One process (one core). Stages:
- tts: eSpeak NG speaking varied lines with every voice (22050 Hz output, silence trimmed);
- acoustics+assembly: given the speech already synthesised, resampling to 16 kHz, -20 dBFS
  normalisation, User2 far-field (shelf, stochastic-RIR reverb, attenuation), the paper's gaps
  and the additive mix; audio counted is the assembled conversation;
- noise: a synthesised ambient bed (street, cafe, home, office in turn) mixed at 15 dB SNR;
- render_script: the whole audio half of the builder end to end (eSpeak, sounds, noise).
Goal: acoustics and assembly at least 100x real time.

    python bench/bench_synthesis.py --scripts 40
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from provoice_live.audio import resample
from provoice_live.corpus.builder.acoustics import far_field, near_field
from provoice_live.corpus.builder.assembly import Piece, add_ambient, assemble
from provoice_live.corpus.builder.noise import SYNTH_SCENES, SynthNoiseBank
from provoice_live.corpus.builder.render import render_script
from provoice_live.corpus.builder.script import Line, Script, Speaker
from provoice_live.corpus.builder.sounds import SynthSoundBank
from provoice_live.corpus.builder.tts import ESPEAK_VOICES, EspeakTTS, pick_voices

LINES = (
    "Are we still on for lunch with Maria on Thursday?",
    "I think the appointment was moved to half past three, but I am not sure.",
    "Could you remind me to pick up the dry cleaning after work?",
    "The flight lands at six, so we should leave the house by five.",
    "Honestly, I have been meaning to call the dentist for weeks.",
    "Let me know if the doorbell rings, I am expecting a delivery.",
    "We could try that new Thai place near the station.",
    "My sister said the concert starts at eight, not seven.",
)
RATE = 16000


def script(seed: int) -> Script:
    rng = np.random.default_rng(seed)
    genders = rng.choice(["male", "female"], 2)
    lines = [Line(speaker="user1", text=LINES[seed % len(LINES)], role="instruction")]
    for k in range(6):
        lines.append(Line(speaker="user2" if k % 2 == 0 else "user1", text=LINES[(seed + k + 1) % len(LINES)]))
    lines.insert(5, Line(speaker="sound", sound=["doorbell", "smoke alarm", "kettle"][seed % 3], role="cue"))
    return Script(speakers=[Speaker(id="user1", gender=genders[0]), Speaker(id="user2", gender=genders[1])],
                  lines=lines, ambient=list(SYNTH_SCENES)[seed % len(SYNTH_SCENES)])


def timed(fn):
    t0, c0 = time.perf_counter(), time.process_time()
    audio_s = fn()
    return audio_s, time.perf_counter() - t0, time.process_time() - c0


def bench_tts(tts: EspeakTTS, n: int) -> tuple[float, float, float]:
    voices = [v for g in ("male", "female") for v in ESPEAK_VOICES[g]]

    def run() -> float:
        return sum(len(tts.synth(LINES[i % len(LINES)], voices[i % len(voices)])) for i in range(n)) / tts.rate
    return timed(run)


def bench_acoustics_assembly(tts: EspeakTTS, n: int) -> tuple[float, float, float]:
    scripts = [script(i) for i in range(n)]
    sounds = SynthSoundBank()
    cache = {}  # speech made before the clock starts: this stage alone is measured
    for i, s in enumerate(scripts):
        voices = pick_voices(s.speakers, np.random.default_rng(i))
        for line in s.lines:
            if line.speaker != "sound":
                cache[(i, line.text, line.speaker)] = tts.synth(line.text, voices[line.speaker])
    clips = {i: sounds.draw(s.lines[5].sound, RATE, np.random.default_rng(i))[0] for i, s in enumerate(scripts)}

    def run() -> float:
        total = 0
        for i, s in enumerate(scripts):
            rng = np.random.default_rng(i)
            pieces = []
            for line in s.lines:
                if line.speaker == "sound":
                    pieces.append(Piece("sound", near_field(clips[i])))
                    continue
                x = near_field(resample(cache[(i, line.text, line.speaker)], tts.rate, RATE))
                length = len(x)
                if line.speaker == "user2":
                    x, _ = far_field(x, RATE, rng)
                pieces.append(Piece(line.speaker, x, length=length))
            total += len(assemble(pieces, RATE, rng).audio)
        return total / RATE
    return timed(run)


def bench_noise(n: int, seconds: float = 40.0) -> tuple[float, float, float]:
    bank = SynthNoiseBank()
    bank.babble_streams(RATE)  # the once-per-process babble cache is not part of the per-sample cost
    scenes = list(SYNTH_SCENES)
    speech = np.zeros(int(seconds * RATE), dtype=np.float32)

    def run() -> float:
        for i in range(n):
            bed, _ = bank.draw(scenes[i % len(scenes)], len(speech), RATE, np.random.default_rng(i))
            add_ambient(speech, bed, 15.0)
        return n * seconds
    return timed(run)


def bench_render(tts: EspeakTTS, n: int) -> tuple[float, float, float]:
    sounds, noise = SynthSoundBank(), SynthNoiseBank(tts=tts)
    noise.babble_streams(RATE)

    def run() -> float:
        return sum(render_script(script(i), np.random.default_rng(i), tts=tts, sounds=sounds, noise=noise).duration_s
                   for i in range(n))
    return timed(run)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scripts", type=int, default=40, help="scripts (8 lines + a sound) per stage")
    args = ap.parse_args()
    tts = EspeakTTS()
    tts.synth("warm up", ESPEAK_VOICES["male"][0])
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("| stage | audio s | wall s | x real time, wall | x real time, per CPU second |\n|---|---|---|---|---|")
    stages = (
        ("tts (eSpeak NG)", lambda: bench_tts(tts, args.scripts * 7)),
        ("acoustics + assembly", lambda: bench_acoustics_assembly(tts, args.scripts)),
        ("ambient noise bed + mix", lambda: bench_noise(args.scripts)),
        ("render_script end to end", lambda: bench_render(tts, args.scripts)),
    )
    for name, fn in stages:
        audio_s, wall, cpu = fn()
        print(f"| {name} | {audio_s:.0f} | {wall:.2f} | {audio_s / wall:.0f}x | {audio_s / cpu:.0f}x |", flush=True)


if __name__ == "__main__":
    main()
