"""The report's summary pictures: the latency distribution of each task."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..scoring.decisions import OVERALL
from ..scoring.scores import Scores
from .timeline import COLORS


def latencies_by_task(scores: Scores) -> dict[str, list[float]]:
    """The latencies of the timed true positives, per task (paper order)."""
    out: dict[str, list[float]] = {t: [] for t in scores.tasks}
    for s in scores.samples:
        if s.timing.latency_s is not None:
            out.setdefault(s.task, []).append(s.timing.latency_s)
    return out


def plot_latency_histograms(scores: Scores, path: str | Path, dpi: int = 110) -> Path:
    """One histogram per task of the latency from cue end to the first scored interjection."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    data = latencies_by_task(scores)
    tasks = list(data) or ["(none)"]
    everything = [x for xs in data.values() for x in xs]
    lo = min([0.0] + everything)
    hi = max([scores.patience_s + 1.0] + everything)
    bins = np.linspace(lo, hi, 31)
    fig = Figure(figsize=(3.3 * len(tasks) + 0.6, 3.4), dpi=dpi)
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(tasks), sharex=True, squeeze=False)[0]
    for ax, task in zip(axes, tasks):
        xs = data.get(task, [])
        timing = scores.timing.get(task)
        ax.axvspan(scores.patience_s, hi, color="#EEEEEE", lw=0)
        if xs:
            ax.hist(xs, bins=bins, color=COLORS["wave"], edgecolor="white", lw=0.6)
            med, p90 = float(np.median(xs)), float(np.percentile(xs, 90))
            ax.axvline(med, color=COLORS["scored"], lw=1.6, ls="--")
            ax.axvline(p90, color=COLORS["scored"], lw=1.2, ls=":")
            sub = f"n={len(xs)} · median {med:.2f} s\np90 {p90:.2f} s"
        else:
            ax.text(0.5, 0.5, "no timed true positive", transform=ax.transAxes, ha="center", va="center",
                    color="#888888", fontsize=9, style="italic")
            sub = "n=0\n"
        timely = f" · timely {timing.timely}/{timing.timely_n}" if timing and timing.timely_n else ""
        ax.set_title(f"{sub}{timely}", fontsize=8.5, color="#444444")
        ax.text(0.0, 1.0, task, transform=ax.transAxes, fontsize=12, fontweight="bold", va="bottom", ha="left")
        ax.axvline(0, color="#444444", lw=0.8)
        ax.set_xlabel("latency from cue end (s)", fontsize=9)
        ax.tick_params(labelsize=8)
        ax.yaxis.get_major_locator().set_params(integer=True)
        for spine in ("top", "right"):
            ax.spines[spine].set_visible(False)
    axes[0].set_ylabel("true positives", fontsize=9)
    overall = scores.timing.get(OVERALL)
    head = "Latency of true positives"
    if overall and overall.latency.n:
        head += f" (overall median {overall.latency.median:.2f} s, p90 {overall.latency.p90:.2f} s)"
    fig.suptitle(head, fontsize=11, fontweight="bold", x=0.02, ha="left")
    fig.legend(handles=[Line2D([], [], color=COLORS["scored"], ls="--", label="median"),
                        Line2D([], [], color=COLORS["scored"], ls=":", label="p90"),
                        Patch(color="#EEEEEE", label=f"later than the patience ({scores.patience_s:g} s)")],
               loc="upper right", ncol=3, frameon=False, fontsize=8, bbox_to_anchor=(1.0, 1.0))
    fig.subplots_adjust(left=0.6 / (3.3 * len(tasks) + 0.6), right=0.985, bottom=0.17, top=0.72, wspace=0.22)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, facecolor="white")
    return path


def plot_snr(runs: list[tuple[str, Scores]], path: str | Path, dpi: int = 110) -> Path:
    """Recall and median latency against the sound event's SNR (an ESS sweep), one line per run."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9.0, 3.6), dpi=dpi)
    FigureCanvasAgg(fig)
    rec_ax, lat_ax = fig.subplots(1, 2)
    for label, s in runs:
        levels = sorted(s.by_snr)
        rec = [s.by_snr[lv]["recall"] for lv in levels]
        lat = [s.by_snr[lv]["latency_median_s"] for lv in levels]
        rec_ax.plot(levels, [np.nan if r is None else r for r in rec], marker="o", label=label)
        lat_ax.plot(levels, [np.nan if x is None else x for x in lat], marker="o", label=label)
    rec_ax.set(xlabel="sound event SNR (dB)", ylabel="recall", ylim=(-0.03, 1.03), title="Recall against SNR")
    lat_ax.set(xlabel="sound event SNR (dB)", ylabel="median latency (s)", title="Latency against SNR")
    for ax in (rec_ax, lat_ax):
        ax.grid(alpha=0.3)
    rec_ax.legend(fontsize=8)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    return path
