"""A session's timeline picture: what was heard, when the agent spoke, and where it should have.

`SessionView.from_trace(trace)` reads a session's joined log (`run.trace.SessionTrace`): the audio
path, cue window and monitoring start from `session_start`, speech activity from the `vad` records,
the polls, the interjections (completed by their `response` record: full text and every tool call),
and the end status. `plot_timeline(view, path)` draws it with
matplotlib's object API (no pyplot state, Agg canvas), in three lanes sharing the time axis:

    what the agent said   text boxes on stems at each interjection (scored red, before monitoring grey)
    waveform              the audio's envelope; the cue window and the patience after it shaded,
                          the time before monitoring starts greyed out
    speech                the speech the harness's VAD found, and under "script" who speaks when (the
                          corpus's segments: user, other speaker, sound event) when the corpus is at hand

The title names the sample, task, label and outcome (with the latency of a true positive).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..corpus.sample import ToolCall
from ..run.trace import SessionTrace

# One palette for every picture of the report.
COLORS = {
    "wave": "#546E7A",
    "speech": "#55A868",
    "cue": "#DD8452",
    "patience": "#F2C9A5",
    "unmonitored": "#BBBBBB",
    "scored": "#C44E52",
    "unscored": "#8C8C8C",
    "poll": "#8172B3",
    "text": "#222222",
    "user1": "#4C72B0",
    "user2": "#8172B3",
    "sound": "#B8860B",
    "agent_wave": "#8E5572",
    "voice_reply": "#C44E52",
    "voice_backchannel": "#E0A458",
    "voice_blip": "#BBBBBB",
}
SEGMENT_NAMES = {"user1": "user", "user2": "other"}
OUTCOME_WORDS = {"TP": "spoke up when it should", "FN": "missed the cue", "FP": "false alarm",
                 "TN": "stayed silent, rightly", "ERROR": "session error"}


@dataclass
class Interjection:
    t: float  # the first output of the response (text, audio or tool call)
    text: str
    tool_calls: list[ToolCall]
    scored: bool

    def label(self, width: int = 34, lines: int = 3) -> str:
        """The interjection as a few short lines: tool calls first, then the words."""
        parts = [f"{c.name}({_args_short(c.arguments)})" for c in self.tool_calls]
        if self.text:
            parts.append(f"“{self.text}”")
        wrapped = textwrap.wrap("  ".join(parts) or "(audio)", width)
        if len(wrapped) > lines:
            wrapped = wrapped[:lines]
            wrapped[-1] = wrapped[-1][: width - 1].rstrip() + "…"
        return "\n".join(wrapped)


def _args_short(args: dict[str, Any], limit: int = 40) -> str:
    s = ", ".join(f"{k}={v!r}" if not isinstance(v, str) else f"{k}={v}" for k, v in args.items())
    return s if len(s) <= limit else s[: limit - 1] + "…"


@dataclass
class SessionView:
    """Everything a timeline shows of one session."""

    id: str
    task: str = ""
    label: bool | None = None
    audio_path: str | None = None
    duration_s: float | None = None
    monitor_from_s: float = 0.0
    cue: tuple[float, float] | None = None
    speech: list[tuple[float, float]] = field(default_factory=list)
    # the corpus's script when known: (kind user1|user2|sound, start, end, text or sound label)
    segments: list[tuple[str, float, float, str]] = field(default_factory=list)
    polls: list[float] = field(default_factory=list)
    interjections: list[Interjection] = field(default_factory=list)
    status: str = "ok"
    reason: str | None = None
    end_s: float = 0.0
    # agents that speak: their voice (the wav beside the log) and the segments heard in it
    agent_audio_path: str | None = None
    voice: list[tuple[float, float, str]] = field(default_factory=list)  # (onset, end, verdict)

    @classmethod
    def from_trace(cls, trace: SessionTrace, sample_id: str = "", log_dir: Path | None = None) -> "SessionView":
        """The view of a session's joined log records (`log_dir`: where the log is, for the agent's wav)."""
        view = cls(id=sample_id, end_s=trace.last_t)
        start = trace.start
        if start is not None:
            view.id = start.session_id or view.id
            view.task = start.task or view.task
            view.label = start.label if start.label is not None else view.label
            audio = start.audio or {}
            view.audio_path = audio.get("path")
            view.duration_s = audio.get("duration_s") or (start.source or {}).get("duration_s")
            view.monitor_from_s = float(start.monitor_from_s or 0.0)
            if start.cue:
                view.cue = (float(start.cue["start_s"]), float(start.cue["end_s"]))
        view.speech = list(trace.speech)
        if trace.open_speech_s is not None:
            view.speech.append((trace.open_speech_s, view.duration_s or view.end_s))
        view.polls = [float(p.t) for p in trace.polls if isinstance(p.t, (int, float))]
        # each interjection completed by its response, once done: its full text and every tool call
        view.interjections = [Interjection(r.t, r.text, list(r.tool_calls), r.scored) for r in trace.replies]
        view.voice = [(float(v.t or 0.0), v.end_s, v.verdict) for v in trace.voice]
        if trace.agent_audio is not None and trace.agent_audio.wav and log_dir is not None:
            view.agent_audio_path = str(Path(log_dir) / trace.agent_audio.wav)
        if trace.end is not None:
            view.status = trace.end.status
            view.reason = trace.end.reason
        return view

    @property
    def span_s(self) -> float:
        """The time axis: the audio, and whatever happened after it."""
        ends = [self.duration_s or 0.0, self.end_s] + [i.t for i in self.interjections]
        return max(1.0, *ends)


def load_waveform(path: str | None, bins: int = 1600,
                  window: tuple[float, float] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(times, min, max) of the audio's envelope in `bins` columns (over `window` seconds when
    given), or None if it cannot be read."""
    if not path:
        return None
    from ..audio import load_audio
    from ..errors import ProvoiceError

    try:
        x, rate = load_audio(path)
    except ProvoiceError:
        return None
    first = 0
    if window is not None:
        first = max(0, int(window[0] * rate))
        x = x[first: max(first, int(window[1] * rate))]
    per = max(1, len(x) // bins)
    n = len(x) // per
    if n == 0:
        return None
    frames = x[: n * per].reshape(n, per)
    t = (first + (np.arange(n) + 0.5) * per) / rate
    return t, frames.min(axis=1), frames.max(axis=1)


def title_of(view: SessionView, outcome: str | None, latency_s: float | None) -> str:
    label = {True: "positive", False: "negative", None: "label ?"}[view.label]
    head = f"{view.id}  ·  {view.task or '?'}  ·  {label}"
    if view.status == "error":
        return f"{head}  ·  ERROR: {textwrap.shorten(view.reason or 'session error', 95)}"
    if outcome is None:
        return head
    tail = f"{outcome}: {OUTCOME_WORDS.get(outcome, '')}"
    if outcome == "TP" and latency_s is not None:
        tail += f", {latency_s:+.2f} s after the cue end"
    return f"{head}  ·  {tail}"


def subtitle_of(view: SessionView) -> str:
    scored = sum(i.scored for i in view.interjections)
    bits = [f"audio {view.duration_s:.1f} s" if view.duration_s else "audio length unknown"]
    if view.monitor_from_s > 0:
        bits.append(f"monitoring from {view.monitor_from_s:.2f} s")
    bits.append(f"cue {view.cue[0]:.2f}–{view.cue[1]:.2f} s" if view.cue else "no cue window")
    bits.append(f"{len(view.interjections)} interjection(s), {scored} scored")
    if view.polls:
        bits.append(f"{len(view.polls)} poll(s)")
    return "   ·   ".join(bits)


def plot_timeline(view: SessionView, path: str | Path, outcome: str | None = None,
                  latency_s: float | None = None, patience_s: float = 5.0, dpi: int = 110,
                  window: tuple[float, float] | None = None, timing_suspect: str | None = None) -> Path:
    """Draw one session's timeline to a PNG file; `window` (seconds) zooms to part of it (a cue of a
    long session), keeping only the interjections inside; `timing_suspect` (why) marks a session whose
    timing the run's health check doubted."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    span = view.span_s if window is None else window[1] - window[0]
    x0 = 0.0 if window is None else window[0]
    if window is not None:
        from dataclasses import replace

        view = replace(view, interjections=[i for i in view.interjections if window[0] <= i.t <= window[1]],
                       segments=[sg for sg in view.segments if sg[2] >= window[0] and sg[1] <= window[1]])
    agent = view.agent_audio_path is not None
    fig = Figure(figsize=(12, 5.6 if agent else 4.4), dpi=dpi)
    FigureCanvasAgg(fig)
    ratios = [1.35, 2.0] + ([1.4] if agent else []) + [0.62 if view.segments else 0.38]
    gs = fig.add_gridspec(len(ratios), 1, height_ratios=ratios, hspace=0.08,
                          left=0.06, right=0.985, top=0.88 if agent else 0.86, bottom=0.16 if agent else 0.2)
    ax_txt = fig.add_subplot(gs[0])
    ax_wave = fig.add_subplot(gs[1], sharex=ax_txt)
    ax_agent = fig.add_subplot(gs[2], sharex=ax_txt) if agent else None
    ax_vad = fig.add_subplot(gs[-1], sharex=ax_txt)
    lanes = [ax for ax in (ax_txt, ax_wave, ax_agent, ax_vad) if ax is not None]

    # shaded context on every lane
    for ax in lanes:
        if view.monitor_from_s > 0:
            ax.axvspan(0, view.monitor_from_s, color=COLORS["unmonitored"], alpha=0.25, lw=0)
        if view.cue:
            ax.axvspan(*view.cue, color=COLORS["cue"], alpha=0.35, lw=0)
            ax.axvspan(view.cue[1], view.cue[1] + patience_s, color=COLORS["patience"], alpha=0.35, lw=0)
        for spine in ("top", "right"):
            ax.spines[spine].set_visible(False)

    # waveform
    wave = load_waveform(view.audio_path, window=window)
    if wave is not None:
        t, lo, hi = wave
        peak = max(1e-6, float(np.max(np.abs([lo.min(), hi.max()]))))
        ax_wave.fill_between(t, lo / peak, hi / peak, color=COLORS["wave"], lw=0, alpha=0.9)
    else:
        ax_wave.text(0.5, 0.5, "audio not available", transform=ax_wave.transAxes, ha="center", va="center",
                     color="#888888", fontsize=10)
    ax_wave.set_ylim(-1.08, 1.36)
    ax_wave.set_yticks([])
    ax_wave.set_ylabel("audio", fontsize=9)
    if view.monitor_from_s > 0:
        ax_wave.axvline(view.monitor_from_s, color="#555555", ls="--", lw=1)
        ax_wave.text(view.monitor_from_s - span * 0.004, 1.32, "monitoring starts →", fontsize=8, color="#444444",
                     ha="right", va="top")
    if view.cue:
        ax_wave.text((view.cue[0] + view.cue[1]) / 2, 1.32, "cue", fontsize=8.5, color="#A0521D", ha="center",
                     va="top", fontweight="bold")

    # the agent's voice, under the scene's: its waveform and the segments heard in it
    if ax_agent is not None:
        voice = load_waveform(view.agent_audio_path, window=window)
        if voice is not None:
            t, lo, hi = voice
            peak = max(1e-6, float(np.max(np.abs([lo.min(), hi.max()]))))
            ax_agent.fill_between(t, lo / peak, hi / peak, color=COLORS["agent_wave"], lw=0, alpha=0.9)
        for a, b, verdict in view.voice:
            ax_agent.axvspan(a, b, ymin=0.9, ymax=1.0, color=COLORS[f"voice_{verdict}"], lw=0)
        ax_agent.set_ylim(-1.08, 1.3)
        ax_agent.set_yticks([])
        ax_agent.set_ylabel("agent voice", fontsize=9)
        ax_agent.tick_params(labelbottom=False, bottom=False)

    # speech activity (VAD), under the script when the corpus gives one
    vad_row = (0.08, 0.38) if view.segments else (0.15, 0.7)
    if view.speech:
        ax_vad.broken_barh([(a, b - a) for a, b in view.speech], vad_row, color=COLORS["speech"])
    for kind, a, b, text in view.segments:
        color = COLORS.get(kind, COLORS["sound"])
        ax_vad.broken_barh([(a, b - a)], (0.54, 0.38), color=color, alpha=0.85)
        name = SEGMENT_NAMES.get(kind, f"♪ {text}" if text else "sound")
        if b - a > span * 0.05:
            ax_vad.text(a + span * 0.004, 0.73, name, fontsize=7, color="white", va="center", ha="left",
                        clip_on=True, fontweight="bold")
    for tp in view.polls:
        ax_vad.plot([tp], [vad_row[0] + vad_row[1] / 2], marker="|", ms=9, color=COLORS["poll"], mew=1.2)
    ax_vad.set_ylim(0, 1)
    ax_vad.set_yticks([0.27, 0.73] if view.segments else [])
    if view.segments:
        ax_vad.set_yticklabels(["VAD", "script"], fontsize=8)
        ax_vad.tick_params(axis="y", length=0)
    if not view.segments:
        ax_vad.set_ylabel("speech", fontsize=9, rotation=0, ha="right", va="center")
    ax_vad.set_xlabel("stream time (s)", fontsize=9)
    ax_vad.set_xlim(x0, x0 + span * 1.01)
    ax_vad.tick_params(axis="x", labelsize=8)

    # interjections: a stem through all lanes, a text box in the top lane, staggered
    ax_txt.set_ylim(0, 1)
    ax_txt.set_yticks([])
    ax_txt.tick_params(labelbottom=False, bottom=False)
    ax_wave.tick_params(labelbottom=False, bottom=False)
    ax_txt.spines["bottom"].set_visible(False)
    levels = (0.93, 0.55)
    last_x = [-1e9, -1e9]
    for inter in view.interjections[:12]:
        color = COLORS["scored"] if inter.scored else COLORS["unscored"]
        for ax in lanes[1:]:
            ax.axvline(inter.t, color=color, lw=1.6)
        ax_txt.axvline(inter.t, ymax=0.98, color=color, lw=1.0, alpha=0.6)
        ax_txt.plot([inter.t], [0.02], marker="v", color=color, ms=7, clip_on=False)
        # pick the level whose last box is farthest behind, to avoid overlaps
        slot = 0 if inter.t - last_x[0] >= inter.t - last_x[1] else 1
        last_x[slot] = inter.t
        ha = "left" if inter.t - x0 < span * 0.72 else "right"
        ax_txt.text(inter.t, levels[slot], inter.label(), ha=ha, va="top", fontsize=8, color=COLORS["text"],
                    multialignment="left",
                    bbox=dict(boxstyle="round,pad=0.35", fc="white", ec=color, lw=1.0), clip_on=False)
    if len(view.interjections) > 12:
        ax_txt.text(1.0, 0.02, f"+{len(view.interjections) - 12} more", transform=ax_txt.transAxes,
                    ha="right", fontsize=8, color="#666666")
    if not view.interjections:
        ax_txt.text(0.5, 0.5, "the agent did not speak", transform=ax_txt.transAxes, ha="center", va="center",
                    color="#888888", fontsize=9, style="italic")
    ax_txt.set_ylabel("agent", fontsize=9)

    color_title = {"TP": "#2E7D32", "TN": "#2E7D32", "FP": "#C62828", "FN": "#C62828"}.get(outcome or "", "#222222")
    if view.status == "error":
        color_title = "#B71C1C"
    fig.suptitle(title_of(view, outcome, latency_s), x=0.06, y=0.985, ha="left", fontsize=11.5,
                 fontweight="bold", color=color_title)
    fig.text(0.06, 0.905, subtitle_of(view), ha="left", fontsize=8.5, color="#666666")
    if timing_suspect:
        fig.text(0.06, 0.87, textwrap.shorten(f"TIMING SUSPECT: {timing_suspect}", 160), ha="left", fontsize=8.5,
                 color="#E65100", fontweight="bold")

    handles = []
    if view.cue:
        handles += [Patch(color=COLORS["cue"], alpha=0.6, label="cue window"),
                    Patch(color=COLORS["patience"], alpha=0.6, label=f"patience ({patience_s:g} s)")]
    if view.monitor_from_s > 0:
        handles.append(Patch(color=COLORS["unmonitored"], alpha=0.5, label="before monitoring"))
    kinds = {k for k, *_ in view.segments}
    handles += [Patch(color=COLORS[k], alpha=0.85, label=label) for k, label in
                (("user1", "user speaking"), ("user2", "other speaker"), ("sound", "sound event")) if k in kinds]
    handles.append(Patch(color=COLORS["speech"], label="speech (VAD)"))
    verdicts = {v for *_, v in view.voice}
    handles += [Patch(color=COLORS[f"voice_{v}"], label=f"agent: {v}") for v in ("reply", "backchannel", "blip")
                if v in verdicts]
    if any(i.scored for i in view.interjections):
        handles.append(Line2D([], [], color=COLORS["scored"], lw=2, label="interjection (scored)"))
    if any(not i.scored for i in view.interjections):
        handles.append(Line2D([], [], color=COLORS["unscored"], lw=2, label="interjection (not scored)"))
    if view.polls:
        handles.append(Line2D([], [], color=COLORS["poll"], marker="|", ls="", ms=9, label="poll"))
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False, fontsize=8.5,
               bbox_to_anchor=(0.52, 0.0))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, facecolor="white")
    return path
