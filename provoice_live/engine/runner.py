"""The runner: many sessions with bounded concurrency, a progress bar, and resume.

Rerunning the same command into the same run directory skips sessions that have a result file
(ok or error; `retry_errors` redoes the errored ones). A session cut short leaves a log without a
result and is redone. `predictions.jsonl` is rewritten from all results at the end, also after an
interrupt, so finished work is never lost.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..agents import agent_model
from ..agents.base import AgentModel, SessionContext
from ..corpus.loader import Corpus, load_corpus
from ..corpus.sample import Sample
from ..errors import ProvoiceError, SampleError
from ..redact import scrub
from ..run.directory import RunConfig, RunDir
from ..run.records import SessionRecord
from ..run.results import SessionResult, prediction_from_result
from ..sources.file import FileSource
from .health import run_timed
from .session import SessionConfig, run_session, to_completion_in_thread, write_failed_session
from .voice import write_session_mix

log = logging.getLogger(__name__)


@dataclass
class RunSummary:
    run_dir: Path
    total: int
    ran: int
    skipped: int
    errors: list[str] = field(default_factory=list)
    earlier_errors: list[str] = field(default_factory=list)  # resumed sessions that had ended in an error
    wall_s: float = 0.0
    audio_s: float = 0.0
    compute_s: float = 0.0
    not_run: list[str] = field(default_factory=list)  # ids an executor could not run (workers lost)


async def run_one(corpus: Corpus, sample: Sample, model: AgentModel, run: RunDir, config: SessionConfig,
                  on_record: Callable[[SessionRecord], None] | None = None) -> SessionResult:
    """Load one sample's audio at the agent's rate, run a session of `model` on it, write its result."""
    log_path = run.log_path(sample.id)
    agent = model.name
    rate = model.capabilities.input_sample_rate
    try:
        source = FileSource.from_path(corpus.audio_path(sample), rate, config.chunk_ms, sample.id)
    except SampleError as exc:
        result = write_failed_session(log_path, sample.id, agent, config.clock, str(exc))
        run.write_result(result)
        return result
    adapter = model.session()
    ctx = SessionContext.for_sample(sample, protocol=config.protocol, digital_context=config.digital_context,
                                    pass_instruction=config.pass_instruction, audio_duration_s=source.duration_s)
    audio_path = str(corpus.audio_path(sample))
    result = await run_session(ctx, source, adapter, log_path, config, monitor_from_s=sample.monitor_from_s,
                               cue=sample.cue, on_record=on_record,
                               extra_start={"audio": {"path": audio_path, "rate": rate,
                                                      "duration_s": round(source.duration_s, 6)},
                                            "task": sample.task, "label": sample.label},
                               context_updates=(sample.context_updates or []) if config.digital_context else [])
    write_session_mix(log_path, Path(audio_path))  # the agent spoke: left the scene, right the agent
    await to_completion_in_thread(run.write_result, result)  # an fsync: off the loop the other sessions run on
    return result


def write_predictions(corpus: Corpus, run: RunDir) -> Path:
    """predictions.jsonl from every finished session, in manifest order."""
    preds = []
    for sample in corpus.samples:
        if run.is_finished(sample.id):
            preds.append(prediction_from_result(sample, run.read_result(sample.id)))
    return run.write_predictions(preds)


def settle_capabilities(cfg: RunConfig, results: list[SessionResult]) -> RunConfig:
    """The config as the sessions ran: an agent may narrow its declared capabilities at start (a
    WebSocket server declining polls in its hello). When every session that says so agrees, the
    config's `needs_poll` is theirs; when they differ, `polled_sessions` counts each kind."""
    polled = [r.polled for r in results if r.polled is not None]
    caps = dict(cfg.agent_settings.get("capabilities") or {})
    if not polled or "needs_poll" not in caps:
        return cfg
    settings = dict(cfg.agent_settings)
    if len(set(polled)) == 1:
        if caps["needs_poll"] == polled[0]:
            return cfg
        settings["capabilities"] = caps | {"needs_poll": polled[0]}
        settings["declared_needs_poll"] = caps["needs_poll"]
    else:
        settings["polled_sessions"] = {"polled": sum(polled), "not_polled": len(polled) - sum(polled)}
    return cfg.model_copy(update={"agent_settings": settings})


def run_config(corpus_dir: Path, agent: str, agent_opts: dict[str, Any], config: SessionConfig,
               concurrency: int, settings: dict[str, Any] | None) -> RunConfig:
    return RunConfig(kind="benchmark", corpus=str(Path(corpus_dir).resolve()), agent=agent,
                     agent_options=agent_opts, agent_settings=settings or {}, session=asdict(config),
                     concurrency=concurrency)


@dataclass
class RunWork:
    """What every session of a run shares: handed to an executor with the samples to run."""

    corpus: Corpus
    agent: str  # the name and options that make `model` (what a remote worker makes it from)
    agent_opts: dict[str, Any]
    model: AgentModel
    config: SessionConfig
    run: RunDir
    concurrency: int


Finished = Callable[[Sample, SessionResult], None]


