"""The HTML report: one self-contained page with the tables and pictures beside it in `img/`.

    OUT/index.html        the page: tables (the same as `score` prints), the latency histograms, an
                          index of the sessions and their timelines (no scripts, no network)
    OUT/img/*.png         latency.png and one timeline-<n>.png per session shown
    OUT/audio/*.wav       the audio under each timeline's player: the two-channel mix (left the
                          scene, right the agent) when the agent spoke, else the scene
    OUT/scores.json, OUT/scores.md   the figures, as `score --json/--markdown` writes them

At most `max_timelines` sessions get a picture: errors first, then mistakes (false positives, false
negatives), then true positives and true negatives, each group in input order; the page says how
many were left out.
"""

from __future__ import annotations

import html
import re
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..engine.voice import mix_wav_path
from ..run.directory import RunDir
from ..scoring.scores import Scores
from ..scoring.tables import fmt_rate, fmt_s, to_html, to_json_text, to_markdown
from .plots import plot_latency_histograms, plot_snr
from .timeline import OUTCOME_WORDS, SessionView, plot_timeline

DEFAULT_MAX_TIMELINES = 200
MAX_INDEX_ROWS = 2000  # the sessions table lists at most this many (errors and mistakes first)
PRIORITY = {"ERROR": 0, "FP": 1, "FN": 1, "TP": 2, "TN": 3}

CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 0; color: #222;
       background: #fafafa; }
