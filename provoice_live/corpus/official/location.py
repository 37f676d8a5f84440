"""The timing of a release clip: monitoring start and cue window, found in the audio (`derived`).

`locate(record, x, rate)`: the instruction turn's end is `monitor_from_s`; a spoken cue is located by
`corpus.locator.locate_cue` over the turns aligned to the recogniser's words (the sentences that
carry the cue, timed by the heard words), a sound cue as the loudest energetic stretch outside
speech after monitoring starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..locator import CueFacts, TimedLine, WordTiming, locate_cue
from ..sample import CueWindow
from .alignment import Levels, align_turns, heard_words, sound_regions
from .records import Record

@dataclass
class Located:
    cue: CueWindow | None
    monitor_from_s: float
    method: str
    notes: list[str] = field(default_factory=list)
    confidence: float | None = None  # the cue locator's, when it placed the cue
    location: dict | None = None  # the locator's record (`CueLocation.record()`)


def turn_lines(rec: Record, words: list, spans: dict[int, tuple[float, float] | None]) -> list[TimedLine]:
    """The located speech turns as the cue locator's lines, with the heard words inside each span
    (times relative to the turn's start, `words_from="asr"`). Turns not found are left out."""
    out = []
    for i, turn in enumerate(rec.turns):
        span = spans.get(i)
        if turn.speaker == "sound" or not span:
            continue
        inside = tuple(WordTiming(text=w.text, start_s=max(0.0, w.start_s - span[0]), end_s=max(0.0, w.end_s - span[0]))
                       for w in words if w.start_s >= span[0] - 0.05 and w.end_s <= span[1] + 0.3)
        out.append(TimedLine(turn.speaker, turn.text, span[0], span[1], inside, "asr"))
    return out


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
    cue, method, found = None, "none", None
    c = rec.cue_turn
    if c is not None and rec.turns[c].speaker == "sound":
        speech = [(w.start_s, w.end_s) for w in words]
        regions = sound_regions(x, rate, speech, after_s=monitor)
        if regions:
            start, end, _ = regions[0]
            cue, method = CueWindow(start_s=start, end_s=end, derived=True), "sound-outside-speech"
    elif c is not None:  # the cue's words among the located turns (not the whole last turn)
        found = locate_cue(turn_lines(rec, words, span_of), CueFacts.of(rec))
        if found.window is not None:
            w = found.window
            cue = CueWindow(start_s=max(w.start_s, monitor), end_s=max(w.end_s, monitor), derived=True)
            method = "whisper-align+" + found.how
            notes += list(found.notes)
    if rec.label and cue is None:
        notes.append("cue not found in the audio")
    return Located(cue, round(monitor, 3), method, notes, found.confidence if found else None,
                   found.record() if found else None)
