"""The template path of the scene stages: a (template, label, seed) becomes a `Scene`.

- `make_scene(template, label, seed, scene_id)`: build the template's draft with `Draw(seed)` and
  wrap it: speakers with genders and names, the tools offered, the digital context, metadata.
- `plan(counts, seed)`: which template each sample of a corpus uses, balanced over the templates
  of each (task, label) group, and the per-sample seed, derived from (seed, plan key) only, so a
  sample is the same whatever the number of workers, the `--limit` or the order of work. Sample
  ids are opaque (`s0001`..., a seeded shuffle): agents see the id, so it must not tell the task
  or the label; the readable plan key (`pic-pos-0001`) is kept in `meta.plan_key`.
- `check_scene(scene)`: the structural rules every scene obeys, whatever wrote it (templates, an
  LLM, the official release): the LLM stage retries on these problems.
- `list_templates()`: the library, for `build-corpus --list-templates`.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, replace

from ..sample import TASKS, ToolCall
from .script import Scene, Script, Speaker
from .templates import REGISTRY, Draw, templates_for
from .templates.tools import offer


def sample_seed(seed: int, key: str) -> int:
    """A 63-bit seed for one sample, from the corpus seed and the sample's id."""
    digest = hashlib.blake2b(f"{seed}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def plan_key(task: str, label: bool, k: int) -> str:
    """A sample's place in the plan: `pic-pos-0001`, `ltm-neg-0042`... (1-based within its group).
    It names the sample in `meta.plan_key` and seeds it; it is never the id, since agents see ids."""
    return f"{task.lower()}-{'pos' if label else 'neg'}-{k + 1:04d}"


@dataclass(frozen=True)
class PlanItem:
    id: str  # opaque: `s0001`...; agents see it (the session id), so it tells neither task nor label
    task: str
    label: bool
    template: str
    seed: int
    key: str = ""  # the plan key (`pic-pos-0001`)


def plan(counts: dict[tuple[str, bool], int], seed: int) -> list[PlanItem]:
    """The samples of a corpus, interleaved over (task, label) groups so a prefix is balanced.

    Within a group, each run through the templates is a fresh permutation drawn from the seed, so
    every template is used about equally and a small corpus still spreads over many templates.
    """
    groups: list[list[PlanItem]] = []
    for (task, label), n in counts.items():
        names = [t.name for t in templates_for(task, label)]
        if not names and n:
            raise ValueError(f"no template supports {task} with label {label}")
        items = []
        for k in range(n):
            cycle, pos = divmod(k, len(names))
            order = names[:]
            random.Random(f"{seed}:{task}:{label}:{cycle}").shuffle(order)
            key = plan_key(task, label, k)
            items.append(PlanItem("", task, label, order[pos], sample_seed(seed, key), key))
        groups.append(items)
    out: list[PlanItem] = []
    for k in range(max((len(g) for g in groups), default=0)):
        out += [g[k] for g in groups if k < len(g)]
    numbers = list(range(1, len(out) + 1))
    random.Random(f"{seed}:ids").shuffle(numbers)
    width = max(4, len(str(len(out))))
    return [replace(it, id=f"s{num:0{width}d}") for it, num in zip(out, numbers)]


def make_scene(template: str, label: bool, seed: int, scene_id: str) -> Scene:
    """The scene of one sample from the template library."""
    tpl = REGISTRY[template]
    if label not in tpl.labels:
        raise ValueError(f"template {template!r} does not make {'positive' if label else 'negative'} samples")
    d = Draw(seed)
    draft = tpl.build(d, label)
    speakers = [Speaker(id="user1", gender=draft.user1.gender, name=draft.user1.first)]
    if draft.user2 is not None:
        speakers.append(Speaker(id="user2", gender=draft.user2.gender, name=draft.user2.first))
    scene = Scene(
        id=scene_id, task=tpl.task, label=label, template=tpl.name,
        digital_context=draft.context.to_dict(), instruction=draft.instruction,
        semantic_cue=draft.semantic_cue, tools=offer(d, draft.tools),
        gt_response=draft.gt_response, gt_tool_calls=[ToolCall(**c) for c in draft.gt_tool_calls],
        script=Script(speakers=speakers, lines=draft.lines, ambient=draft.ambient),
        meta={"source": "template", "template": tpl.name, "seed": seed, "slots": draft.slots},
    )
    problems = check_scene(scene)
    if problems:  # a template bug, not bad input: fail loudly
        raise AssertionError(f"template {template!r} made a bad scene (seed {seed}): {problems}")
    return scene


def check_scene(scene: Scene) -> list[str]:
    """Every broken structural rule of a scene, in words (empty when it is well formed)."""
    problems: list[str] = []
    lines = scene.script.lines
    roles = [ln.role for ln in lines]
    speakers = {s.id for s in scene.script.speakers}
    if not lines:
        return ["the script has no lines"]
    if "user1" not in speakers:
        problems.append("the script has no user1 speaker")
    for i, ln in enumerate(lines):
        if ln.speaker == "sound":
            if not ln.sound:
                problems.append(f"line {i} is a sound line with no sound name")
        elif ln.speaker not in speakers:
            problems.append(f"line {i} is spoken by {ln.speaker}, who is not a speaker")
        elif not ln.text.strip():
            problems.append(f"line {i} ({ln.speaker}) has no text")
    for role in ("cue", "instruction"):
        if roles.count(role) > 1:
            problems.append(f"more than one line has role {role!r}")
    if scene.label and "cue" not in roles:
        problems.append("a positive scene needs a line with role 'cue' (the trigger)")
    if scene.task in ("LTM", "ESS"):
        first = lines[0]
        if not (first.speaker == "user1" and first.role == "instruction"):
            problems.append(f"{scene.task}: the first line must be User1's instruction (role 'instruction')")
        elif scene.instruction is None or first.text.strip() != scene.instruction.strip():
            problems.append(f"{scene.task}: `instruction` must be the text of the instruction line")
    elif "instruction" in roles:
        problems.append(f"{scene.task} scenes have no instruction line")
    if scene.task == "ESS":
        if not any(ln.speaker == "sound" for ln in lines):
            problems.append("an ESS scene needs a sound line")
        cue = next((ln for ln in lines if ln.role == "cue"), None)
        if scene.label and cue is not None and cue.speaker != "sound":
            problems.append("an ESS positive's cue must be the sound line")
    offered = {t.name for t in scene.tools}
    for call in scene.gt_tool_calls:
        if call.name not in offered:
            problems.append(f"ground-truth tool call {call.name!r} is not among the tools offered")
    if scene.label and not (scene.gt_response.strip() or scene.gt_tool_calls):
        problems.append("a positive scene needs a ground-truth response or tool call")
    if not scene.label and (scene.gt_response.strip() or scene.gt_tool_calls):
        problems.append("a negative scene has no ground-truth response or tool calls")
    return problems


def list_templates() -> list[dict]:
    """One row per template: name, task, labels, summary (stable order: task, then registration)."""
    rows = []
    for task in TASKS:
        for t in templates_for(task):
            rows.append({"name": t.name, "task": t.task, "labels": ["pos" if x else "neg" for x in t.labels],
                         "summary": t.summary})
    return rows
