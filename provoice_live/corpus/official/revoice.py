"""`build-corpus --from data.json`: the release's scripts as scenes for our pipeline (re-voicing).

Roles come from the turn positions: User1's first turn is the instruction (LTM, ESS), the last turn
before the model's is marked "cue". The pipeline then locates the cue's words inside the rendered
lines (`corpus.locator`) instead of taking that whole turn: `meta.locate_cue` asks it to.
"""

from __future__ import annotations

from pathlib import Path

from ..sample import ToolSchema
from .records import Record, read_records, read_tools


def record_scene(rec: Record, tools: list[ToolSchema]):
    """The official record as a `Scene` for the pipeline: roles from the turn positions."""
    from ..builder.script import Line, Scene, Script, Speaker

    lines = []
    for i, t in enumerate(rec.turns):
        role = "instruction" if i == rec.instruction_turn else "cue" if i == rec.cue_turn else "talk"
        if t.speaker == "sound":
            lines.append(Line(speaker="sound", sound=t.text, role=role))
        else:
            lines.append(Line(speaker=t.speaker, text=t.text, role=role))
    used = {ln.speaker for ln in lines}
    speakers = [Speaker(id=s, gender=rec.genders.get(s, "female" if s == "user1" else "male"))
                for s in ("user1", "user2") if s in used or s == "user1"]
    offered = {t.name for t in tools}
    extra = [ToolSchema(name=c.name, description="(from the official ground truth)",
                        parameters={"type": "object", "properties": {k: {"type": "string"} for k in c.arguments}})
             for c in rec.gt_tool_calls if c.name not in offered]
    return Scene(id=rec.id, task=rec.task, label=rec.label, template="provoice-bench",
                 digital_context=rec.digital_context, instruction=rec.instruction, semantic_cue=rec.semantic_cue,
                 tools=list(tools) + extra, gt_response=rec.gt_response, gt_tool_calls=rec.gt_tool_calls,
                 script=Script(speakers=speakers, lines=lines), meta={**rec.meta, "locate_cue": True})


def official_jobs(data: str | Path, tools: str | Path | None, seed: int):
    """(pipeline jobs, skip entries) for re-voicing the release. Without `tools`, our catalogue."""
    from ..builder.pipeline import Job
    from ..builder.scenes import sample_seed
    from ..builder.templates.tools import CATALOGUE

    tool_set = read_tools(tools) if tools else list(CATALOGUE.values())
    records, skipped = read_records(data)
    jobs = []
    for rec in records:  # an LTM or ESS record not opening with User1's instruction is among `skipped`
        jobs.append(Job(rec.id, sample_seed(seed, rec.id), (lambda rec=rec: record_scene(rec, tool_set)), "provoice-bench"))
    return jobs, skipped
