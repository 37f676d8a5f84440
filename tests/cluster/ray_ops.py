"""Operations the tests run inside the Ray driver (`ray_driver.py`): plain functions, JSON in and out.

Also a test agent the workers load by name (`ray_ops:SlowScripted`; the cluster's PYTHONPATH holds
this folder) and a counting WebSocket agent server the workers talk to (inside the namespace).
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from typing import Any

from pydantic import field_validator

from provoice_live.agents.scripted import ScriptedAgent, ScriptedOptions


def cli(argv: list[str]) -> int:
    """`provoice-live ARGV` in the driver, connected to the test cluster; its exit code."""
    from provoice_live.cli import main

    return main(argv)


class SlowOptions(ScriptedOptions):
    work_ms: float = 5.0


class SlowScripted(ScriptedAgent):
    """The scripted agent, working `work_ms` of wall time per chunk: under lockstep a session takes
    a few seconds (long enough to kill its worker mid-run) and its predictions stay exact."""

    name = "slow-scripted"

    @classmethod
    def parse_options(cls, options: dict[str, Any]) -> SlowOptions:
        return SlowOptions.model_validate(options)

    async def push_audio(self, chunk) -> None:
        await asyncio.sleep(self.opts.work_ms / 1000.0)
        await super().push_audio(chunk)


class StallOptions(ScriptedOptions):
    stall_ids: list[str] = []
    stall_ms: float = 300.0
    stall_every: int = 15

    @field_validator("stall_ids", mode="before")
    @classmethod
    def _ids(cls, v):
        return [i for i in v.split(",") if i] if isinstance(v, str) else v


class StallingScripted(ScriptedAgent):
    """The scripted agent that, in the sessions `stall_ids`, blocks its worker's event loop for
    `stall_ms` (a blocking sleep, as a CPU-heavy agent would) every `stall_every` chunks: a busy worker.
    Each stall delays the next chunks' hand-over by at least `stall_ms`, whatever the machine."""

    name = "stalling-scripted"

    @classmethod
    def parse_options(cls, options: dict[str, Any]) -> StallOptions:
        return StallOptions.model_validate(options)

    def __init__(self, **options: Any):
        super().__init__(**options)
        self._chunks = 0

    async def push_audio(self, chunk) -> None:
        self._chunks += 1
        if self.ctx.session_id in self.opts.stall_ids and self._chunks % self.opts.stall_every == 0:
            time.sleep(self.opts.stall_ms / 1000.0)
        await super().push_audio(chunk)


def _config(clock: str = "lockstep", argv: tuple[str, ...] | list[str] = ()):
    """The session settings `provoice-live run --clock CLOCK ARGV` would use (the CLI's defaults)."""
    from provoice_live.cli import build_parser
    from provoice_live.engine.cli import session_config

    return session_config(build_parser().parse_args(["run", "--corpus", "-", "--out", "-", "--clock", clock,
                                                     *argv]))


def _results(out: str) -> int:
    sessions = os.path.join(out, "sessions")
    return sum(1 for n in os.listdir(sessions) if n.endswith(".result.json")) if os.path.isdir(sessions) else 0


def run_and_kill(corpus: str, out: str, agent: str, agent_opts: dict, workers: int, concurrency: int) -> dict:
    """A Ray run in which the first worker found busy after the first result is SIGKILLed by pid."""
    from provoice_live.cluster.sessions import RayExecutor
    from provoice_live.engine.runner import run_corpus_async

    executor = RayExecutor(workers=workers, max_session_retries=2)
    killed: dict[str, Any] = {}

    async def killer() -> None:
        for _ in range(3000):  # at most ~5 minutes of polling
            await asyncio.sleep(0.1)
            busy = [w for w in executor.workers_seen if w.alive and w.load > 0 and w.pid]
            if _results(out) >= 1 and busy:
                killed.update(name=busy[0].name, pid=busy[0].pid, in_flight=busy[0].load)
                os.kill(busy[0].pid, signal.SIGKILL)
                return

    async def main():
        task = asyncio.ensure_future(killer())
        try:
            return await run_corpus_async(corpus, agent, agent_opts, out, _config(), concurrency=concurrency,
                                          progress=False, executor=executor)
        finally:
            task.cancel()

    summary = asyncio.run(main())
    return {"ran": summary.ran, "skipped": summary.skipped, "errors": summary.errors, "not_run": summary.not_run,
            "retried": executor.retried, "killed": killed, "workers": [w.report() for w in executor.workers_seen]}


