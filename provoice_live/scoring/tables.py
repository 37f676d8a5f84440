"""The tables of a `Scores`, for people (terminal, Markdown, HTML) and for programs (CSV, JSON).

Every renderer works from one list of `Section`s built here, so the terminal, the Markdown file and
the HTML report always show the same figures:

1. **Table 1** in the paper's layout: one row, each task's Rec / FPR / Acc, then Overall (pooled).
2. **Counts**: TP, FP, TN, FN and N per task and overall: what the rates are made of.
3. **Table 2** in the paper's layout: R_acc per task and Overall, with n.
4. **Timing**: latency from cue end to the first scored interjection (median, p90, mean over the
   true positives with a cue), premature interjections, timely recall within the patience, beside
   Table 1's session-level recall; the latency parts where the log has them.
5. **Errors**: sessions left out of every figure, with their reasons.

A rate that is undefined (no samples in its denominator) prints "n/a" (JSON `null`). Every output
names the judge that gave the verdicts ("heuristic (offline)" unless an LLM judge was used).
"""

from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass, field
from typing import Any

from .decisions import OVERALL
from .heuristic import NAME as HEURISTIC_NAME
from .scores import Scores
from .timing import PART_LABELS
from ..jsontext import dumps

NA = "n/a"


def fmt_rate(x: float | None) -> str:
    return NA if x is None else f"{x:.3f}"


def fmt_s(x: float | None) -> str:
    return NA if x is None else f"{x:.2f}"


def title_task(key: str) -> str:
    return "Overall" if key == OVERALL else key


