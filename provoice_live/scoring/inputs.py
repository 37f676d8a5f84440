"""What `score` and `report` read: a run directory, a predictions file, or the official outputs.

* A **run directory** (`config.json`, `sessions/`, `predictions.jsonl`): its predictions file. If the
  run was cut short before writing it, the predictions are rebuilt from the finished sessions'
  results and the corpus named in `config.json` (or `--corpus`).
* A **predictions file** (docs/FORMATS.md, one JSON object a line): every bad line is reported with
  its line number, sample id and field, all at once (`PredictionsError`), never as a traceback.
  Files made elsewhere may lack the ground truth: `--corpus DIR` fills `semantic_cue`, `gt_*`, the cue
  window and `monitor_from_s` from the manifest, and checks that task and label agree with it.
* A **folder of official `<uuid>_response.json` files** with the official `data.json`: see
  `official.py`.

The verdict cache of an LLM judge lives beside what was read: `RUN/judge_cache.jsonl`, or
`judge_cache.jsonl` in the predictions file's (or official folder's) directory.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem, ProblemsError, ProvoiceError, SampleError
from ..jsonl import read_jsonl
from ..run.directory import RunDir
from ..run.results import Prediction
from .judges import CACHE_NAME
from .response import VERDICT_VALUES


class PredictionsError(ProblemsError):
    """Bad lines in a predictions file: each named by line number, sample and field."""

    def __init__(self, path: Path, problems: list[Problem]):
        self.path = path
        super().__init__(f"{path}:", "bad line(s)", problems)


@dataclass
class ScoringInput:
    """Predictions ready to score, a label for the tables, and where a judge cache belongs."""

    predictions: list[Prediction]
    label: str
    cache_path: Path
    run_dir: Path | None = None
    notes: tuple[str, ...] = ()


# ---- predictions files --------------------------------------------------------------------------

def _judge_problem(pred: Prediction) -> tuple[str, str] | None:
    """(field, reason) when a `judge` field is not {tool, text} with values 0, 0.5 or 1."""
    if pred.judge is None:
        return None
    if set(pred.judge) != {"tool", "text"}:
        return "judge", f"must have exactly the keys 'tool' and 'text', not {sorted(pred.judge)}"
    for key in ("tool", "text"):
        if pred.judge[key] not in VERDICT_VALUES:
            return f"judge.{key}", f"must be 0, 0.5 or 1, not {pred.judge[key]!r}"
    return None


TIME_FIELDS = ("first_interjection_s", "cue_start_s", "cue_end_s", "monitor_from_s")


def _time_problems(pred: Prediction) -> list[tuple[str, str]]:
    """(field, reason) for each stream time that is not a finite number >= 0, and a cue that ends
    before it starts. Times are seconds from the start of the sample's audio."""
    problems = []
    times = [(name, getattr(pred, name)) for name in TIME_FIELDS]
    times += [(f"latency_parts.{k}", v) for k, v in (pred.latency_parts or {}).items()]
    for name, value in times:
        if value is None:
            continue
        if not math.isfinite(value):
            problems.append((name, f"must be a finite number of seconds, not {value}"))
        elif value < 0:
            problems.append((name, f"must be >= 0 (seconds from the start of the audio), not {value}"))
    start, end = pred.cue_start_s, pred.cue_end_s
    if start is not None and end is not None and math.isfinite(start) and math.isfinite(end) and end < start:
        problems.append(("cue_end_s", f"the cue ends ({end}) before it starts ({start})"))
    for name in ("premature_interjections", "agent_errors"):
        if (getattr(pred, name) or 0) < 0:
            problems.append((name, f"must be >= 0, not {getattr(pred, name)}"))
    return problems


def _line_problems(pred: Prediction) -> list[tuple[str, str]]:
    """(field, reason) for everything wrong with a prediction that its model accepted."""
    judge = _judge_problem(pred)
    return ([judge] if judge else []) + _time_problems(pred)


def read_predictions(path: str | Path) -> list[Prediction]:
    """Read a predictions file; raise PredictionsError naming every bad line."""
    path = Path(path)
    if not path.is_file():
        raise ProvoiceError(f"{path} does not exist")
    parsed, problems = read_jsonl(path, Prediction, "predictions", _line_problems)
    preds = [pred for _, pred in parsed]
    if problems:
        raise PredictionsError(path, problems)
    if not preds:
        raise ProvoiceError(f"{path} holds no predictions")
    return preds


# ---- ground truth from a corpus -----------------------------------------------------------------

