"""The cue locator on the builder's scripts: lines of a render, word timings, and the recovery check.

- `spoken_lines(script, segments, line_words)`: the locator's input from a render (`Rendered.segments`
  are the script's lines in order, then the noise bed). `line_words` maps a script line's index to its
  word timings relative to the line's start, as the TTS reports them; lines without get the
  recogniser's words on demand (`asr_word_timer`) or a proportional estimate.
- `asr_word_timer(audio, rate)`: faster-whisper word timestamps on one line's stretch of the mix.
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

from ..locator import CueFacts, CueLocation, Recovery, SpokenLine, WordTiming, locate_cue, strip_quotes
from ..sample import CueWindow, Segment
from .script import Scene, Script

SECONDS_PER_CHAR = 0.065  # eSpeak at ~170 words a minute, for `timing="text"`
SOUND_S = 3.0


def spoken_lines(script: Script, segments: Sequence[Segment],
                 line_words: Mapping[int, Sequence[WordTiming]] | None = None,
                 words_from: str = "tts") -> list[SpokenLine]:
    """The locator's lines for a rendered script (segments in script order, noise excluded)."""
    placed = [s for s in segments if s.kind != "noise"]
    if len(placed) != len(script.lines):
        raise ValueError(f"{len(placed)} segments for {len(script.lines)} script lines")
    out = []
    for i, (line, seg) in enumerate(zip(script.lines, placed)):
        words = tuple(line_words.get(i, ())) if line_words else ()
        text = line.sound or "" if line.speaker == "sound" else line.text
        out.append(SpokenLine(line.speaker, text, seg.start_s, seg.end_s, words, words_from if words else ""))
    return out


def asr_word_timer(audio: np.ndarray, rate: int, pad_s: float = 0.15) -> Callable:
    """A `WordTimer`: the recogniser's words on one line's stretch of `audio` (relative to the line)."""

    def timer(index: int, line: SpokenLine):
        from ...asr import transcribe

        a = max(0, int((line.start_s - pad_s) * rate))
        b = min(len(audio), int((line.end_s + pad_s) * rate))
        if b - a < rate // 10:
            return None
        offset = a / rate - line.start_s
        words = [WordTiming(w.text, w.start_s + offset, w.end_s + offset)
                 for u in transcribe(audio[a:b], rate, word_timestamps=True, temperature=0.0) for w in u.words]
        return (words, "asr") if words else None

    return timer


def locate_in_render(scene: Scene, rendered: Any) -> CueLocation:
    """The cue of a rendered scene, found by the locator (the scene's "cue" role is not used)."""
    lines = spoken_lines(scene.script, rendered.segments, getattr(rendered, "line_words", None))
    return locate_cue(lines, CueFacts.of(scene), word_timer=asr_word_timer(rendered.audio, rendered.rate))


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
