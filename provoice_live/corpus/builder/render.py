"""Render a script to audio with exact timing truth: speech, acoustics, sounds, assembly, noise.

`render_script(script, rng, tts=..., sounds=..., noise=...)` is the audio half of the builder:
1. voices: `pick_voices` gives User1 and User2 different voices of their script genders;
2. each line becomes a segment: speech by the TTS (silence trimmed, resampled to `rate`) or a sound
   event from the sound bank; every segment normalised to -20 dBFS (an impulsive sound event is
   capped at a 0.5 peak instead: `acoustics.sound_event`); User2 made far-field (shelf,
   reverberation, attenuation: `acoustics`);
3. the assembly places the segments with the paper's clipped Gaussian gaps (the gap before a sound
   event is the ESS one), mixes overlaps additively, and keeps `lead_in_s` before the first segment
   and `tail_s` after the last (so a VAD finds the last endpoint);
4. ambient noise over the whole length at `snr_db` below the segments' -20 dBFS (no noise when
   `noise` is None or `snr_db` is None);
4b. with `sound_snr_db` (an ESS loudness sweep), every sound event is rescaled so that its RMS over
   its nominal span is `sound_snr_db` dB above the RMS of everything else (speech, reverberant
   tails, the ambient bed) over the same span (`set_sound_levels`); `-inf` silences the events
   (the bed alone, to measure a built sample's level back);
5. the clipping guard: if the mix peaks above 0.99, the WHOLE mix is scaled down and the gain is
   reported in `Rendered.gain_db` (every segment's level is then -20 + gain_db dBFS; the SNR is kept).

Timing truth (`Rendered.segments`, `cue`, `monitor_from_s`) is the assembly's: sample-exact spans of
the dry segments, in seconds, and each speech segment's words (`Segment.words`, absolute times; the
TTS's word timings, see `tts.speak`) (a far-field line's reverberant tail rings on past its `end_s`, for
up to its RT60, under whatever follows). `cue` is the span of the line with role "cue"; `monitor_from_s` is the
end of the line with role "instruction" (0.0 if none).

Randomness: every stage draws from its own generator spawned from `rng`, so a change in one stage
(for instance a TTS whose output length varies) does not shift the draws of another.
A sound the bank cannot render raises `UnusableSound` (a `ProvoiceError` naming the sounds) before
any synthesis; `unusable_sounds(script, bank)` lists them without rendering.

`make_sound_bank(esc50_dir)` and `make_noise_bank(cochlscene_dir, tts)` build the usual banks: the
ESC-50 folder with our synthesised classes as fallback (or only ours), a CochlScene folder (or our
synthesised scenes). TTS objects and banks pickle, so they can be handed to worker processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ...audio import resample
from ...errors import ProvoiceError
from ..sample import CueWindow, Segment
from .acoustics import PAPER_ACOUSTICS, AcousticParams, far_field, near_field, sound_event
from .assembly import (PAPER_ASSEMBLY, AssemblyParams, Piece, add_ambient, assemble, guard_clipping, mix,
                       set_sound_levels)
from .noise import DEFAULT_SNR_DB, CochlSceneBank, NoiseBank, SynthNoiseBank
from .script import Script
from .sounds import Esc50SoundBank, SoundBank, SynthSoundBank, UnusableSound
from .tts import TTS, Voice, pick_voices, speak_lines


@dataclass
class Rendered:
    audio: np.ndarray            # float32 mono
    rate: int
    segments: list[Segment]      # speech and sound segments in script order, then the noise bed
    cue: CueWindow | None        # the span of the "cue" line
    monitor_from_s: float        # the end of the "instruction" line, else 0.0
    gain_db: float = 0.0         # the clipping guard's gain (0 unless the mix would have clipped)
    voices: dict[str, Voice] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)  # rt60 per far-field line, noise scene, snr

    @property
    def duration_s(self) -> float:
        return len(self.audio) / self.rate


def make_sound_bank(esc50_dir: str | Path | None = None) -> SoundBank:
    """ESC-50 clips by category when a folder is given (our classes for the rest), else ours."""
    return Esc50SoundBank(esc50_dir, fallback=SynthSoundBank()) if esc50_dir else SynthSoundBank()


def make_noise_bank(cochlscene_dir: str | Path | None = None, tts: TTS | None = None) -> NoiseBank:
    """A CochlScene (or any `<Class>/*.wav`) folder when given, else our synthesised scenes."""
    return CochlSceneBank(cochlscene_dir) if cochlscene_dir else SynthNoiseBank(tts=tts)


def unusable_sounds(script: Script, sounds: SoundBank) -> list[str]:
    """The sound names of the script's sound lines that the bank cannot render (in order, unique)."""
    missing: list[str] = []
    for line in script.lines:
        if line.speaker == "sound":
            name = line.sound or ""
            if (not name or sounds.resolve(name) is None) and name not in missing:
                missing.append(name)
    return missing


