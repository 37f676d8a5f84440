"""The offline agent's decisions on a scene's exact words (no audio): fast evaluation of understanding.

`decide_on_scene(scene)` feeds a `Mind` the scene's lines in order, as if recognition were perfect:
a spoken line is `Mind.hear(text)`, a sound line is `Mind.sound(label)` with the label a perfect
detector would give (the detector's class for the sound's name, "unknown" for classes it has none
for). Pauses (`Mind.pause()`, where decisions waiting for the floor are said) are where the audio
has them: before a sound (the builder's sound gap is 2.5-20 s) and after the last line; the talk
gaps between lines (0.75 s on average, at most 2.5 s) are taken as no pause. It returns what the
agent said and after which line. `score_scenes` turns many scenes into
the paper's Recall / FPR / Accuracy per task: a positive is caught when the agent speaks at or after
its cue line, a negative is a false positive when the agent speaks at all after the request.

Each line is heard with whose voice it is (`own`: the speaker of the standing request, the wearer).
This isolates the language rules from hearing: the audio-level runs (`provoice-live run`) include both.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from ...corpus.builder.script import Scene
from ...sound_classes import sound_class
from .understanding.mind import DETECTABLE, Intervention, Mind


@dataclass
class SceneOutcome:
    id: str
    task: str
    label: bool
    cue_line: int | None
    decisions: list[tuple[int, Intervention]] = field(default_factory=list)  # (line index, decision)

    @property
    def intervened(self) -> bool:
        return bool(self.decisions)

    @property
    def correct(self) -> bool:
        if not self.label:
            return not self.decisions
        return any(i >= (self.cue_line or 0) for i, _ in self.decisions)

    @property
    def premature(self) -> int:
        return sum(1 for i, _ in self.decisions if self.cue_line is not None and i < self.cue_line)


def detector_label(sound: str) -> str:
    """The class a perfect sound detector gives a scene's sound ("door_wood_knock" -> "door_knock")."""
    found = sound_class(sound)
    return found.name if found is not None and found.name in DETECTABLE else "unknown"


def decide_on_scene(scene: Scene, mind: Mind | None = None) -> SceneOutcome:
    mind = mind or Mind(scene.instruction, scene.digital_context, list(scene.tools))
    lines = scene.script.lines
    cue = next((i for i, ln in enumerate(lines) if ln.role == "cue"), None)
    out = SceneOutcome(scene.id, scene.task, scene.label, cue)
    # the wearer: who speaks the standing request (User1, the paper's wearer, when there is none)
    wearer = next((ln.speaker for ln in lines if ln.role == "instruction"), "user1")
    for i, line in enumerate(lines):
        if line.speaker == "sound":
            # a sound comes after a long gap (the builder's 2.5-20 s): a pause, where waiting decisions are said
            out.decisions.extend((i - 1, w) for w in mind.pause())
            d = mind.sound(detector_label(line.sound or ""), 1.0, True, 2.0)
        else:
            d = mind.hear(line.text, own=line.speaker == wearer)
        if d is not None:
            out.decisions.append((i, d))
    out.decisions.extend((len(lines) - 1, w) for w in mind.pause())  # the talk ends: a pause
    return out


def score_outcomes(outcomes: Iterable[SceneOutcome]) -> dict[str, dict[str, Any]]:
    """Recall / FPR / Accuracy per task and "Overall" (pooled over scenes)."""
    groups: dict[str, list[SceneOutcome]] = defaultdict(list)
    for o in outcomes:
        groups[o.task].append(o)
        groups["Overall"].append(o)
    table = {}
    for task, items in sorted(groups.items(), key=lambda kv: (kv[0] == "Overall", kv[0])):
        pos = [o for o in items if o.label]
        neg = [o for o in items if not o.label]
        table[task] = {
            "n": len(items),
            "recall": sum(o.correct for o in pos) / len(pos) if pos else None,
            "fpr": sum(o.intervened for o in neg) / len(neg) if neg else None,
            "accuracy": sum(o.correct for o in items) / len(items) if items else None,
        }
    return table


__all__ = ["SceneOutcome", "decide_on_scene", "score_outcomes", "detector_label"]
