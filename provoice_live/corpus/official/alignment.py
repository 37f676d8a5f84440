"""Finding a release clip's timing in its audio: recognised words, turns aligned to them, frame
levels and the energetic stretches outside speech (sound events).

The clips carry no timestamps. `heard_words` transcribes a clip with faster-whisper word timestamps
(re-transcribing the tail when the recogniser stops early); `align_turns` spans each scripted turn
over the heard words; `Levels` trims spans to active frames; `sound_regions` finds sound events.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Callable

from ..locator import indexed_tokens

def _main_run(indices: list[int], words: list[Any], max_skip: int = 4, max_pause_s: float = 1.5) -> list[int]:
    """The largest run of matched word indices with no jump over `max_skip` words or `max_pause_s`."""
    runs: list[list[int]] = [[indices[0]]]
    for i in indices[1:]:
        prev = runs[-1][-1]
        if i - prev > max_skip or words[i].start_s - words[prev].end_s > max_pause_s:
            runs.append([i])
        else:
            runs[-1].append(i)
    return max(runs, key=len)


def align_turns(words: list[Any], turns: list[str]) -> list[tuple[float, float] | None]:
    """Each turn's span in the audio from ASR words (`.text`, `.start_s`, `.end_s`).

    The reference words of all turns are aligned with the heard words (difflib); a turn spans its
    matched words. Unmatched (misheard) words between two turns go to one side or the other of the
    longest pause among them; those before the first turn or after the last join it unless a pause
    over 1.5 s separates them.
    """
    hyp, hyp_word = indexed_tokens(w.text for w in words)
    ref, owner = indexed_tokens(turns)
    matched: dict[int, list[int]] = {}
    for block in difflib.SequenceMatcher(a=ref, b=hyp, autojunk=False).get_matching_blocks():
        for k in range(block.size):
            matched.setdefault(owner[block.a + k], []).append(hyp_word[block.b + k])
    for ti, ws in matched.items():  # stray matches of common words elsewhere: keep the main run
        matched[ti] = _main_run(sorted(set(ws)), words)
    lo = {ti: min(ws) for ti, ws in matched.items()}
    hi = {ti: max(ws) for ti, ws in matched.items()}
    order = sorted(lo, key=lo.get)
    pause = lambda i: words[i + 1].start_s - words[i].end_s  # the pause after heard word i
    for a, b in zip(order, order[1:]):  # unmatched words between two turns: split at the longest pause
        if lo[b] > hi[a] + 1:
            cut = max(range(hi[a], lo[b]), key=pause)
            hi[a], lo[b] = cut, cut + 1
    if order:  # the first and last turns take the misheard words at their outer edges
        first, last = order[0], order[-1]
        while lo[first] > 0 and pause(lo[first] - 1) < 1.5:
            lo[first] -= 1
        while hi[last] + 1 < len(words) and pause(hi[last]) < 1.5:
            hi[last] += 1
    return [(words[lo[t]].start_s, words[hi[t]].end_s) if t in lo else None for t in range(len(turns))]


FRAME_MS = 30
ACTIVE_DB = 9.0  # a frame is active when this far above the clip's noise floor


@dataclass
class Levels:
    """Frame levels of a clip (30 ms frames at 16 kHz): `level` dB per frame, the noise `floor`
    (the 10th-percentile frame level) and the frames' start times `t`."""

    x: Any  # the clip at 16 kHz
    t: Any
    level: Any
    floor: float
    n: int  # samples per frame

    @classmethod
    def of(cls, x, rate: int) -> "Levels":
        import numpy as np

        from ...audio import resample

        x = resample(x, rate, 16000) if rate != 16000 else x
        n = 16000 * FRAME_MS // 1000
        frames = len(x) // n
        grid = np.asarray(x[: frames * n], dtype=np.float64).reshape(frames, n)
        level = 10 * np.log10(np.mean(grid ** 2, axis=1) + 1e-12) if frames else np.zeros(0)
        return cls(x, np.arange(frames) * FRAME_MS / 1000.0, level,
                   float(np.percentile(level, 10)) if frames else 0.0, n)

    @property
    def active(self):
        return self.level > self.floor + ACTIVE_DB

    def trim(self, span: tuple[float, float]) -> tuple[float, float]:
        """Shrink a span to its first and last active frames (ASR word times run over at the edges)."""
        import numpy as np

        inside = np.flatnonzero(self.active & (self.t >= span[0] - 0.01) & (self.t + FRAME_MS / 1000 <= span[1] + 0.01))
        if len(inside) == 0:
            return span
        return float(self.t[inside[0]]), float(self.t[inside[-1]] + FRAME_MS / 1000)