class LocalExecutor:
    """Sessions on this machine: up to `concurrency` at once in this event loop."""

    name = "local"

    async def run(self, work: RunWork, todo: list[Sample], finished: Finished) -> list[str]:
        """Run each sample's session, write its result, call `finished`; the ids not run (none here)."""
        sem = asyncio.Semaphore(max(1, work.concurrency))

        async def one(sample: Sample) -> None:
            async with sem:
                finished(sample, await run_one(work.corpus, sample, work.model, work.run, work.config))

        # return_exceptions: on an interrupt, wait until every session has finished its cleanup (a
        # result being written completes; see to_completion_in_thread) before predictions are written
        for outcome in await asyncio.gather(*(one(s) for s in todo), return_exceptions=True):
            if isinstance(outcome, BaseException):
                raise outcome
        return []


async def run_corpus_async(corpus_dir: str | Path, agent: str, agent_opts: dict[str, Any], out: str | Path,
                           config: SessionConfig, concurrency: int = 1, progress: bool = True,
                           retry_errors: bool = False, limit: int | None = None,
                           ids: list[str] | None = None, allow_invalid: bool = False,
                           executor: Any = None) -> RunSummary:
    """Run the corpus's sessions (those not finished yet) into OUT with `executor` (default local).

    An executor has `run(work, todo, finished) -> ids not run`; it calls `finished(sample, result)`
    once per session it ran, after the result is in the run directory (see `LocalExecutor`,
    `cluster.sessions.RayExecutor`).
    """
    corpus = load_corpus(corpus_dir)
    refuse_inconsistent(corpus_dir, allow_invalid)
    samples = corpus.samples
    if ids:
        wanted = set(ids)
        samples = [s for s in samples if s.id in wanted]
    if limit:
        samples = samples[:limit]
    model = agent_model(agent, **agent_opts)  # unknown agents and bad options fail before anything is written
    run = RunDir(out).create()
    cfg = run_config(Path(corpus_dir), agent, agent_opts, config, concurrency, model.settings())
    if run.config_path.is_file():
        old, new = run.read_config(), cfg.stored()  # the stored config is redacted: compare like with like
        for key in ("agent", "agent_options", "session"):
            if old.get(key) != new.get(key) and old.get(key) is not None:
                raise ProvoiceError(f"{out} holds a run with a different {key} ({old.get(key)!r}); "
                                    "use another --out or delete it")
    run.write_config(cfg)
    todo = [s for s in samples if not run.is_finished(s.id)
            or (retry_errors and run.read_result(s.id).status == "error")]
    summary = RunSummary(run_dir=Path(out), total=len(samples), ran=0, skipped=len(samples) - len(todo))
    todo_ids = {s.id for s in todo}
    for s in samples:
        if s.id not in todo_ids and (earlier := run.read_result(s.id)).status == "error":
            summary.earlier_errors.append(f"{s.id}: {scrub(earlier.error or '')}")
    executor = executor or LocalExecutor()
    t0 = time.perf_counter()

    bar = _progress(progress, len(samples), summary.skipped, agent)

    def finished(sample: Sample, result: SessionResult) -> None:
        summary.ran += 1
        summary.audio_s += result.audio_s
        summary.compute_s += result.compute_s
        if result.status == "error":
            summary.errors.append(f"{sample.id}: {scrub(result.error or '')}")
        bar.advance(sample.id, result.status)

    try:
        with bar:
            summary.not_run = await executor.run(RunWork(corpus, agent, agent_opts, model, config, run, concurrency),
                                                 todo, finished)
    finally:
        write_predictions(corpus, run)
        settled = settle_capabilities(cfg, [run.read_result(s.id) for s in samples if run.is_finished(s.id)])
        if settled is not cfg:
            run.write_config(settled)
        summary.wall_s = time.perf_counter() - t0
    return summary


def refuse_inconsistent(corpus_dir: str | Path, allow_invalid: bool = False) -> list:
    """Raise CorpusError when the corpus fails `validate` (one definition of a consistent sample,
    `corpus.consistency`); with `allow_invalid`, return the problems and go on."""
    from ..corpus.loader import CorpusError, validate_corpus

    problems = validate_corpus(corpus_dir)
    if problems and not allow_invalid:
        raise CorpusError(problems)
    return problems


def run_corpus(corpus_dir: str | Path, agent: str, agent_opts: dict[str, Any], out: str | Path,
               config: SessionConfig, concurrency: int = 1, progress: bool = True, **kw: Any) -> RunSummary:
    """Synchronous entry point (the CLI's), on an event loop that times itself (engine/health.py)."""
    return run_timed(run_corpus_async(corpus_dir, agent, agent_opts, out, config, concurrency, progress, **kw))


class _progress:
    """A rich progress bar, or nothing."""

    def __init__(self, enabled: bool, total: int, done: int, agent: str):
        self.enabled = enabled
        self.errors = 0
        if enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

            self.p = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                              TextColumn("{task.fields[status]}"), TimeElapsedColumn(), TimeRemainingColumn(),
                              transient=False)
            self.task = self.p.add_task(f"run {agent}", total=total, completed=done, status="")

    def __enter__(self):
        if self.enabled:
            self.p.__enter__()
        return self

    def __exit__(self, *exc):
        if self.enabled:
            self.p.__exit__(*exc)

    def advance(self, sample_id: str, status: str) -> None:
        if status == "error":
            self.errors += 1
        if self.enabled:
            note = f"[red]{self.errors} error(s)[/red]" if self.errors else ""
            self.p.update(self.task, advance=1, status=f"{sample_id} {note}")
