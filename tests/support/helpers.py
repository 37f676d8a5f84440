"""Shared test helpers: speech-like audio without TTS, tiny corpora, a fake SessionIO."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from provoice_live.audio import write_wav


def buzz(seconds: float, rate: int = 16000, f0: float = 140.0, seed: int = 0) -> np.ndarray:
    """A voiced, syllable-modulated harmonic buzz that webrtcvad takes for speech."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    f = f0 * (1 + 0.05 * np.sin(2 * np.pi * 0.7 * t))
    phase = 2 * np.pi * np.cumsum(f) / rate
    x = sum(np.sin(k * phase) / k for k in range(1, 25))
    am = 0.55 + 0.45 * np.sin(2 * np.pi * 4.0 * t + rng.uniform(0, 6))
    return (0.25 * x / np.max(np.abs(x)) * am).astype(np.float32)


def timeline(parts: list[tuple[str, float]], rate: int = 16000) -> np.ndarray:
    """Concatenate ("speech"|"silence", seconds) parts."""
    out = []
    for i, (kind, sec) in enumerate(parts):
        if kind == "speech":
            out.append(buzz(sec, rate, seed=i))
        else:
            out.append(np.zeros(int(sec * rate), dtype=np.float32))
    return np.concatenate(out)


def make_corpus(root: Path, samples: list[dict], rate: int = 16000) -> Path:
    """Write a corpus: each sample dict may carry `_audio` (an array) next to its manifest fields."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "audio").mkdir(exist_ok=True)
    lines = []
    for s in samples:
        s = dict(s)
        audio = s.pop("_audio", None)
        s.setdefault("audio", f"audio/{s['id']}.wav")
        if audio is not None:
            write_wav(root / s["audio"], audio, rate)
        lines.append(json.dumps(s))
    (root / "manifest.jsonl").write_text("\n".join(lines) + "\n")
    return root


def sample(id: str, task: str = "LTM", label: bool = True, cue=(3.0, 4.0), **kw) -> dict:
    d = {"id": id, "task": task, "label": label, "semantic_cue": "test scene",
         "cue": {"start_s": cue[0], "end_s": cue[1]} if cue else None,
         "gt_response": "reply" if label else "", "tools": [], "gt_tool_calls": []}
    d.update(kw)
    return d