def fill_from_corpus(preds: list[Prediction], corpus_dir: str | Path) -> list[Prediction]:
    """Fill absent ground truth and timing fields from the corpus manifest; check task and label."""
    from ..corpus.loader import load_corpus

    samples = load_corpus(corpus_dir).by_id()
    out = []
    for p in preds:
        s = samples.get(p.id)
        if s is None:
            raise SampleError(p.id, "id", f"is not in the corpus manifest of {corpus_dir}")
        for name in ("task", "label"):
            if getattr(p, name) != getattr(s, name):
                raise SampleError(p.id, name, f"is {getattr(p, name)!r} here but {getattr(s, name)!r} in the corpus")
        fill = {
            "semantic_cue": s.semantic_cue, "gt_response": s.gt_response, "gt_tool_calls": list(s.gt_tool_calls),
            "monitor_from_s": s.monitor_from_s,
            "cue_start_s": s.cue.start_s if s.cue else None, "cue_end_s": s.cue.end_s if s.cue else None,
            "cues": [{"start_s": c.start_s, "end_s": c.end_s} for c in s.cues] if s.cues else None,
            "sound_snr_db": (s.meta or {}).get("sound_snr_db"),
        }
        update = {k: v for k, v in fill.items() if getattr(p, k) is None and v is not None}
        out.append(p.model_copy(update=update) if update else p)
    return out


# ---- run directories ----------------------------------------------------------------------------

def predictions_from_run(run_dir: str | Path, corpus_dir: str | Path | None = None,
                         notes: list[str] | None = None) -> list[Prediction]:
    """A run's predictions: its predictions.jsonl, or rebuilt from its finished sessions' results
    when that file is missing, damaged (a torn line) or holds fewer sessions than `sessions/` has
    results; a rebuild from a damaged file is said in `notes`."""
    run = RunDir(run_dir)
    finished = len(list(run.sessions.glob("*.result.json"))) if run.sessions.is_dir() else 0
    damage = None
    if run.predictions_path.is_file():
        try:
            preds = read_predictions(run.predictions_path)
        except PredictionsError as exc:
            damage = f"its predictions.jsonl is damaged ({exc.problems[0]})"
        except ProvoiceError:  # no line at all
            damage = "its predictions.jsonl is empty"
        else:
            if len(preds) >= finished:
                return preds
            damage = f"its predictions.jsonl holds {len(preds)} of the {finished} finished sessions"
    from ..corpus.loader import load_corpus
    from ..run.results import prediction_from_result

    corpus_dir = corpus_dir or run.read_config().get("corpus")
    if not corpus_dir:
        if damage:
            raise ProvoiceError(f"{run.root}: {damage}; rerun the same `provoice-live run` command to rewrite it, "
                                "or pass --corpus DIR to rebuild it from sessions/")
        raise ProvoiceError(f"{run.root} has no predictions.jsonl and no corpus to rebuild it: pass --corpus DIR")
    corpus = load_corpus(corpus_dir)
    preds = [prediction_from_result(s, run.read_result(s.id)) for s in corpus.samples if run.is_finished(s.id)]
    if not preds:
        raise ProvoiceError(f"{run.root} holds no finished session")
    if damage and notes is not None:
        notes.append(f"{damage}: scored {len(preds)} session(s) rebuilt from sessions/ "
                     "(rerunning the same `run` command rewrites the file)")
    return preds


def run_label(run_dir: Path) -> str:
    """A short name for a run: its agent and directory name."""
    try:
        agent = RunDir(run_dir).read_config().get("agent")
    except (ProvoiceError, ValueError, OSError):
        agent = None
    return f"{agent} ({run_dir.name})" if agent else run_dir.name


def is_official_folder(path: Path) -> bool:
    return path.is_dir() and any(path.glob("*_response.json"))


def load_scoring_input(path: str | Path, corpus: str | Path | None = None,
                       official_data: str | Path | None = None) -> ScoringInput:
    """Whatever `path` is (run directory, predictions file, official folder), predictions to score."""
    path = Path(path)
    notes: tuple[str, ...] = ()
    if official_data is not None or is_official_folder(path):
        from .official import load_official

        if official_data is None:
            raise ProvoiceError(f"{path} holds official <uuid>_response.json files: pass --official-data data.json")
        preds, notes = load_official(path, official_data)
        inp = ScoringInput(preds, path.name, path / CACHE_NAME, None, notes)
    elif path.is_dir():
        if not (RunDir(path).config_path.is_file() or RunDir(path).predictions_path.is_file()):
            raise ProvoiceError(f"{path} is neither a run directory (config.json, predictions.jsonl) "
                                "nor a folder of official <uuid>_response.json files")
        rebuilt: list[str] = []
        preds = predictions_from_run(path, corpus, rebuilt)
        inp = ScoringInput(preds, run_label(path), path / CACHE_NAME, path, tuple(rebuilt))
    elif path.is_file():
        inp = ScoringInput(read_predictions(path), path.stem, path.parent / CACHE_NAME)
    else:
        raise ProvoiceError(f"{path} does not exist")
    if corpus is not None:
        inp.predictions = fill_from_corpus(inp.predictions, corpus)
    return inp
