"""The cue locator on the builder's scripts: lines of a render, word timings, and the recovery check.

- `spoken_lines(script, segments)`: the locator's input from a render (`Rendered.segments` are the
  script's lines in order, then the noise bed), with the TTS's word timings the segments hold; lines
  without get the recogniser's words on demand (`dry_word_timer`, `asr_word_timer`) or a
  proportional estimate.
- `dry_word_timer(script, voices, tts)`: faster-whisper word timestamps on a line spoken again dry;
  `asr_word_timer(audio, rate)`: the same on one line's stretch of the mix.
- `locate_in_render(scene, rendered)`: what the pipeline calls for a scene whose cue is to be found
  (`meta.locate_cue`, the re-voiced official release).
- `check_templates(counts, seed)`: the locator run on our template scripts, whose cue line the
  builder knows exactly, without telling it which line that is: the recovery rate (IoU >= 0.8) per
  task and label. `timing="text"` places the lines with the real assembly rule and text-length
  durations (fast, for tests: it measures what the locator picks); `bench/bench_cue_locator.py`
  also renders the audio.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..locator import CueFacts, CueLocation, Recovery, TimedLine, WordTiming, locate_cue, strip_quotes
from ..sample import CueWindow, Segment
from .script import Scene, Script

SECONDS_PER_CHAR = 0.065  # eSpeak at ~170 words a minute, for `timing="text"`
SOUND_S = 3.0


def spoken_lines(script: Script, segments: Sequence[Segment], words_from: str = "tts") -> list[TimedLine]:
    """The locator's lines for a rendered script (segments in script order, noise excluded), with
    each speech segment's words (`Segment.words`, absolute) made relative to the line's start."""
    placed = [s for s in segments if s.kind != "noise"]
    if len(placed) != len(script.lines):
        raise ValueError(f"{len(placed)} segments for {len(script.lines)} script lines")
    out = []
    for line, seg in zip(script.lines, placed):
        words = tuple(WordTiming(text=w.text, start_s=max(0.0, w.start_s - seg.start_s),
                                 end_s=max(0.0, w.end_s - seg.start_s)) for w in seg.words or ())
        text = line.sound or "" if line.speaker == "sound" else line.text
        out.append(TimedLine(line.speaker, text, seg.start_s, seg.end_s, words, words_from if words else ""))
    return out


def asr_word_timer(audio: np.ndarray, rate: int, pad_s: float = 0.15, snap: bool = True) -> Callable:
    """A `WordTimer`: the recogniser's words on one line's stretch of `audio` (relative to the line).

    Whisper's word starts run late after a pause (0.13-0.21 s on eSpeak speech), so a word whose
    start follows a quiet stretch is moved back to the speech onset there (`snap_onsets`)."""

    def timer(index: int, line: TimedLine):
        from ...asr import transcribe

        a = max(0, int((line.start_s - pad_s) * rate))
        b = min(len(audio), int((line.end_s + pad_s) * rate))
        if b - a < rate // 10:
            return None
        stretch = audio[a:b]
        words = [w for u in transcribe(stretch, rate, word_timestamps=True, temperature=0.0) for w in u.words]
        offset = a / rate - line.start_s
        starts = snap_onsets(words, stretch, rate) if snap else [w.start_s for w in words]
        words = [WordTiming(text=w.text, start_s=max(0.0, s + offset), end_s=max(0.0, w.end_s + offset)) for w, s in zip(words, starts)]
        return (words, "asr") if words else None

    return timer


def dry_word_timer(script: Script, voices: Mapping[str, Any], tts: Any) -> Callable:
    """A `WordTimer` for a rendered script whose TTS reports no word timings: the line spoken again,
    dry (no room, no noise), transcribed with word timestamps, starts snapped to onsets
    (`snap_onsets`), and stretched to the rendered line's length (a TTS may differ by a few ms
    between two syntheses of one line)."""

    def timer(index: int, line: TimedLine):
        from ...asr import transcribe

        spoken = script.lines[index]
        audio = tts.synth(spoken.text, voices[spoken.speaker])
        if len(audio) < tts.rate // 10:
            return None
        words = [w for u in transcribe(audio, tts.rate, word_timestamps=True, temperature=0.0) for w in u.words]
        scale = (line.end_s - line.start_s) / (len(audio) / tts.rate)
        starts = snap_onsets(words, audio, tts.rate)
        timed = [WordTiming(text=w.text, start_s=max(0.0, s) * scale, end_s=max(0.0, w.end_s) * scale) for w, s in zip(words, starts)]
        return (timed, "asr-dry") if timed else None

    return timer


def snap_onsets(words: Sequence[Any], x: np.ndarray, rate: int, back_s: float = 0.35) -> list[float]:
    """Each word's start, moved back to the last speech onset (an active frame after a quiet one,
    `Levels`: 30 ms frames, 9 dB over the stretch's noise floor) within `back_s` before it, if any."""
    from ..official.alignment import FRAME_MS, Levels

    lv = Levels.of(x, rate)
    active = lv.active
    onsets = [float(lv.t[k]) for k in range(1, len(active)) if active[k] and not active[k - 1]]
    out = []
    for w in words:
        near = [t for t in onsets if w.start_s - back_s <= t <= w.start_s + FRAME_MS / 1000]
        out.append(near[-1] if near else w.start_s)
    return out