def run_and_interrupt(corpus: str, out: str, agent: str, agent_opts: dict, workers: int) -> dict:
    """A Ray run cancelled (as Ctrl-C cancels `asyncio.run`'s task) once one session is written."""
    from provoice_live.cluster.sessions import RayExecutor
    from provoice_live.engine.runner import run_corpus_async

    async def main() -> int:
        task = asyncio.ensure_future(run_corpus_async(corpus, agent, agent_opts, out, _config(), progress=False,
                                                      executor=RayExecutor(workers=workers)))
        for _ in range(3000):
            await asyncio.sleep(0.1)
            if _results(out) >= 1 or task.done():
                break
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        return _results(out)

    return {"results_at_interrupt": asyncio.run(main())}


# --- a WebSocket agent server that counts the sessions talking to it at once --------------------------
class _Counting:
    def __init__(self) -> None:
        self.open = 0
        self.peak = 0
        self.sessions = 0
        self.refused = 0
        self.refuse_first = 0
        self.port = 0
        self.ready = threading.Event()


_SERVER = _Counting()


def serve_counting_agent(refuse_first: int = 0) -> int:
    """Start (once) the reference agent server on 127.0.0.1, counting open sessions; its port.

    The first `refuse_first` handshakes are answered HTTP 429 with `Retry-After: 1`."""
    _SERVER.refuse_first = refuse_first
    if _SERVER.port:
        return _SERVER.port

    def serve() -> None:
        from examples.agent_server import Config, Session
        from websockets.asyncio.server import serve as ws_serve
        from websockets.datastructures import Headers
        from websockets.http11 import Response

        async def handler(ws):
            _SERVER.open += 1
            _SERVER.sessions += 1
            _SERVER.peak = max(_SERVER.peak, _SERVER.open)
            try:
                await Session(ws, Config(policy="speech")).run()
            finally:
                _SERVER.open -= 1

        def process_request(connection, request):
            if _SERVER.refused < _SERVER.refuse_first:
                _SERVER.refused += 1
                return Response(429, "Too Many Requests", Headers({"Retry-After": "1"}), b"slow down\n")
            return None

        async def main():
            async with ws_serve(handler, "127.0.0.1", 0, process_request=process_request,
                                max_size=16 * 1024 * 1024, compression=None) as server:
                _SERVER.port = server.sockets[0].getsockname()[1]
                _SERVER.ready.set()
                await asyncio.get_running_loop().create_future()

        asyncio.run(main())

    threading.Thread(target=serve, daemon=True).start()
    if not _SERVER.ready.wait(30):
        raise RuntimeError("the counting agent server did not start")
    return _SERVER.port


def counting_agent_stats(reset: bool = False) -> dict:
    stats = {"peak": _SERVER.peak, "sessions": _SERVER.sessions, "refused": _SERVER.refused, "open": _SERVER.open}
    if reset:
        _SERVER.peak = _SERVER.sessions = _SERVER.refused = 0
    return stats


def run_ray(corpus: str, out: str, agent: str, agent_opts: dict, clock: str = "lockstep",
            run_argv: list[str] = (), **executor_options: Any) -> dict:
    """A Ray run (`run --clock CLOCK RUN_ARGV`) with these executor options; its summary and the
    executor's report."""
    from provoice_live.cluster.sessions import RayExecutor
    from provoice_live.engine.runner import run_corpus

    concurrency = executor_options.pop("concurrency", 1)
    executor = RayExecutor(**executor_options)
    summary = run_corpus(corpus, agent, agent_opts, out, _config(clock, run_argv), concurrency=concurrency,
                         progress=False, executor=executor)
    return {"ran": summary.ran, "errors": summary.errors, "not_run": summary.not_run, "retried": executor.retried,
            "limiter": executor.limiter_stats, "workers": [w.report() for w in executor.workers_seen]}
