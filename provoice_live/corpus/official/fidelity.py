"""The fidelity report of a corpus made from the release: what was built and skipped, and how sure
the cue locator was.

`fidelity_report(data, out)` reads the release's records and the corpus written in `out`
(`manifest.jsonl`, `skipped.jsonl`); `FidelityReport.table()` is the text `build-corpus --from` ends
with, and `to_json()` what it stores in `fidelity.json`. Rows are (task, label) groups: samples in
the release, built, skipped (by kind); then the skip reasons (each kind with a few examples), the
locator's methods and its confidence distribution, and the flagged samples (confidence below
`locator.FLAG_BELOW`, kept and marked in `meta.cue_location`).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ... import FORMAT_VERSION
from ..locator import FLAG_BELOW
from .records import read_records

BINS = ((0.0, FLAG_BELOW, f"< {FLAG_BELOW} (flagged)"), (FLAG_BELOW, 0.8, f"{FLAG_BELOW}-0.8"), (0.8, 1.01, ">= 0.8"))


@dataclass
class FidelityReport:
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)  # "PIC+" -> {release, built, skipped: {kind: n}}
    reasons: dict[str, list[str]] = field(default_factory=dict)  # kind -> distinct reasons
    methods: Counter = field(default_factory=Counter)
    confidence: Counter = field(default_factory=Counter)  # bin label -> count
    flagged: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT_VERSION, "groups": self.groups, "skip_reasons": self.reasons, "cue_methods": dict(self.methods),
                "cue_confidence": {label: self.confidence.get(label, 0) for _, _, label in BINS},
                "flagged": self.flagged}

    def table(self) -> str:
        kinds = sorted({k for g in self.groups.values() for k in g["skipped"]})
        head = ["group", "release", "built", "skipped"] + [f"  {k}" for k in kinds]
        rows = [[name, str(g["release"]), str(g["built"]), str(sum(g["skipped"].values()))]
                + [str(g["skipped"].get(k, 0)) for k in kinds] for name, g in self.groups.items()]
        total = ["all"] + [str(sum(int(r[i]) for r in rows)) for i in range(1, len(head))]
        widths = [max(len(r[i]) for r in [head, *rows, total]) for i in range(len(head))]
        fmt = lambda r: "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths)))
        lines = ["fidelity report", fmt(head), *(fmt(r) for r in rows), fmt(total)]
        for kind, reasons in self.reasons.items():
            lines.append(f"skipped ({kind}): " + "; ".join(r[:90] for r in reasons[:3])
                         + (f" (+{len(reasons) - 3} more)" if len(reasons) > 3 else ""))
        located = sum(self.confidence.values())
        if located:
            lines.append("cue locator: " + ", ".join(f"{m} {n}" for m, n in self.methods.most_common())
                         + "; confidence " + ", ".join(f"{label}: {self.confidence.get(label, 0)}" for _, _, label in BINS))
        if self.flagged:
            lines.append(f"flagged (low confidence, see meta.cue_location): {', '.join(self.flagged[:10])}"
                         + (f" (+{len(self.flagged) - 10} more)" if len(self.flagged) > 10 else ""))
        return "\n".join(lines)


def _group(task: str, label: bool) -> str:
    return f"{task}{'+' if label else '-'}"


def fidelity_report(data: str | Path, out: str | Path) -> FidelityReport:
    """The report of the corpus in `out` made from the release's `data` (see the module docstring)."""
    out = Path(out)
    records, unreadable = read_records(data)
    group_of = {r.id: _group(r.task, r.label) for r in records}
    report = FidelityReport()
    for task in ("PIC", "LTM", "CFC", "ESS"):
        for label in (True, False):
            report.groups[_group(task, label)] = {"release": 0, "built": 0, "skipped": {}}
    for rec in records:
        report.groups[group_of[rec.id]]["release"] += 1
    if unreadable:
        report.groups["unreadable"] = {"release": len(unreadable), "built": 0, "skipped": {"record": len(unreadable)}}
    manifest = out / "manifest.jsonl"
    for raw in (manifest.read_text(encoding="utf-8").splitlines() if manifest.is_file() else []):
        s = json.loads(raw)
        if s["id"] in group_of:
            report.groups[group_of[s["id"]]]["built"] += 1
        loc = (s.get("meta") or {}).get("cue_location")
        if loc:
            report.methods[loc["how"].split("+")[0]] += 1
            report.confidence[next(lab for lo, hi, lab in BINS if lo <= loc["confidence"] < hi)] += 1
            if loc.get("flagged"):
                report.flagged.append(s["id"])
    skipped_path = out / "skipped.jsonl"
    for raw in (skipped_path.read_text(encoding="utf-8").splitlines() if skipped_path.is_file() else []):
        entry = json.loads(raw)
        kind = entry.get("kind", "other")
        if entry.get("id") in group_of:
            counts = report.groups[group_of[entry["id"]]]["skipped"]
            counts[kind] = counts.get(kind, 0) + 1
        reasons = report.reasons.setdefault(kind, [])
        if entry.get("reason") and entry["reason"] not in reasons:
            reasons.append(entry["reason"])
    report.groups = {k: g for k, g in report.groups.items() if g["release"]}
    return report