def _check(script: Script, sounds: SoundBank) -> None:
    ids = {s.id for s in script.speakers}
    for i, line in enumerate(script.lines):
        if line.speaker != "sound" and line.speaker not in ids:
            raise ProvoiceError(f"script line {i} is spoken by {line.speaker!r}, who is not among the speakers {sorted(ids)}")
        if line.speaker != "sound" and not line.text.strip():
            raise ProvoiceError(f"script line {i} ({line.speaker}) has no text")
    for role in ("cue", "instruction"):
        if sum(line.role == role for line in script.lines) > 1:
            raise ProvoiceError(f"the script has more than one line with role {role!r}")
    missing = unusable_sounds(script, sounds)
    if missing:
        raise UnusableSound(missing, repr(sounds))


def _pieces(script: Script, voices: dict[str, Voice], tts: TTS, sounds: SoundBank, rate: int,
            acoustics: AcousticParams, rngs: dict[str, np.random.Generator], meta: dict) -> list[Piece]:
    pieces = []
    said = [(line.text, voices[line.speaker]) for line in script.lines if line.speaker != "sound"]
    spoken_lines = iter(speak_lines(tts, said))
    for i, line in enumerate(script.lines):
        if line.speaker == "sound":
            audio, label = sounds.draw(line.sound or "", rate, rngs["sounds"])
            pieces.append(Piece("sound", sound_event(audio, acoustics), label=label, role=line.role))
            continue
        spoken = next(spoken_lines)
        speech = near_field(resample(spoken.audio, tts.rate, rate), acoustics)
        if len(speech) == 0:
            raise ProvoiceError(f"script line {i} ({line.speaker}) produced no audio: {line.text[:40]!r}")
        length = len(speech)
        if line.speaker == "user2":
            speech, rt60 = far_field(speech, rate, rngs["rooms"], acoustics)
            meta.setdefault("rt60_s", {})[i] = round(rt60, 4)
        pieces.append(Piece(line.speaker, speech, length=length, text=line.text, role=line.role, words=spoken.words))
    return pieces


def render_script(script: Script, rng: np.random.Generator, *, tts: TTS, sounds: SoundBank,
                  noise: NoiseBank | None, rate: int = 16000, snr_db: float | None = DEFAULT_SNR_DB,
                  acoustics: AcousticParams = PAPER_ACOUSTICS,
                  assembly: AssemblyParams = PAPER_ASSEMBLY, sound_snr_db: float | None = None) -> Rendered:
    """Speak, process, assemble and mix a script (see the module docstring)."""
    if not script.lines:
        raise ProvoiceError("the script has no lines")
    _check(script, sounds)
    stages = ("voices", "sounds", "rooms", "gaps", "noise")
    rngs = dict(zip(stages, rng.spawn(len(stages))))
    voices = pick_voices(script.speakers, rngs["voices"], tts.voice_pool, getattr(tts, "preferred_voices", ()))
    meta: dict[str, Any] = {}
    pieces = _pieces(script, voices, tts, sounds, rate, acoustics, rngs, meta)
    built = assemble(pieces, rate, rngs["gaps"], assembly)

    segments = [Segment(kind=p.piece.kind, start_s=p.start / rate, end_s=p.end / rate,
                        text=p.piece.text, label=p.piece.label, words=p.words_at(rate) or None)
                for p in built.placed]
    audio = built.audio
    sounds_apart = sound_snr_db is not None and any(p.piece.kind == "sound" for p in built.placed)
    if sounds_apart:  # the bed without the sound events; they are added back at their level below
        audio = mix([p for p in built.placed if p.piece.kind != "sound"], len(audio))
    if noise is not None and snr_db is not None:
        bed, scene = noise.draw(script.ambient, len(audio), rate, rngs["noise"])
        audio = add_ambient(audio, bed, snr_db, acoustics.target_dbfs)
        segments.append(Segment(kind="noise", start_s=0.0, end_s=len(audio) / rate, label=scene))
        meta.update(noise_scene=scene, snr_db=snr_db)
    if sounds_apart:
        audio = set_sound_levels(audio, [p for p in built.placed if p.piece.kind == "sound"], sound_snr_db)
        meta["sound_snr_db"] = sound_snr_db
    audio, gain_db = guard_clipping(audio)

    by_role = {p.piece.role: seg for p, seg in zip(built.placed, segments)}
    cue = by_role.get("cue")
    instruction = by_role.get("instruction")
    return Rendered(
        audio=audio, rate=rate, segments=segments,
        cue=CueWindow(start_s=cue.start_s, end_s=cue.end_s) if cue else None,
        monitor_from_s=instruction.end_s if instruction else 0.0,
        gain_db=gain_db, voices=voices, meta=meta,
    )