header { background: #263238; color: #fff; padding: 18px 32px; }
header h1 { margin: 0 0 4px 0; font-size: 22px; }
header p { margin: 2px 0; color: #cfd8dc; font-size: 14px; }
main { padding: 8px 32px 40px 32px; max-width: 1400px; }
nav a { margin-right: 16px; }
h2 { font-size: 17px; margin: 26px 0 8px 0; }
table { border-collapse: collapse; background: #fff; font-size: 13px; margin-bottom: 4px; }
th, td { border: 1px solid #ddd; padding: 4px 9px; }
th { background: #eceff1; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.text { text-align: left; }
p.note, p.judge { font-size: 12.5px; color: #555; margin: 4px 0 10px 0; }
p.judge { font-weight: 600; color: #333; }
.player { display: flex; gap: 0.6em; align-items: center; font-size: 0.85em; color: #555; margin: 0.2em 0; }
img { max-width: 100%; height: auto; background: #fff; border: 1px solid #e0e0e0; }
figure { margin: 14px 0 22px 0; }
figcaption { font-size: 12.5px; color: #555; margin-top: 3px; }
.TP, .TN { color: #2e7d32; } .FP, .FN, .ERROR { color: #c62828; font-weight: 600; }
.SUSPECT { color: #e65100; font-weight: 600; }
"""


@dataclass
class Entry:
    """One session of the report: its id, task, label, outcome and figures."""

    id: str
    task: str
    label: bool
    outcome: str  # TP / FP / TN / FN / ERROR
    latency_s: float | None = None
    s_i: float | None = None
    reason: str | None = None
    suspect: str | None = None  # why its timing is suspect (real-time runs)


def entries(scores: Scores) -> list[Entry]:
    """The sessions, errors first, then mistakes, then the rest (stable within a group)."""
    out = [Entry(e.id, e.task, e.label, "ERROR", reason=e.reason) for e in scores.errors]
    out += [Entry(s.id, s.task, s.label, s.outcome, s.timing.latency_s, s.s_i,
                  suspect="; ".join(s.suspect) if s.suspect else None) for s in scores.samples]
    return sorted(out, key=lambda e: PRIORITY[e.outcome])


def _file_stem(index: int, sample_id: str) -> str:
    return f"timeline-{index:04d}-{re.sub(r'[^A-Za-z0-9_.-]', '_', sample_id)[:60]}"


def _resolve_audio(view: SessionView, corpus_dir: str | None) -> None:
    if view.audio_path and not Path(view.audio_path).is_absolute() and corpus_dir:
        view.audio_path = str(Path(corpus_dir) / view.audio_path)


def session_view(run: RunDir, entry: Entry, corpus_dir: str | None, samples: dict | None = None) -> SessionView | None:
    """The timeline of one session from its log, with the script from the corpus sample if known."""
    path = run.log_path(entry.id)
    if not path.is_file():
        return None
    view = SessionView.from_trace(run.trace(entry.id), entry.id, log_dir=path.parent)
    view.task = view.task or entry.task
    view.label = entry.label if view.label is None else view.label
    _resolve_audio(view, corpus_dir)
    sample = (samples or {}).get(entry.id)
    if sample is not None:
        view.segments = [(seg.kind, seg.start_s, seg.end_s, seg.text or seg.label or "")
                         for seg in sample.segments or [] if seg.kind != "noise"]
        if view.cue is None and sample.cue is not None:
            view.cue = (sample.cue.start_s, sample.cue.end_s)
    return view


def _player(run: RunDir, sample_id: str, view: SessionView, out: Path, stem: str) -> str:
    """An audio player under a timeline: the two-channel mix (left scene, right agent) when the agent
    spoke, else the scene; the file is copied into OUT/audio/ so the report stands alone."""
    mix = mix_wav_path(run.log_path(sample_id))
    source = mix if mix.is_file() else (Path(view.audio_path) if view.audio_path else None)
    if source is None or not source.is_file():
        return ""
    (out / "audio").mkdir(exist_ok=True)
    name = f"{stem}{'.mix' if source == mix else ''}{source.suffix}"
    shutil.copyfile(source, out / "audio" / name)
    what = "left: the scene, right: the agent" if source == mix else "the scene"
    return (f'<div class="player"><audio controls preload="none" src="audio/{html.escape(name)}"></audio> '
            f'<span>{what}</span></div>')


ZOOM_BEFORE_S, ZOOM_AFTER_S = 20.0, 15.0  # around each cue of a long session


def cue_zooms(view: SessionView, sample, img: Path, stem: str, scores: Scores, height: int = 484) -> list[str]:
    """For a session with several cues (a long monitoring session), one zoomed timeline per cue,
    titled with its outcome (hit with latency, or missed: scoring/monitoring.py)."""
    from dataclasses import replace

    if sample is None or not sample.cues or len(sample.cues) < 2:
        return []
    outcomes = {c.index: c for c in (scores.monitoring.cues if scores.monitoring else []) if c.sample == sample.id}
    out = []
    for k, cue in enumerate(sample.cues):
        o = outcomes.get(k)
        word = "TP" if o is not None and o.hit_s is not None else "FN"
        zoom = replace(view, cue=(cue.start_s, cue.end_s))
        name = f"{stem}-cue{k + 1}"
        plot_timeline(zoom, img / f"{name}.png", word, o.latency_s if o else None, scores.patience_s,
                      window=(max(0.0, cue.start_s - ZOOM_BEFORE_S), cue.end_s + scores.patience_s + ZOOM_AFTER_S))
        what = f"hit, {o.latency_s:+.2f} s after its end" if word == "TP" else "missed"
        out.append(f'<figure id="{name}"><img src="img/{name}.png" alt="cue {k + 1} of {html.escape(sample.id)}" '
                   f'width="1320" height="{height}"><figcaption>{html.escape(sample.id)} · cue {k + 1} of '
                   f'{len(sample.cues)} ({cue.start_s:.1f}–{cue.end_s:.1f} s): {what}</figcaption></figure>')
    return out


def corpus_samples(corpus_dir: str | None) -> dict:
    """The corpus's samples by id, or {} when the corpus is not at hand (the report does without)."""
    if not corpus_dir:
        return {}
    from ..corpus.loader import load_corpus
    from ..errors import ProvoiceError

    try:
        return load_corpus(corpus_dir).by_id()
    except ProvoiceError:
        return {}


def _session_row(e: Entry, anchor: str | None) -> str:
    name = f'<a href="#{anchor}">{html.escape(e.id)}</a>' if anchor else html.escape(e.id)
    what = html.escape(e.reason or OUTCOME_WORDS.get(e.outcome, ""))
    if e.suspect:
        what += f' <span class="SUSPECT">timing suspect: {html.escape(e.suspect)}</span>'
    return (f'<tr><td class="text">{name}</td><td class="text">{e.task}</td>'
            f'<td class="text">{"positive" if e.label else "negative"}</td>'
            f'<td class="text {e.outcome}">{e.outcome}</td><td class="text">{what}</td>'
            f'<td class="num">{fmt_s(e.latency_s)}</td><td class="num">{fmt_rate(e.s_i)}</td></tr>')


def make_report(run_dir: str | Path, out_dir: str | Path, scores: Scores | None = None,
                max_timelines: int = DEFAULT_MAX_TIMELINES, patience_s: float = 5.0,
                corpus: str | Path | None = None) -> Path:
    """Write the report of a run (or a predictions file) to `out_dir`; return index.html's path.

    Without `scores`, the input is scored with the heuristic (offline) judge."""
    run_dir, out = Path(run_dir), Path(out_dir)
    if scores is None:
        from ..scoring.inputs import load_scoring_input
        from ..scoring.scores import score_predictions

        inp = load_scoring_input(run_dir, corpus=corpus)
        scores = score_predictions(inp.predictions, patience_s=patience_s, label=inp.label)  # suspect timing left out
    img = out / "img"
    img.mkdir(parents=True, exist_ok=True)
    for old in [*img.glob("timeline-*.png"), *(out / "audio").glob("timeline-*")]:
        old.unlink()

    run = RunDir(run_dir) if (run_dir / "sessions").is_dir() else None  # no logs: tables only
    corpus_dir = str(corpus) if corpus else None
    if run is not None and corpus_dir is None and run.config_path.is_file():
        corpus_dir = run.read_config().get("corpus")

    plot_latency_histograms(scores, img / "latency.png")
    extra = ""
    if scores.by_snr:  # an ESS loudness sweep
        plot_snr([(scores.label or run_dir.name, scores)], img / "snr.png")
        extra += ('<section id="snr"><h2>ESS: recall and latency against the sound event\'s SNR</h2>'
                  '<img src="img/snr.png" alt="recall and latency against SNR"></section>\n')
    all_entries = entries(scores)
    samples = corpus_samples(corpus_dir) if run is not None else {}
    figures, anchors = [], {}
    for i, e in enumerate(all_entries):
        if len(figures) >= max_timelines or run is None:
            break
        view = session_view(run, e, corpus_dir, samples)
        if view is None:
            continue
        stem = _file_stem(i, e.id)
        plot_timeline(view, img / f"{stem}.png", None if e.outcome == "ERROR" else e.outcome, e.latency_s,
                      scores.patience_s, timing_suspect=e.suspect)
        anchors[e.id] = stem
        caption = f"{e.id} · {e.task} · {'positive' if e.label else 'negative'} · {e.outcome}"
        if e.reason:
            caption += f": {e.reason}"
        height = 616 if view.agent_audio_path else 484
        if e.suspect:
            caption += f" · timing suspect ({'kept in' if scores.include_suspect else 'left out of'} the latency figures): {e.suspect}"
        player = _player(run, e.id, view, out, stem)
        figures.append(f'<figure id="{stem}"><img src="img/{stem}.png" alt="timeline of {html.escape(e.id)}" '
                       f'width="1320" height="{height}">{player}<figcaption>{html.escape(caption)}</figcaption></figure>')
        figures += cue_zooms(view, samples.get(e.id), img, stem, scores, height)
    shown = len(figures)
    if run is None:
        left_out = "No session logs (the input is a predictions file or official outputs): no timelines."
    elif shown < len(all_entries):
        left_out = (f"Timelines of {shown} of {len(all_entries)} sessions (errors and mistakes first; "
                    f"--max-timelines {max_timelines}).")
    else:
        left_out = f"Timelines of all {shown} sessions."

    (out / "scores.json").write_text(to_json_text(scores), encoding="utf-8")
    (out / "scores.md").write_text(to_markdown(scores), encoding="utf-8")
    n = len(scores.samples) + len(scores.errors)
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>ProVoice-Bench report: {html.escape(scores.label or run_dir.name)}</title>
<style>{CSS}</style></head>
<body>
<header><h1>ProVoice-Bench report: {html.escape(scores.label or run_dir.name)}</h1>
<p>{n} sessions ({len(scores.errors)} errored) · judge: {html.escape(scores.judge)} · patience {scores.patience_s:g} s · {when}</p>
<p>source: {html.escape(str(run_dir))}</p></header>
<main>
<nav><p><a href="#tables">Tables</a><a href="#latency">Latency</a><a href="#sessions">Sessions</a>
<a href="scores.json">scores.json</a><a href="scores.md">scores.md</a></p></nav>
<section id="tables">
{to_html(scores)}
</section>
<section id="latency"><h2>Latency from cue end to the first scored interjection</h2>
<img src="img/latency.png" alt="latency histograms per task">
</section>
{extra}<section id="sessions"><h2>Sessions</h2>
<p class="note">{html.escape(left_out)}</p>
<table><tr><th>sample</th><th>task</th><th>label</th><th>outcome</th><th>what happened</th><th>latency (s)</th><th>S_i</th></tr>
{chr(10).join(_session_row(e, anchors.get(e.id)) for e in all_entries[:max(MAX_INDEX_ROWS, shown)])}
</table>
{f'<p class="note">The table lists the first {MAX_INDEX_ROWS} of {len(all_entries)} sessions.</p>' if len(all_entries) > max(MAX_INDEX_ROWS, shown) else ""}
{chr(10).join(figures)}
</section>
</main></body></html>
"""
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    return index