@dataclass
class Section:
    """One table: a title, column groups (label, span) over the columns, rows of text cells."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    groups: list[tuple[str, int]] = field(default_factory=list)
    note: str = ""
    left: int = 1  # how many leading columns hold text (left-aligned); the rest are figures

    def flat_columns(self) -> list[str]:
        """Column names with their group prefixed ("CFC Rec ↑"), for renderers without spans."""
        if not any(g for g, _ in self.groups):
            return list(self.columns)
        cols, i = [], 0
        for g, span in self.groups:
            cols += [f"{g} {c}".strip() for c in self.columns[i:i + span]]
            i += span
        return cols


def sections(scores: Scores, compact: bool = False) -> list[Section]:
    """The tables of the report, in order.

    `compact` (narrow terminals) turns Tables 1 and 2 so that each task is a row, with the counts
    beside the rates, and puts the latency parts in a table of their own."""
    keys = scores.tasks + [OVERALL]
    label = scores.label or "this run"
    out = []
    t1_title = "Table 1: proactive decisions (Recall, False Positive Rate, Accuracy)"
    t1_note = "Overall pools every sample (micro). n/a: no sample in the denominator."
    counts = ("n", "tp", "fp", "tn", "fn")
    if compact:
        out.append(Section("table1", t1_title, ["task", "Rec ↑", "FPR ↓", "Acc ↑", "N", "TP", "FP", "TN", "FN"],
                           [[title_task(k), fmt_rate(c.recall), fmt_rate(c.fpr), fmt_rate(c.accuracy),
                             *(str(getattr(c, a)) for a in counts)] for k, c in ((k, scores.decision[k]) for k in keys)],
                           note=t1_note))
    else:
        t1_cols, t1_row = [], [label]
        for k in keys:
            c = scores.decision[k]
            t1_cols += ["Rec ↑", "FPR ↓", "Acc ↑"]
            t1_row += [fmt_rate(c.recall), fmt_rate(c.fpr), fmt_rate(c.accuracy)]
        out.append(Section("table1", t1_title, ["run"] + t1_cols, [t1_row],
                           [("", 1)] + [(title_task(k), 3) for k in keys], t1_note))
        out.append(Section("counts", "Decision counts", ["task", "N", "TP", "FP", "TN", "FN"],
                           [[title_task(k), *(str(getattr(scores.decision[k], a)) for a in counts)] for k in keys]))

    t2_title = "Table 2: response accuracy (R_acc)"
    t2_note = (f"Judge: {scores.judge}. S_i = (J_tool + J_text) / 2 on true positives, 1 on true negatives, "
               "0 on false positives and false negatives.")
    if compact:
        out.append(Section("table2", t2_title, ["task", "R_acc ↑", "n"],
                           [[title_task(k), fmt_rate(scores.response[k].r_acc), str(scores.response[k].n)]
                            for k in keys], note=t2_note))
    else:
        out.append(Section("table2", t2_title, ["run"] + [title_task(k) for k in keys],
                           [[label] + [fmt_rate(scores.response[k].r_acc) for k in keys],
                            ["n"] + [str(scores.response[k].n) for k in keys]], note=t2_note))

    p = scores.patience_s
    cols = ["task", "n", "median s", "p90 s", "mean s", "stamp ± ms", "premature", f"timely ≤{p:g}s", "Rec"]
    rows = []
    for k in keys:
        t = scores.timing[k]
        unc = t.stamp_uncertainty_ms.median
        rows.append([title_task(k), str(t.latency.n), fmt_s(t.latency.median), fmt_s(t.latency.p90),
                     fmt_s(t.latency.mean), NA if unc is None else f"{unc:.2f}",
                     f"{t.premature_sessions} / {t.premature_interjections}",
                     f"{fmt_rate(t.timely_recall)} ({t.timely}/{t.timely_n})", fmt_rate(t.recall)])
    timing_note = (f"Latency from cue end to the first scored interjection over the n timed true positives "
                   f"(negative: spoke before the cue ended). Stamp ±: the median stamp uncertainty of those "
                   f"latencies (how late the interjections may have been stamped; real-time runs only). "
                   f"Premature: sessions / interjections before the cue "
                   f"start. Timely: first scored interjection in [cue start, cue end + {p:g} s], over the positives "
                   f"with a cue window. Rec: Table 1's session-level recall.")
    part_names = [name for name in PART_LABELS if any(name in scores.timing[k].parts for k in keys)]
    part_cols = [f"{PART_LABELS[name]} s" for name in part_names]
    part_rows = [[fmt_s(scores.timing[k].parts[n].median) if n in scores.timing[k].parts else NA
                  for n in part_names] for k in keys]
    part_note = ("Medians of the latency parts: endpoint detection = endpoint detected - speech end (VAD), "
                 "request = request sent - endpoint detected, first output = first output - request sent.")
    title = "Timing: latency from cue end to the first scored interjection"
    if part_names and not compact:
        out.append(Section("timing", title, cols + part_cols, [r + pr for r, pr in zip(rows, part_rows)],
                           note=f"{timing_note} {part_note}"))
    else:
        out.append(Section("timing", title, cols, rows, note=timing_note))
        if part_names:
            out.append(Section("parts", "Where the latency went (medians)", ["task"] + part_cols,
                               [[title_task(k)] + pr for k, pr in zip(keys, part_rows)], note=part_note))

    if scores.monitoring is not None:
        out += monitoring_sections(scores.monitoring, p)
    if scores.by_snr:
        out.append(snr_section([(label, scores)]))
    if scores.agreement is not None:
        out += agreement_sections(scores.agreement, keys)

    if scores.suspect:
        verb = "kept in" if scores.include_suspect else "left out of"
        out.append(Section("suspect", f"Timing suspect: {len(scores.suspect)} session(s) {verb} the timing figures",
                           ["sample", "task", "why"], [[e.id, e.task, "; ".join(e.reasons)] for e in scores.suspect],
                           note="Real-time sessions whose chunk hand-over lag p99 or interjection stamp uncertainty "
                                "passed the run's --max-timing-error-ms: the machine, not the agent, may be in "
                                "their latency. Their decisions still count"
                                + ("." if scores.include_suspect else "; --include-suspect puts their timing back."),
                           left=3))
    if scores.errors:
        out.append(Section("errors", f"Errors: {len(scores.errors)} session(s) left out of every figure",
                           ["sample", "task", "label", "reason"],
                           [[e.id, e.task, "positive" if e.label else "negative", e.reason] for e in scores.errors],
                           note="An errored session is not a silence: it is excluded from the denominators.",
                           left=4))
    return out


MAX_CUE_ROWS = 60


def snr_section(runs: list[tuple[str, Scores]]) -> Section:
    """Recall, FPR and median latency against the sound event's SNR, one column group per run."""
    levels = sorted({lv for _, s in runs for lv in s.by_snr}, reverse=True)
    rows = []
    for lv in levels:
        row = [f"{lv:g}"]
        for _, s in runs:
            f = s.by_snr.get(lv)
            row += [fmt_rate(f["recall"]), fmt_rate(f["fpr"]), fmt_s(f["latency_median_s"]), str(f["n"])] if f else [NA] * 4
        rows.append(row)
    return Section("snr", "ESS: recall and latency against the sound event's SNR",
                   ["SNR dB"] + ["Rec ↑", "FPR ↓", "median s", "N"] * len(runs), rows,
                   [("", 1)] + [(label, 4) for label, _ in runs],
                   note="SNR: the sound event's RMS over its span against the speech and ambient bed under it "
                        "(build-corpus --sound-snr-db).")


