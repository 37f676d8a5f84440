"""Long-horizon monitoring sessions (`build-corpus --preset long`): 10-30 minutes of many scenes in a
row, where one standing request made at the start must hold the whole time.

A session is one script made from the template library:

* the **standing request**: the instruction line of an ESS template's positive scene ("if the baby
  cries, let me know"), first, with that scene's speakers, digital context, tools and reference reply;
* **ordinary talk**: the talk lines of scenes of the other tasks (negatives, so none of them asks
  for anything), a scene's lines kept together;
* **near-miss distractors**: the template's confuser sounds (what its negatives play: a phone
  buzz when the request was the doorbell), between talk;
* **a few real cues**: the requested sound, spread over the session (one per `CUE_EVERY_MIN`
  minutes, at least 2), never in the first block.

The script is rendered like any other (the paper's assembly gaps, the ESS gap before each sound,
one ambient bed over the whole). Every real cue is a line whose span becomes one of the sample's
`cues` (docs/FORMATS.md); the near misses are listed in `meta.near_misses_s`. The session's
length is planned from a speaking-rate estimate, so a "20 minute" session lasts roughly that.
"""

from __future__ import annotations

import numpy as np

from ...errors import ProvoiceError
from .script import Line, Scene, Script

LONG_MINUTES = (10, 20, 30)  # the preset's sessions
CUE_EVERY_MIN = 5.0
NEAR_MISS_P = 0.3  # after a talk block, the chance of a near-miss sound
WORDS_PER_S = 2.6
GAP_S = 0.75
SOUND_S = 12.0  # the ESS gap before a sound event (10 s on average) and the sound


def estimate_s(lines: list[Line]) -> float:
    """A rough length of lines once spoken and assembled."""
    return sum(SOUND_S if ln.speaker == "sound" else len(ln.text.split()) / WORDS_PER_S + GAP_S for ln in lines)


def long_scene(minutes: float, seed: int, scene_id: str) -> Scene:
    """One long monitoring session (see the module docstring), deterministic in `seed`."""
    from .scenes import make_scene, templates_for

    rng = np.random.default_rng(seed)
    ess = sorted(t.name for t in templates_for("ESS", True) if False in t.labels)
    if not ess:
        raise ProvoiceError("no ESS template makes both labels: cannot build a long session")
    template = ess[int(rng.integers(len(ess)))]
    head = make_scene(template, True, int(rng.integers(2**31)), f"{scene_id}-head")
    request = next((ln for ln in head.script.lines if ln.role == "instruction"), None)
    real = next((ln.sound for ln in head.script.lines if ln.speaker == "sound" and ln.role == "cue"), None)
    if request is None or real is None:
        raise ProvoiceError(f"template {template!r} made no request or no sound: cannot build a long session")
    confusers = []
    for _ in range(8):
        neg = make_scene(template, False, int(rng.integers(2**31)), f"{scene_id}-neg")
        confusers += [ln.sound for ln in neg.script.lines if ln.speaker == "sound" and ln.sound != real]
    confusers = sorted(set(confusers)) or [real]
    others = sorted(t.name for task in ("PIC", "LTM", "CFC") for t in templates_for(task, False))
    target_s = minutes * 60.0
    n_cues = max(2, int(minutes / CUE_EVERY_MIN))
    blocks: list[list[Line]] = []
    while estimate_s([ln for b in blocks for ln in b]) < target_s:
        filler = make_scene(others[int(rng.integers(len(others)))], False, int(rng.integers(2**31)), f"{scene_id}-f")
        talk = [Line(speaker=ln.speaker, text=ln.text) for ln in filler.script.lines
                if ln.speaker != "sound" and ln.role == "talk" and (ln.speaker == "user1" or len(head.script.speakers) > 1)]
        if not talk:
            continue
        block = talk
        if rng.random() < NEAR_MISS_P:
            block = block + [Line(speaker="sound", sound=confusers[int(rng.integers(len(confusers)))])]
        blocks.append(block)
    # the real cues after evenly spaced blocks, never the first
    at = sorted({max(1, int((j + 1) * len(blocks) / (n_cues + 1))) for j in range(n_cues)})
    lines = [Line(speaker=request.speaker, text=request.text, role="instruction")]
    cue_lines, near = [], []
    for k, block in enumerate(blocks):
        for ln in block:
            if ln.speaker == "sound":
                near.append(len(lines))
            lines.append(ln)
        if k in at:
            cue_lines.append(len(lines))
            lines.append(Line(speaker="sound", sound=real))
    lines.append(Line(speaker="user1", text="Okay, that's all for today."))
    return head.model_copy(update={
        "id": scene_id, "template": f"long:{template}",
        "semantic_cue": head.semantic_cue + f" This is a {minutes:g}-minute session: the request holds throughout, "
                                            f"and the {real.replace('_', ' ')} sounds {len(cue_lines)} times.",
        "script": Script(speakers=head.script.speakers, lines=lines, ambient=head.script.ambient),
        "meta": {"source": "long", "template": template, "seed": seed, "minutes": minutes,
                 "cue_lines": cue_lines, "near_miss_lines": near, "watched_sound": real},
    })