def _runs(flags, t, gap_s: float) -> list[tuple[float, float]]:
    """Spans of consecutive true frames, bridging gaps up to `gap_s`."""
    import numpy as np

    out: list[list[float]] = []
    for i in np.flatnonzero(flags):
        start, end = float(t[i]), float(t[i] + FRAME_MS / 1000.0)
        if out and start - out[-1][1] <= gap_s:
            out[-1][1] = end
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]


def sound_regions(x, rate: int, speech: list[tuple[float, float]], after_s: float = 0.0,
                  use_vad: bool = True, min_s: float = 0.09, merge_s: float = 2.0) -> list[tuple[float, float, float]]:
    """Energetic stretches outside speech, after `after_s`: [(start, end, energy)], loudest first.

    A frame (30 ms) counts when it is active (`ACTIVE_DB` over the noise floor) and not speech:
    not from 0.2 s before to 0.6 s after a recognised word (`speech`: the reverberation tail), nor (when `use_vad`) in a run of webrtcvad
    speech frames that holds a recognised word. (webrtcvad alone calls many tonal sounds speech, so
    its runs count as speech only where the recogniser heard words.)
    Frames closer than `merge_s` are merged into one stretch (events pause inside: knocks come in
    groups, phones ring in a cadence).
    """
    import numpy as np
    import webrtcvad

    from ...audio import to_pcm16

    lv = Levels.of(x, rate)
    frames, n, t = len(lv.level), lv.n, lv.t
    if frames == 0:
        return []
    keep = lv.active & (t >= after_s)
    near = lambda s, e, before, after: (t + FRAME_MS / 1000.0 > s - before) & (t < e + after)
    for s, e in speech:
        keep &= ~near(s, e, 0.2, 0.6)  # after a word: its reverberation tail
    if use_vad:  # webrtcvad's speech runs that hold recognised words are speech too (their edges)
        vad = webrtcvad.Vad(3)
        pcm = to_pcm16(lv.x[: frames * n])
        voiced = np.array([vad.is_speech(pcm[2 * i * n: 2 * (i + 1) * n], 16000) for i in range(frames)])
        for start, end in _runs(voiced, t, gap_s=0.3):
            if any(s < end and e > start for s, e in speech):
                keep &= ~near(start, end, 0.0, 0.0)
    regions: list[list[float]] = []
    for i in np.flatnonzero(keep):
        start, end = t[i], t[i] + FRAME_MS / 1000.0
        power = float(10 ** (lv.level[i] / 10))
        if regions and start - regions[-1][1] <= merge_s:
            regions[-1][1] = end
            regions[-1][2] += power
        else:
            regions.append([start, end, power])
    out = [(float(s), float(e), p) for s, e, p in regions if e - s >= min_s]
    return sorted(out, key=lambda r: -r[2])


def heard_words(x, rate: int, missing_last: Callable[[list], bool], passes: int = 4) -> list:
    """ASR words of a clip with timestamps. Whisper sometimes stops early (a far-field voice after a
    near one): while `missing_last(words)` says the last turn was not heard and audio remains, the
    rest of the clip after the last heard word is transcribed again."""
    from ...asr import transcribe

    duration = len(x) / rate
    words: list = []
    start = 0.0
    for _ in range(passes):
        utterances = transcribe(x[int(start * rate):], rate, word_timestamps=True, offset_s=start)
        new = [w for u in utterances for w in u.words if w.start_s >= start - 0.05]
        words += new
        if not new or not missing_last(words) or words[-1].end_s > duration - 1.0:
            break
        start = words[-1].end_s
    return words
