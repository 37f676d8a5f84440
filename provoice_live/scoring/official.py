"""Rescoring results made the paper's way: a folder of official `<uuid>_response.json` files.

The official `generate_response.py` writes one file per sample holding the model's reply, the JSON
`{interaction_score, tool_calls: [{name, arguments}], agent_response}`, read by the same parser as
our adapters' replies (`provoice_live.reply`: wrapped in text or a code fence, double-encoded, tool
arguments as a JSON string). The official `data.json` gives the task, the label and the ground truth, read by the same
`corpus.official.read_records` that `import-provoice` uses (docs/FORMATS.md).

Decision, exactly as the official `eval.py`: predicted positive iff `tool_calls` or `agent_response`
is non-empty (`interaction_score` is ignored).

Where the official code loses samples, we count them: a reply that does not parse, or a sample of
`data.json` with no response file (the official code writes none when parsing failed), becomes a
prediction with status "error": reported by id with its reason, left out of the denominators like
an errored session, never silently dropped. Verdicts of the official judge found in
`FOLDER/judge/<uuid>_judge_response.json` (0/1/2 scores) are used, halved, as verdicts already made.
"""

from __future__ import annotations

import json
from pathlib import Path

from .. import FORMAT_VERSION
from ..corpus.official import read_records
from ..errors import ProvoiceError, ReplyError
from ..reply import parse_answer
from ..run.results import Prediction

RESPONSE_SUFFIX = "_response.json"
JUDGE_SUFFIX = "_judge_response.json"

def _official_verdict(folder: Path, uuid: str) -> dict[str, float] | None:
    path = folder / "judge" / f"{uuid}{JUDGE_SUFFIX}"
    if not path.is_file():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        tool, text = int(raw.get("tool_call_score", 0)), int(raw.get("response_score", 0))
    except (json.JSONDecodeError, ValueError, TypeError, AttributeError):
        return None
    if tool not in (0, 1, 2) or text not in (0, 1, 2):
        return None
    return {"tool": tool / 2, "text": text / 2}


def load_official(folder: str | Path, data_json: str | Path) -> tuple[list[Prediction], tuple[str, ...]]:
    """Predictions from an official folder and data.json, and notes on what was odd."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ProvoiceError(f"{folder} is not a folder of official <uuid>{RESPONSE_SUFFIX} files")
    records, unreadable = read_records(data_json)
    truth = [{"id": r.id, "task": r.task, "label": r.label, "gt_response": r.gt_response,
              "gt_tool_calls": r.gt_tool_calls, "semantic_cue": r.semantic_cue} for r in records]
    files = {p.name[: -len(RESPONSE_SUFFIX)]: p for p in folder.glob(f"*{RESPONSE_SUFFIX}")
             if not p.name.endswith(JUDGE_SUFFIX)}
    preds, verdicts_used = [], 0
    for gt in truth:
        path = files.get(gt["id"])
        base = {**gt, "format": FORMAT_VERSION}
        if path is None:
            preds.append(Prediction(**base, intervened=False, status="error",
                                    error=f"no {gt['id']}{RESPONSE_SUFFIX} (the official code writes none when "
                                          "the reply did not parse)"))
            continue
        try:
            answer = parse_answer(path.read_text(encoding="utf-8", errors="replace"))
        except ReplyError as exc:
            preds.append(Prediction(**base, intervened=False, status="error",
                                    error=f"{path.name}: the reply does not parse: {exc}"))
            continue
        calls, response = answer.tool_calls, answer.agent_response
        intervened = answer.intervenes
        verdict = _official_verdict(folder, gt["id"]) if intervened and gt["label"] else None
        verdicts_used += verdict is not None
        preds.append(Prediction(**base, intervened=intervened, response_text=response, tool_calls=calls,
                                judge=verdict))
    notes = []
    if unreadable:
        notes.append(f"{len(unreadable)} sample(s) of {Path(data_json).name} could not be read and are not scored: "
                     + "; ".join(b["reason"] for b in unreadable[:3]) + (" ..." if len(unreadable) > 3 else ""))
    unknown = sorted(set(files) - {gt["id"] for gt in truth})
    if unknown:
        notes.append(f"{len(unknown)} response file(s) name no sample of {Path(data_json).name} and were "
                     f"ignored: {', '.join(unknown[:5])}{' ...' if len(unknown) > 5 else ''}")
    if verdicts_used:
        notes.append(f"{verdicts_used} verdict(s) of the official judge read from {folder / 'judge'}")
    return preds, tuple(notes)