def monitoring_sections(m, patience_s: float) -> list[Section]:
    """Per cue and per hour (scoring/monitoring.py); each cue listed when a sample has several."""
    lat = m.latency()
    out = [Section("monitoring", "Monitoring: cues hit, false alarms per hour of monitored audio",
                   ["samples", "cues", "hits", "misses", "recall", "median s", "p90 s", "false alarms",
                    "monitored h", "FA/h"],
                   [[str(m.samples), str(len(m.cues)), str(m.hits), str(len(m.cues) - m.hits), fmt_rate(m.recall),
                     fmt_s(lat["median"]), fmt_s(lat["p90"]), str(m.false_alarms), f"{m.monitored_h:.3f}",
                     fmt_s(m.fa_per_h)]],
                   note=f"A cue is hit by the first interjection in [cue start, cue end + {patience_s:g} s]; "
                        "latency = hit - cue end; any other interjection outside a hit cue's window is a "
                        "false alarm. Monitored: audio after monitoring starts.", left=0)]
    by_sample: dict[str, int] = {}
    for c in m.cues:
        by_sample[c.sample] = by_sample.get(c.sample, 0) + 1
    if any(n > 1 for n in by_sample.values()):
        rows = [[c.sample, str(c.index + 1), f"{c.start_s:.1f}–{c.end_s:.1f}", "hit" if c.hit_s is not None else "miss",
                 fmt_s(c.latency_s)] for c in m.cues if by_sample[c.sample] > 1][:MAX_CUE_ROWS]
        out.append(Section("cues", "Each cue of the long sessions", ["sample", "cue", "window s", "outcome",
                                                                     "latency s"], rows, left=2))
    return out


