"""The timing of a release clip: monitoring start and cue window, found in the audio (`derived`).

`locate(record, x, rate)`: the instruction turn's end is `monitor_from_s`; the cue is located by
`corpus.locator.locate_cue` over the aligned turns (the sentences that carry the cue), or for a
sound cue, the loudest energetic stretch outside speech after monitoring starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..sample import CueWindow
from .alignment import Levels, align_turns, heard_words, sound_regions
from .records import Record

@dataclass
class Located:
    cue: CueWindow | None
    monitor_from_s: float
    method: str
    notes: list[str] = field(default_factory=list)


def locate(rec: Record, x, rate: int) -> Located:
    """The derived cue window and monitoring start of an official clip."""
    speech_turns = [(i, t) for i, t in enumerate(rec.turns) if t.speaker != "sound"]
    texts = [t.text for _, t in speech_turns]
    words = heard_words(x, rate, lambda ws: align_turns(ws, texts)[-1] is None if texts else False)
    levels = Levels.of(x, rate)
    spans = [levels.trim(sp) if sp else None for sp in align_turns(words, texts)]
    span_of = {i: spans[k] for k, (i, _) in enumerate(speech_turns)}
    notes: list[str] = []
    monitor = 0.0
    k = rec.instruction_turn
    if k is not None:
        if span_of.get(k):
            monitor = span_of[k][1]
        else:
            notes.append("instruction turn not found in the audio; monitoring from 0")
    cue, method = None, "none"
    c = rec.cue_turn
    if c is not None and rec.turns[c].speaker == "sound":
        speech = [(w.start_s, w.end_s) for w in words]
        regions = sound_regions(x, rate, speech, after_s=monitor)
        if regions:
            start, end, _ = regions[0]
            cue, method = CueWindow(start_s=start, end_s=end, derived=True), "sound-outside-speech"
    elif c is not None and span_of.get(c):
        start, end = span_of[c]
        cue, method = CueWindow(start_s=max(start, monitor), end_s=max(end, monitor), derived=True), "whisper-align"
    if rec.label and cue is None:
        notes.append("cue not found in the audio")
    return Located(cue, round(monitor, 3), method, notes)