def locate_in_render(scene: Scene, rendered: Any, tts: Any = None) -> CueLocation:
    """The cue of a rendered scene, found by the locator (the scene's "cue" role is not used).

    Word timings: the TTS's, as the render's segments hold them (`Segment.words`); for a line
    without, with `tts`, the recogniser on the line spoken again dry (`dry_word_timer`); else the
    recogniser on the mix (`asr_word_timer`); else a proportional estimate (labelled)."""
    lines = spoken_lines(scene.script, rendered.segments)
    timer = (dry_word_timer(scene.script, rendered.voices, tts) if tts is not None
             else asr_word_timer(rendered.audio, rendered.rate))
    return locate_cue(lines, CueFacts.of(scene), word_timer=timer)


def text_timeline(script: Script, rng: np.random.Generator) -> list[Segment]:
    """Segments placed by the real assembly rule, with durations from the text (no audio)."""
    from .assembly import PAPER_ASSEMBLY, Piece, place

    rate = 1000
    pieces = [Piece(ln.speaker, np.zeros(0, np.float32),
                    length=int((SOUND_S if ln.speaker == "sound" else SECONDS_PER_CHAR * len(ln.text)) * rate),
                    role=ln.role) for ln in script.lines]
    return [Segment(kind=p.piece.kind, start_s=p.start / rate, end_s=p.end / rate)
            for p in place(pieces, rate, rng, PAPER_ASSEMBLY)]


def truth_of(script: Script, segments: Sequence[Segment]) -> CueWindow | None:
    placed = [s for s in segments if s.kind != "noise"]
    k = next((i for i, ln in enumerate(script.lines) if ln.role == "cue"), None)
    return None if k is None else CueWindow(start_s=placed[k].start_s, end_s=placed[k].end_s)


def check_templates(counts: dict[tuple[str, bool], int], seed: int, *, with_quotes: bool = True,
                    render: Callable[[Scene, int], tuple[list[Segment], Any]] | None = None,
                    on_result: Callable[[Scene, CueWindow, CueLocation, float], None] | None = None) -> Recovery:
    """Recovery of the template scripts' cue windows (see the module docstring).

    `with_quotes=False` removes the quoted passages from the semantic cue, leaving the locator its
    content method alone. `render(scene, seed) -> (segments, word_timer)` replaces the text timeline
    (the bench renders with the TTS)."""
    from .scenes import make_scene, plan

    recovery = Recovery()
    for item in plan(counts, seed):
        scene = make_scene(item.template, item.label, item.seed, item.id)
        if not with_quotes:
            scene = scene.model_copy(update={"semantic_cue": strip_quotes(scene.semantic_cue)})
        if render is None:
            segments, timer = text_timeline(scene.script, np.random.default_rng(item.seed)), None
        else:
            segments, timer = render(scene, item.seed)
        truth = truth_of(scene.script, segments)
        if truth is None:
            continue
        found = locate_cue(spoken_lines(scene.script, segments), CueFacts.of(scene), word_timer=timer)
        score = recovery.add(scene.task, scene.label, truth, found)
        if on_result:
            on_result(scene, truth, found, score)
    return recovery