def agreement_sections(agr, keys: list[str]) -> list[Section]:
    """Judge agreement (scoring/agreement.py): R_acc per rater with its spread, kappas, the heuristic
    against the LLM, and the items the raters disagree on most."""
    rows = []
    for k in keys:
        sp = agr.spread(k)
        rows.append([title_task(k), *(fmt_rate(v) for v in agr.r_acc.get(k, [])), fmt_rate(sp.mean), fmt_rate(sp.sd),
                     f"{fmt_rate(sp.min)}–{fmt_rate(sp.max)}"])
    out = [Section("agreement", f"Judge agreement: R_acc per rater ({len(agr.raters)} raters, "
                                f"{len(agr.items)} judged true positives)",
                   ["task", *agr.raters, "mean", "sd", "range"], rows,
                   note="Each rater is one judge and repeat; Table 2 shows the first. sd: sample standard "
                        "deviation over the raters.")]
    summary = [["Fleiss' kappa (S_i)", fmt_rate(agr.kappa)], ["Fleiss' kappa (tool verdicts)", fmt_rate(agr.kappa_tool)],
               ["Fleiss' kappa (text verdicts)", fmt_rate(agr.kappa_text)],
               ["mean per-sample agreement (P_i)", fmt_rate(agr.mean_item_agreement)],
               ["unanimous samples", fmt_rate(agr.unanimous)]]
    if agr.heuristic:
        h = agr.heuristic
        summary += [["heuristic = LLM consensus (share of samples)", fmt_rate(h["exact_agreement"])],
                    ["Cohen's kappa, heuristic vs LLM consensus", fmt_rate(h["cohen_kappa"])],
                    ["mean S_i on these samples: heuristic / LLM", f"{fmt_rate(h['mean_s_heuristic'])} / "
                                                                   f"{fmt_rate(h['mean_s_llm'])}"]]
    out.append(Section("kappa", "Judge agreement: kappa and per-sample agreement", ["figure", "value"], summary,
                       note="P_i: the share of rater pairs giving a sample the same S_i. LLM consensus: the "
                            "raters' median S_i."))
    split = sorted((i for i in agr.items if i["agreement"] < 1.0), key=lambda i: (i["agreement"], i["id"]))[:10]
    if split:
        out.append(Section("disagreed", "Samples the raters disagree on most", ["sample", "task", "S_i per rater",
                                                                                 "P_i"],
                           [[i["id"], i["task"], " ".join(f"{s:g}" for s in i["s"]), fmt_rate(i["agreement"])]
                            for i in split], left=3))
    return out


WIDE_TERMINAL = 150  # narrower terminals get the compact tables


def judge_line(scores: Scores) -> str:
    line = f"Judge: {scores.judge}"
    if scores.judge.startswith(HEURISTIC_NAME):
        line += ": rules, not the paper's LLM judge (see provoice_live/scoring/heuristic.py)"
    return line


# ---- terminal -----------------------------------------------------------------------------------

def render_terminal(scores: Scores, console=None) -> None:
    """Print the tables with rich."""
    from rich.console import Console
    from rich.markup import escape

    console = console or Console(highlight=False)
    print_sections(sections(scores, compact=console.width < WIDE_TERMINAL), console)
    console.print(escape(judge_line(scores)), style="bold")
    for note in scores.notes:
        console.print(f"note: {escape(note)}")


def print_sections(secs: list[Section], console) -> None:
    """Print tables with rich (`score`, `compare`)."""
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    for sec in secs:
        console.print(escape(sec.title), style="bold")
        table = Table()
        for i, h in enumerate(sec.columns):
            table.add_column(escape(h), justify="left" if i < sec.left else "right",
                             overflow="fold" if i < sec.left else "ellipsis", no_wrap=i >= sec.left,
                             min_width=max((len(r[i]) for r in sec.rows), default=0))
        if any(g for g, _ in sec.groups):  # the paper's task groups, as a first row
            cells = []
            for g, span in sec.groups:
                cells += [Text(g, style="bold", justify="left")] + [""] * (span - 1)
            table.add_row(*cells, end_section=True)
        for row in sec.rows:
            table.add_row(*map(escape, row))
        console.print(table)
        if sec.note:
            console.print(escape(sec.note), style="dim")
        console.print()


def render_tables(scores: Scores, width: int = 160) -> str:
    """The terminal tables as plain text (what `score` prints)."""
    from rich.console import Console

    console = Console(file=io.StringIO(), width=width, force_terminal=False, color_system=None)
    render_terminal(scores, console)
    return console.file.getvalue()


# ---- Markdown -----------------------------------------------------------------------------------

def _md_escape(cell: str) -> str:
    return cell.replace("|", "\\|").replace("\n", " ")


