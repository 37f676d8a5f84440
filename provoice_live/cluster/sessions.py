"""`run --executor ray`: sessions in Ray actors, results written by the driver.

The driver (`RayExecutor`, plugged into `engine.runner`) starts `--workers` actors (default: one
per CPU of the cluster, spread over the nodes). Each `SessionWorker` is an asyncio actor: one event
loop holding up to `--concurrency` sessions, each with its own clock, so pacing (real time, speed,
lockstep) works exactly as it does locally, with the worker's own ticker. A worker runs a session
with the runner's own `run_one` into a scratch run directory on its node and sends back every file
the session wrote there (its event log, any audio it left, its result), byte for byte; the driver
writes them into the run directory, the result last (a session is finished when its result
exists, as in a local run). So the driver is the single writer, and resume, the
progress bar, `predictions.jsonl` and `config.json` work unchanged.

Audio: by default a worker reads it from the corpus path, which every node must see (a shared
filesystem, or the corpus copied to the same path); with `ship_audio` the driver puts each
sample's wav into Ray's object store and the worker writes it to its scratch directory.

Faults: a worker that dies (its process killed, its node lost) fails its in-flight calls; their
sessions go back to the queue, at most `max_session_retries` times each, then end as errors that
say why. A session is written once: a lost attempt never wrote anything. The dead worker is
replaced (a bounded number of times); when no worker is left, what remains is returned as not
run (no result file: a rerun does it). Ctrl-C (cancellation) kills the workers and leaves a
resumable run directory.

Scratch: a worker runs its sessions in `<its node's temp dir>/provoice-run-<run token>/<worker>-*`,
one parent per run. At the end of a run the driver asks every live worker to `close`, which removes
the run's parent on its node (its own scratch and that of any worker of the run that died there),
and removes the parent on its own node too; only a node lost with its workers keeps its leftovers.

Rate limits: with `max_inflight`, every session takes a slot of the endpoint's named limiter actor
(`cluster.limiter`, one per run) for its whole length, and a 429 seen by any worker pauses them all.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import socket
import tempfile
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..corpus.loader import Corpus
from ..corpus.sample import Sample
from ..errors import ProvoiceError
from ..run.results import SessionResult
from . import cluster_cpus, connect, disconnect, ray_module, worker_runtime_env
from .limiter import endpoint_key, start_limiter

log = logging.getLogger(__name__)
_REMOTE: dict[str, Any] = {}  # the Ray actor class, made once per process


# --- the worker ------------------------------------------------------------------------------
def unnice_process(target: int = 0) -> int:
    """Set every thread of this process to niceness `target` where the OS lets us; the niceness after.

    Ray's raylet starts workers at niceness 15 (its `worker_niceness`), so on a node with anything
    else to run a worker gets a small share of the CPU: its real-time sessions fall behind their
    deadlines (flagged `timing_suspect`) and lockstep runs slow down. A session is as urgent as the
    driver's own work, so the worker asks for `target` (0: a normal process). Linux keeps niceness
    per thread, so each thread in /proc/self/task is set; threads made later inherit it from the
    thread that makes them. Raising priority needs CAP_SYS_NICE (root has it): without it the
    niceness stays, and the driver says how to start the nodes instead (`RAY_worker_niceness=0`).
    """
    tasks = Path("/proc/self/task")
    tids = [int(t.name) for t in tasks.iterdir()] if tasks.is_dir() else [0]
    for tid in tids:
        try:
            os.setpriority(os.PRIO_PROCESS, tid, target)
        except (PermissionError, ProcessLookupError, OSError):
            pass
    return os.getpriority(os.PRIO_PROCESS, 0)


class SessionWorker:
    """A Ray actor that runs sessions of one agent setting (created by `RayExecutor`)."""

    def __init__(self, name: str, corpus_root: str | None, agent: str, agent_opts: dict[str, Any],
                 config: Any, limiter: Any = None, scratch_parent: str = "provoice-run"):
        """`scratch_parent`: the run's folder name in this node's temp dir (see the module docstring)."""
        from ..agents import agent_model

        self.niceness = unnice_process(0)  # before the agent's threads are made: they inherit it
        self.name = name
        self.corpus_root = corpus_root  # None: audio is shipped with each call
        self.model = agent_model(agent, **agent_opts)  # once per worker: a session per sample
        self.config = config
        self.limiter = limiter
        self.scratch_parent = Path(tempfile.gettempdir()) / scratch_parent
        self.scratch_parent.mkdir(parents=True, exist_ok=True)
        self.scratch = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.scratch_parent))
        self._relay: asyncio.Task | None = None
        self.backoff_seen = 0  # the limiter's backoff version this worker has acted on
        if limiter is not None:
            from ..http_retry import BACKOFF

            BACKOFF.enabled = True
            BACKOFF.listeners.append(lambda seconds: limiter.backoff.remote(seconds))

    async def info(self) -> dict[str, Any]:
        """Who and where this worker is, and whether it sees the corpus."""
        ray = ray_module()
        sees = self.corpus_root is None or (Path(self.corpus_root) / "manifest.jsonl").is_file()
        return {"worker": self.name, "pid": os.getpid(), "host": socket.gethostname(),
                "node": ray.get_runtime_context().get_node_id(), "sees_corpus": sees, "scratch": str(self.scratch),
                "niceness": unnice_process(0)}  # again: threads made since __init__ too

    async def close(self) -> None:
        """The run is over: remove the run's scratch on this node (this worker's, and dead workers')."""
        shutil.rmtree(self.scratch_parent, ignore_errors=True)

    async def _relay_backoffs(self) -> None:
        """Pause this process's outgoing calls whenever any worker was rate limited."""
        while True:
            await self._catch_up(30.0)

    async def _catch_up(self, wait_s: float) -> None:
        from ..http_retry import BACKOFF

        version, left = await self.limiter.next_backoff.remote(self.backoff_seen, wait_s)
        if version > self.backoff_seen:
            self.backoff_seen = version
            BACKOFF.pause(left)

    async def stats(self) -> dict[str, Any]:
        """What the driver reports at the end: the rate-limit pauses this worker heard of."""
        if self.limiter is not None:
            await self._catch_up(0.0)
        return {"backoffs_heard": self.backoff_seen}

    async def run(self, sample_json: str, audio: bytes | None = None) -> dict[str, Any]:
        """One session: `{"result": the result file's name, "files": {name in sessions/: bytes}}`."""
        from ..engine.runner import run_one
        from ..run.directory import RunDir

        if self.limiter is not None and self._relay is None:
            self._relay = asyncio.get_running_loop().create_task(self._relay_backoffs())
        sample = Sample.model_validate_json(sample_json)
        where = self.scratch / uuid.uuid4().hex
        token = f"{self.name}/{where.name}"
        if self.limiter is not None:
            await self.limiter.acquire.remote(token, self.name)
        try:
            root = Path(self.corpus_root) if audio is None else where / "corpus"
            if audio is not None:
                path = root / sample.audio
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(audio)
            run = RunDir(where / "run").create()
            await run_one(Corpus(root, [sample]), sample, self.model, run, self.config)
            return {"result": run.result_path(sample.id).name,
                    "files": {p.name: p.read_bytes() for p in sorted(run.sessions.iterdir()) if p.is_file()}}
        finally:
            if self.limiter is not None:
                await self.limiter.release.remote(token)
            shutil.rmtree(where, ignore_errors=True)


