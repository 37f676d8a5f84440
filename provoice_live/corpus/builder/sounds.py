"""Environmental sound events for ESS: synthesised classes, names, and an ESC-50 folder loader.

Contract:
- `SYNTH_CLASSES`: our class name -> a generator `(rate, rng) -> float32 mono` a few seconds long,
  with randomised variation (pitch, timing, count), peak about 0.5. Each is built to be told apart
  by a listener: its own frequency region and its own temporal pattern (see each docstring).
- Which classes exist, their ESC-50 categories and the names people use for them come from the
  one table `provoice_live.sound_classes`; `SYNTH_CLASSES` holds exactly the rows marked
  `synthesised`. `ESC50_TO_CLASS` maps every ESC-50 category to our synthesised class, or None.
  `synth_class(name)` resolves a class id, an ESC-50 category or a plain name to a synthesised
  class (or None).
- A `SoundBank` resolves a requested name to the label it will use (`resolve`, None when it cannot
  render it) and draws a clip (`draw`), raising `UnusableSound` naming the sound otherwise.
  `SynthSoundBank` synthesises; `Esc50SoundBank(folder, fallback=...)` reads an ESC-50 folder
  (`meta/esc50.csv`, `audio/*.wav`) and draws a clip of the category, silence trimmed, falling back
  to another bank (normally the synthesised one) for names with no ESC-50 category.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from ...audio import load_audio
from ...errors import ProvoiceError
from ...sound_classes import BY_ESC50, SOUND_CLASSES, sound_class
from .tts import trim_silence


class UnusableSound(ProvoiceError):
    """A script asks for a sound that the sound bank cannot render."""

    def __init__(self, sounds: list[str], bank: str):
        self.sounds = list(sounds)
        super().__init__(f"{bank} cannot render the sound(s) {', '.join(map(repr, self.sounds))}")


from .sound_synth import SYNTH_CLASSES, SoundFn  # noqa: F401  (re-exported: the bank's classes)

# ----------------------------------------------------------------------------------------------
# Names (all from the one table, `provoice_live.sound_classes`)
# ----------------------------------------------------------------------------------------------

# every ESC-50 category -> our synthesised class for it, None where the bank has none
ESC50_TO_CLASS: dict[str, str | None] = {
    esc: (c.name if c.name in SYNTH_CLASSES else None) for esc, c in sorted(BY_ESC50.items())}
CLASS_TO_ESC50: dict[str, str] = {c.name: c.esc50 for c in SOUND_CLASSES if c.esc50}


def synth_class(name: str | None) -> str | None:
    """Our synthesised class for a class id, an ESC-50 category or a name people use ("smoke
    alarm"); None if the name denotes no class or one the bank does not synthesise."""
    found = sound_class(name)
    return found.name if found is not None and found.name in SYNTH_CLASSES else None


def esc50_category(name: str | None) -> str | None:
    """The ESC-50 category for an ESC-50 name, one of our classes or a plain name; None if none."""
    found = sound_class(name)
    return found.esc50 if found is not None else None


def sound_report(skipped: list[dict], esc50: str | None = None) -> str:
    """The build report's line on sounds: how many ESC-50 classes the bank renders, and the samples
    skipped for a sound it cannot render, by sound (from the `skipped` records of kind "sound")."""
    ours = sum(v is not None for v in ESC50_TO_CLASS.values())
    missing = sorted(esc for esc, v in ESC50_TO_CLASS.items() if v is None)
    source = f"the ESC-50 folder {esc50} and the synthesised bank" if esc50 else "the synthesised bank"
    head = (f"sounds from {source}; synthesised: {ours} of {len(ESC50_TO_CLASS)} ESC-50 classes"
            f" (not synthesised: {', '.join(missing)})")
    counts: dict[str, int] = {}
    for s in skipped:
        if s.get("kind") == "sound":
            for name in s.get("sounds") or ["?"]:
                counts[name] = counts.get(name, 0) + 1
    if not counts:
        return head + "; no sample skipped for its sound"
    listed = ", ".join(f"{name} {n}" for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return head + f"; {sum(1 for s in skipped if s.get('kind') == 'sound')} sample(s) skipped for a sound: {listed}"


# ----------------------------------------------------------------------------------------------
# Banks
# ----------------------------------------------------------------------------------------------

@runtime_checkable
class SoundBank(Protocol):
    def resolve(self, name: str) -> str | None:
        """The label a draw of `name` would carry, or None when this bank cannot render it."""

    def draw(self, name: str, rate: int, rng: np.random.Generator) -> tuple[np.ndarray, str]:
        """A clip (float32 mono at `rate`, silence trimmed) and its label; UnusableSound if none."""


class SynthSoundBank:
    """Our synthesised classes; resolves class, ESC-50 and plain names."""

    def __repr__(self) -> str:
        return "SynthSoundBank()"

    def resolve(self, name: str) -> str | None:
        return synth_class(name)

    def draw(self, name: str, rate: int, rng: np.random.Generator) -> tuple[np.ndarray, str]:
        label = synth_class(name)
        if label is None:
            raise UnusableSound([name], "the synthesised sound bank")
        return trim_silence(SYNTH_CLASSES[label](rate, rng), rate, below_peak_db=50.0), label


ESC50_COLUMNS = ("filename", "fold", "target", "category", "esc10", "src_file", "take")


@lru_cache(maxsize=8)
def _read_esc50_meta(folder: str) -> dict[str, tuple[str, ...]]:
    meta = Path(folder) / "meta" / "esc50.csv"
    if not meta.is_file():
        raise ProvoiceError(f"{folder!r} is not an ESC-50 folder: {str(meta)!r} does not exist")
    with meta.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ("filename", "category") if c not in (reader.fieldnames or ())]
        if missing:
            raise ProvoiceError(f"{str(meta)!r} lacks the column(s) {missing}; ESC-50 has {list(ESC50_COLUMNS)}")
        by_category: dict[str, list[str]] = {}
        for row in reader:
            by_category.setdefault(row["category"].strip().lower(), []).append(row["filename"].strip())
    return {cat: tuple(sorted(files)) for cat, files in by_category.items()}


class Esc50SoundBank:
    """Clips from an ESC-50 folder (`meta/esc50.csv`, `audio/<filename>`), by category.

    A name resolves to an ESC-50 category directly, or through our class table; names with no
    category present in the folder go to `fallback` (e.g. `SynthSoundBank()`) when one is given."""

    def __init__(self, folder: str | Path, fallback: SoundBank | None = None):
        self.folder = Path(folder)
        self.fallback = fallback
        self.clips = _read_esc50_meta(str(self.folder))

    def __repr__(self) -> str:
        return f"Esc50SoundBank({str(self.folder)!r}, fallback={self.fallback!r})"

    def _category(self, name: str) -> str | None:
        category = esc50_category(name)
        return category if category in self.clips else None

    def resolve(self, name: str) -> str | None:
        category = self._category(name)
        if category is not None:
            return category
        return self.fallback.resolve(name) if self.fallback is not None else None

    def draw(self, name: str, rate: int, rng: np.random.Generator) -> tuple[np.ndarray, str]:
        category = self._category(name)
        if category is None:
            if self.fallback is None:
                raise UnusableSound([name], f"the ESC-50 folder {str(self.folder)!r}")
            return self.fallback.draw(name, rate, rng)
        files = self.clips[category]
        filename = files[int(rng.integers(len(files)))]
        x, _ = load_audio(self.folder / "audio" / filename, target_rate=rate)
        x = trim_silence(x, rate, below_peak_db=50.0)
        if len(x) == 0:
            raise UnusableSound([f"{name} ({filename} is silent)"], f"the ESC-50 folder {str(self.folder)!r}")
        return x, category
