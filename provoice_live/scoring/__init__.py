"""Scoring: from predictions to the paper's Table 1 (decisions), Table 2 (response accuracy) and our
timing table, with an offline heuristic judge or an LLM judge. Pure functions over typed values;
I/O (reading inputs, calling a judge, writing tables) at the edges.

    from provoice_live.scoring import load_scoring_input, score_predictions, render_tables
    scores = score_predictions(load_scoring_input("runs/demo").predictions)   # heuristic (offline)
    print(render_tables(scores))
"""

from .decisions import Confusion, decision_table, outcome
from .heuristic import HeuristicJudge
from .inputs import PredictionsError, fill_from_corpus, load_scoring_input, read_predictions
from .judges import JudgeItem, OpenAIJudge, VerdictCache, make_judge
from .response import Verdict, r_acc, sample_score
from .scores import Scores, ascore_predictions, score_predictions
from .tables import render_tables, render_terminal, to_csv, to_json_text, to_markdown

__all__ = [
    "Confusion", "decision_table", "outcome", "HeuristicJudge", "PredictionsError", "fill_from_corpus",
    "load_scoring_input", "read_predictions", "JudgeItem", "OpenAIJudge", "VerdictCache", "make_judge",
    "Verdict", "r_acc", "sample_score", "Scores", "ascore_predictions", "score_predictions",
    "render_tables", "render_terminal", "to_csv", "to_json_text", "to_markdown",
]