# --- the driver ------------------------------------------------------------------------------
@dataclass
class WorkerRecord:
    """What the driver knows of one worker: where it runs and what it did."""

    name: str
    handle: Any = None
    node: str = ""
    host: str = ""
    pid: int = 0
    scratch: str = ""  # its scratch directory on its node
    niceness: int = 0  # its scheduling niceness (Ray starts workers at 15; see `unnice_process`)
    alive: bool = False  # started, and has not died
    load: int = 0  # sessions in flight on it
    sessions: int = 0
    errors: int = 0
    suspect: int = 0  # sessions whose result says `timing_suspect` (a busy worker)
    suspect_ids: list[str] = field(default_factory=list)  # which ones
    lost: int = 0  # sessions in flight when it died
    backoffs_heard: int = 0  # rate-limit pauses it acted on (its own 429s and the others')

    def report(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("name", "node", "host", "pid", "scratch", "niceness", "alive", "sessions",
                                              "errors", "suspect", "suspect_ids", "lost", "backoffs_heard")}


@dataclass
class RayExecutor:
    """Runs a run's sessions on a Ray cluster (see the module docstring)."""

    address: str | None = None
    workers: int | None = None  # default: the cluster's CPUs
    ship_audio: bool = False
    max_inflight: int | None = None
    max_session_retries: int = 2
    ready_timeout_s: float = 180.0
    workers_seen: list[WorkerRecord] = field(default_factory=list)
    retried: int = 0
    limiter_stats: dict[str, Any] | None = None
    on_submit: Any = None  # called with a sample id as its session is handed to a worker (benchmarks)
    run_token: str = ""  # made per run: names the limiter and the workers' scratch parent
    _limiter: Any = field(default=None, repr=False)
    name = "ray"

    # -- workers ---------------------------------------------------------------------------------
    def _spawn(self, work, index: int, generation: int, cpus: float) -> WorkerRecord:
        ray = ray_module()
        rec = WorkerRecord(name=f"w{index}" + (f".{generation}" if generation else ""))
        if "worker" not in _REMOTE:
            _REMOTE["worker"] = ray.remote(SessionWorker)
        actor = _REMOTE["worker"].options(
            num_cpus=cpus, max_concurrency=max(1, work.concurrency) + 4, max_restarts=0, max_task_retries=0,
            scheduling_strategy="SPREAD", runtime_env=worker_runtime_env())
        rec.handle = actor.remote(rec.name, None if self.ship_audio else str(work.corpus.root.resolve()),
                                  work.agent, work.agent_opts, work.config, self._limiter,
                                  self.scratch_parent)
        self.workers_seen.append(rec)
        return rec

    async def _ready(self, rec: WorkerRecord) -> WorkerRecord:
        info = await asyncio.wait_for(asyncio.wrap_future(rec.handle.info.remote().future()), self.ready_timeout_s)
        if not info["sees_corpus"]:
            raise ProvoiceError(f"worker {rec.name} on {info['host']} does not see the corpus directory: put it "
                                "on a filesystem every node sees, or use --ship-audio")
        rec.node, rec.host, rec.pid, rec.scratch, rec.alive = (info["node"], info["host"], info["pid"],
                                                               info["scratch"], True)
        rec.niceness = info["niceness"]
        if rec.niceness > 0:
            log.warning("worker %s on %s runs at niceness %d (no permission to lower it): its sessions get less "
                        "CPU than other work there; start the nodes with RAY_worker_niceness=0", rec.name,
                        rec.host, rec.niceness)
        return rec

    @property
    def scratch_parent(self) -> str:
        """The run's scratch folder name, in each node's temp dir."""
        return f"provoice-run-{self.run_token}"

    # -- the run ---------------------------------------------------------------------------------
    async def run(self, work, todo: list[Sample], finished) -> list[str]:
        """Run `todo` on the cluster; write each session's log and result; the ids not run."""
        ray = ray_module()
        connected = connect(self.address)
        self._limiter = None
        self.run_token = uuid.uuid4().hex[:8]
        try:
            if self.max_inflight:
                self._limiter = start_limiter(endpoint_key(work.agent, work.agent_opts), self.run_token,
                                              self.max_inflight)
            return await self._run(ray, work, todo, finished)
        finally:
            alive = [rec for rec in self.workers_seen if rec.alive]
            try:  # a report, not the run: bounded, and failures only logged
                stats = await asyncio.wait_for(asyncio.gather(
                    *(asyncio.wrap_future(rec.handle.stats.remote().future()) for rec in alive),
                    return_exceptions=True), 10)
                for rec, st in zip(alive, stats):
                    if isinstance(st, dict):
                        rec.backoffs_heard = st["backoffs_heard"]
            except (Exception, asyncio.CancelledError):
                log.warning("no stats from the workers", exc_info=True)
            try:  # each node's scratch of this run; bounded, and failures only logged
                await asyncio.wait_for(asyncio.gather(
                    *(asyncio.wrap_future(rec.handle.close.remote().future()) for rec in alive),
                    return_exceptions=True), 10)
            except (Exception, asyncio.CancelledError):
                log.warning("could not clean the workers' scratch", exc_info=True)
            shutil.rmtree(Path(tempfile.gettempdir()) / self.scratch_parent, ignore_errors=True)  # the driver's node
            for rec in self.workers_seen:
                if rec.alive or not rec.pid:  # also those still starting when the run ended
                    try:
                        ray.kill(rec.handle, no_restart=True)
                    except Exception:  # already gone
                        pass
            if self._limiter is not None:
                try:
                    self.limiter_stats = await asyncio.wait_for(
                        asyncio.wrap_future(self._limiter.stats.remote().future()), 10)
                except (Exception, asyncio.CancelledError):  # the stats are a report, not the run
                    log.warning("could not read the limiter's stats", exc_info=True)
                ray.kill(self._limiter)
            disconnect(connected)

    async def _run(self, ray, work, todo: list[Sample], finished) -> list[str]:
        from ray.exceptions import ActorDiedError, ActorUnavailableError, RayActorError

        lost_kinds = (ActorDiedError, ActorUnavailableError, RayActorError)
        n = self.workers or cluster_cpus()
        cpus = min(1.0, cluster_cpus() / n)
        replacements = n * max(1, self.max_session_retries)
        starting = {asyncio.ensure_future(self._ready(self._spawn(work, i, 0, cpus))): i for i in range(n)}
        generation = {i: 0 for i in range(n)}
        live: list[WorkerRecord] = []
        queue: deque[tuple[Sample, int]] = deque((s, 0) for s in todo)
        attempts_lost: dict[str, list[str]] = {}
        inflight: dict[asyncio.Future, tuple[WorkerRecord, Sample, int]] = {}
        audio_refs: dict[str, Any] = {}
        written: set[str] = set()
        first_failure: BaseException | None = None
        try:
            while queue or inflight:
                for rec in live:
                    while rec.alive and rec.load < max(1, work.concurrency) and queue:
                        sample, attempt = queue.popleft()
                        args = [sample.model_dump_json()]
                        if self.ship_audio:
                            if sample.id not in audio_refs:
                                audio_refs[sample.id] = ray.put(work.corpus.audio_path(sample).read_bytes())
                            args.append(audio_refs[sample.id])
                        if self.on_submit is not None:
                            self.on_submit(sample.id)
                        fut = asyncio.wrap_future(rec.handle.run.remote(*args).future())
                        inflight[fut] = (rec, sample, attempt)
                        rec.load += 1
                if not inflight and not starting:
                    break  # no worker left: the rest is not run
                done, _ = await asyncio.wait([*inflight, *starting], return_when=asyncio.FIRST_COMPLETED)
                for fut in done:
                    if fut in starting:
                        index = starting.pop(fut)
                        try:
                            live.append(fut.result())
                        except ProvoiceError:
                            raise
                        except Exception as exc:
                            first_failure = first_failure or exc
                            log.warning("worker %s did not start: %s", index, exc)
                        continue
                    rec, sample, attempt = inflight.pop(fut)
                    rec.load -= 1
                    try:
                        payload = fut.result()
                    except lost_kinds as exc:
                        rec.lost += 1
                        attempts_lost.setdefault(sample.id, []).append(f"{rec.name} on {rec.host or '?'}")
                        if rec.alive:
                            rec.alive = False
                            live.remove(rec)
                            if self._limiter is not None:
                                self._limiter.release_worker.remote(rec.name)
                            if replacements > 0:
                                replacements -= 1
                                index = int(rec.name[1:].split(".")[0])
                                generation[index] += 1
                                starting[asyncio.ensure_future(self._ready(
                                    self._spawn(work, index, generation[index], cpus)))] = index
                            log.warning("worker %s (pid %s) died: %s", rec.name, rec.pid, type(exc).__name__)
                        if attempt < self.max_session_retries:
                            self.retried += 1
                            queue.appendleft((sample, attempt + 1))
                        else:
                            audio_refs.pop(sample.id, None)
                            self._write_error(work, sample, finished, written,
                                              f"lost with its worker {attempt + 1} time(s) "
                                              f"({', '.join(attempts_lost[sample.id])})")
                        continue
                    except Exception as exc:  # the session's code failed on the worker: its own error
                        audio_refs.pop(sample.id, None)
                        self._write_error(work, sample, finished, written, f"worker failure: {exc}"[:2000])
                        rec.errors += 1
                        continue
                    audio_refs.pop(sample.id, None)
                    self._write(work, sample, payload, finished, written, rec)
        finally:
            for fut in [*inflight, *starting]:
                fut.cancel()
        if not live and not written and todo and first_failure is not None:
            raise ProvoiceError(f"no Ray worker started: {first_failure}")
        not_run = [s.id for s, _ in queue]
        return not_run

    def _write(self, work, sample: Sample, payload: dict[str, Any], finished, written: set[str],
               rec: WorkerRecord) -> None:
        """Write one session's files as sent, its result last (the driver is the run's one writer)."""
        if sample.id in written:  # cannot happen (one live attempt per sample); never count twice
            return
        sessions, files, result_name = work.run.sessions, payload["files"], payload["result"]
        for name in sorted(files, key=lambda n: n == result_name):
            if Path(name).name != name:  # only plain names inside sessions/
                raise ProvoiceError(f"worker {rec.name} sent a file outside the run directory: {name!r}")
            tmp = sessions / f".{name}.tmp"
            tmp.write_bytes(files[name])
            os.replace(tmp, sessions / name)
        result = SessionResult.model_validate_json(files[result_name])
        written.add(sample.id)
        rec.sessions += 1
        rec.errors += result.status == "error"
        if result.timing is not None and result.timing.suspect:  # the session's own timing health
            rec.suspect += 1
            rec.suspect_ids.append(sample.id)
        finished(sample, result)

    def _write_error(self, work, sample: Sample, finished, written: set[str], reason: str) -> None:
        from ..engine.session import write_failed_session

        if sample.id in written:
            return
        result = write_failed_session(work.run.log_path(sample.id), sample.id, work.model.name, work.config.clock,
                                      reason)
        work.run.write_result(result)
        written.add(sample.id)
        finished(sample, result)