def to_markdown(scores: Scores) -> str:
    """The tables as GitHub Markdown, with the judge named at the top."""
    lines = [f"# ProVoice-Bench scores: {scores.label or 'run'}", "", f"**{judge_line(scores)}**", ""]
    lines += sections_markdown(sections(scores))
    for note in scores.notes:
        lines.append(f"- note: {note}")
    if scores.judge.startswith(HEURISTIC_NAME):
        from . import heuristic

        lines += ["", "## How the heuristic (offline) judge scores", "", heuristic.__doc__.split("\n\n", 2)[2].strip()]
    return "\n".join(lines).rstrip() + "\n"


def sections_markdown(secs: list[Section]) -> list[str]:
    """Tables as Markdown lines (`score`, `compare`)."""
    lines = []
    for sec in secs:
        cols = sec.flat_columns()
        lines += [f"## {sec.title}", "", "| " + " | ".join(map(_md_escape, cols)) + " |",
                  "|" + "|".join("---" if i < sec.left else "---:" for i in range(len(cols))) + "|"]
        lines += ["| " + " | ".join(map(_md_escape, row)) + " |" for row in sec.rows]
        if sec.note:
            lines += ["", sec.note]
        lines.append("")
    return lines


# ---- HTML (for the report) ----------------------------------------------------------------------

def to_html(scores: Scores) -> str:
    """The tables as HTML fragments (no page around them)."""
    parts = [f'<p class="judge">{html.escape(judge_line(scores))}</p>', sections_html(sections(scores))]
    for note in scores.notes:
        parts.append(f'<p class="note">note: {html.escape(note)}</p>')
    return "\n".join(parts)


def sections_html(secs: list[Section]) -> str:
    """Tables as HTML fragments (`report`, `compare`)."""
    parts = []
    for sec in secs:
        parts.append(f'<section class="table {sec.key}"><h2>{html.escape(sec.title)}</h2><table>')
        if sec.groups and any(g for g, _ in sec.groups):
            parts.append("<tr>" + "".join(f'<th colspan="{span}">{html.escape(g)}</th>' for g, span in sec.groups) + "</tr>")
        parts.append("<tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in sec.columns) + "</tr>")
        for row in sec.rows:
            parts.append("<tr>" + "".join(f'<td class="{"text" if i < sec.left else "num"}">{html.escape(c)}</td>'
                                          for i, c in enumerate(row)) + "</tr>")
        parts.append("</table>")
        if sec.note:
            parts.append(f'<p class="note">{html.escape(sec.note)}</p>')
        parts.append("</section>")
    return "\n".join(parts)


# ---- CSV and JSON -------------------------------------------------------------------------------

def csv_rows(scores: Scores) -> list[list[Any]]:
    """Long format: section, task, metric, value (raw numbers; empty for n/a), plus the judge."""
    rows: list[list[Any]] = []
    for k, c in scores.decision.items():
        rows += [["decision", k, m, v] for m, v in c.to_json().items()]
    for k, r in scores.response.items():
        rows += [["response", k, m, v] for m, v in r.to_json().items()]
    for k, t in scores.timing.items():
        for m, v in _flatten(t.to_json()):
            rows.append(["timing", k, m, v])
    rows.append(["errors", OVERALL, "count", len(scores.errors)])
    rows.append(["timing_suspect", OVERALL, "count", len(scores.suspect)])
    rows.append(["meta", OVERALL, "patience_s", scores.patience_s])
    rows.append(["meta", OVERALL, "judge", scores.judge])
    return rows


def _flatten(d: dict[str, Any], prefix: str = ""):
    for k, v in d.items():
        if isinstance(v, dict):
            yield from _flatten(v, f"{prefix}{k}.")
        else:
            yield f"{prefix}{k}", v


def to_csv(scores: Scores) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["section", "task", "metric", "value"])
    for section, task, metric, value in csv_rows(scores):
        w.writerow([section, task, metric, "" if value is None else value])
    return buf.getvalue()


def to_json_text(scores: Scores) -> str:
    return dumps(scores.to_json(), indent=2, ensure_ascii=False) + "\n"
