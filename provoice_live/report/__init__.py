"""Reports: the HTML page with the tables, latency histograms and a timeline picture per session.

    from provoice_live.report import make_report
    make_report("runs/demo", "runs/demo/report")   # -> runs/demo/report/index.html
"""

from .html import make_report
from .plots import plot_latency_histograms
from .timeline import SessionView, plot_timeline

__all__ = ["make_report", "plot_latency_histograms", "SessionView", "plot_timeline"]
