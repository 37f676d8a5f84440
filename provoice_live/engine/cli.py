"""`provoice-live run`: replay a corpus through an agent into a run directory."""

from __future__ import annotations

import argparse

from ..errors import ProvoiceError
from ..vad import DEFAULT_VAD, VAD_KINDS

EXIT_SESSION_ERRORS = 3  # `run` finished, but at least one session ended with status "error"


def parse_agent_opts(pairs: list[str] | None) -> dict[str, str]:
    opts: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ProvoiceError(f"--agent-opt {pair!r}: expected KEY=VALUE")
        opts[key.strip()] = value
    return opts


def add_session_arguments(p: argparse.ArgumentParser) -> None:
    """Options shared by every command that runs sessions (run, demo)."""
    p.add_argument("--agent", default="offline", help="null, scripted, offline, openai-realtime, gemini-live, omni-chat, cascade, websocket")
    p.add_argument("--agent-opt", action="append", metavar="KEY=VALUE", help="an adapter setting (repeatable)")
    p.add_argument("--clock", default="lockstep", help="realtime | lockstep | speed:K (default lockstep)")
    p.add_argument("--concurrency", type=int, default=1, help="sessions at once (default 1)")
    p.add_argument("--protocol", choices=("paper", "blind"), default="blind",
                   help="paper: the agent is told the task (as the official code); blind: it is not")
    p.add_argument("--no-digital-context", action="store_true", help="drop the digital context (the paper's ablation)")
    p.add_argument("--chunk-ms", type=float, default=20.0, help="chunk length in ms (default 20)")
    p.add_argument("--poll-every", type=float, default=None, metavar="S",
                   help="also poll agents that need it every S seconds of stream")
    p.add_argument("--no-vad", action="store_true", help="run without our VAD (no endpoint polls)")
    p.add_argument("--vad", default=DEFAULT_VAD, choices=VAD_KINDS,
                   help="the engine's endpointing: silero (neural, holds up in noise; default) or webrtc (fast)")
    p.add_argument("--vad-aggressiveness", type=int, default=2, choices=(0, 1, 2, 3), help="webrtcvad's only")
    p.add_argument("--tail", type=float, default=3.0, metavar="S", help="seconds kept open after the audio ends")
    p.add_argument("--timeout", type=float, default=60.0, metavar="S", help="how long an agent may take to answer")
    p.add_argument("--max-timing-error-ms", type=float, default=5.0, metavar="MS",
                   help="real-time sessions whose chunk hand-over lag p99 or interjection stamp uncertainty "
                        "passes this are timing-suspect, left out of latency figures (default 5)")

    p.add_argument("--min-reply-ms", type=float, default=300.0, metavar="MS",
                   help="agents that speak: shorter voiced audio is a click or a breath, not a reply (default 300)")
    p.add_argument("--backchannel-ms", type=float, default=1000.0, metavar="MS",
                   help="agents that speak: shorter speech of only backchannel words is logged, not counted (default 1000)")
    p.add_argument("--reply-vad", choices=("silero", "webrtc"), default="webrtc",
                   help="the voice activity detector run on the agent's voice (default webrtc)")


def session_config(args: argparse.Namespace):
    from .session import SessionConfig

    return SessionConfig(clock=args.clock, chunk_ms=args.chunk_ms, protocol=args.protocol,
                         digital_context=not args.no_digital_context, poll_every_s=args.poll_every,
                         vad=not args.no_vad, vad_model=args.vad, vad_aggressiveness=args.vad_aggressiveness,
                         tail_s=args.tail, response_timeout_s=args.timeout, min_reply_ms=args.min_reply_ms,
                         backchannel_ms=args.backchannel_ms, reply_vad=args.reply_vad,
                         max_timing_error_ms=args.max_timing_error_ms)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--corpus", required=True, metavar="DIR", help="a corpus directory")
    p.add_argument("--out", required=True, metavar="RUN", help="the run directory (rerun to resume)")
    add_session_arguments(p)
    p.add_argument("--limit", type=int, default=None, help="only the first N samples")
    p.add_argument("--ids", default=None, help="only these sample ids (comma-separated)")
    p.add_argument("--retry-errors", action="store_true", help="redo sessions that ended in an error")
    p.add_argument("--speak", action="store_true", help="also write each interjection as speech into the run")
    p.add_argument("--allow-invalid", action="store_true",
                   help="run a corpus that fails `validate` (refused by default)")
    p.add_argument("--no-progress", action="store_true")
    from ..cluster import add_executor_arguments

    add_executor_arguments(p, "sessions")
    ray = p.add_argument_group("with --executor ray")
    ray.add_argument("--workers", type=int, default=None, help="worker actors (default: one per CPU of the cluster)")
    ray.add_argument("--ship-audio", action="store_true",
                     help="send each sample's audio through Ray's object store (when nodes do not see the corpus)")
    ray.add_argument("--max-inflight", type=int, default=None, metavar="N",
                     help="at most N sessions talk to the endpoint at once over all workers")
    ray.add_argument("--max-session-retries", type=int, default=2, metavar="N",
                     help="redo a session lost with its worker at most N times (default 2)")


def main(args: argparse.Namespace) -> int:
    from rich.console import Console

    from ..corpus.loader import CorpusError
    from .clock import make_clock
    from .runner import run_corpus

    make_clock(args.clock)  # a bad clock name fails before anything runs
    console = Console(stderr=True)
    executor = _executor(args)
    try:
        summary = run_corpus(args.corpus, args.agent, parse_agent_opts(args.agent_opt), args.out,
                             session_config(args), concurrency=args.concurrency, progress=not args.no_progress,
                             retry_errors=args.retry_errors, limit=args.limit,
                             ids=args.ids.split(",") if args.ids else None, allow_invalid=args.allow_invalid,
                             executor=executor)
    except CorpusError as exc:  # one line per problem, then why nothing ran
        for problem in exc.problems:
            console.print(f"[red]problem[/red] {problem}", highlight=False, soft_wrap=True)
        console.print(f"run refused: {len(exc.problems)} problem(s) in {args.corpus} "
                      "(fix the corpus, or pass --allow-invalid to run it anyway)", highlight=False, soft_wrap=True)
        return 1
    if args.speak:
        from ..corpus.loader import load_corpus
        from ..live.speak import write_spoken_replies

        corpus = load_corpus(args.corpus)
        paths = {s.id: corpus.audio_path(s) for s in corpus.samples}
        written = write_spoken_replies(args.out, input_audio=paths.get)
        console.print(f"--speak: wrote {len(written)} audio file(s) of spoken replies into {args.out}/sessions")
    console.print(f"{summary.ran} session(s) run, {summary.skipped} already finished, "
                  f"{len(summary.errors)} error(s); {summary.audio_s:.1f} s of audio in {summary.wall_s:.1f} s")
    for err in summary.errors[:20]:
        console.print(f"[red]error[/red] {err}")
    if executor is not None:
        _print_workers(console, executor)
    if summary.not_run:
        console.print(f"[yellow]{len(summary.not_run)} session(s) not run[/yellow] (no worker left; rerun the "
                      f"same command to do them): {', '.join(summary.not_run[:20])}")
    console.print(f"run directory: {args.out} (predictions: {args.out}/predictions.jsonl)")
    errored = len(summary.errors) + len(summary.earlier_errors)
    if errored:
        console.print(f"provoice-live run: {errored} session(s) ended in an error"
                      f"{f' ({len(summary.earlier_errors)} in an earlier run)' if summary.earlier_errors else ''}"
                      f"; exit status {EXIT_SESSION_ERRORS} (rerun with --retry-errors to redo them)")
        return EXIT_SESSION_ERRORS
    return 0


def _executor(args: argparse.Namespace):
    """None (local) or the Ray executor; Ray-only options without `--executor ray` are refused."""
    if args.executor != "ray":
        given = [flag for flag, value in (("--ray-address", args.ray_address), ("--workers", args.workers),
                                          ("--ship-audio", args.ship_audio), ("--max-inflight", args.max_inflight))
                 if value not in (None, False)]
        if given:
            raise ProvoiceError(f"{', '.join(given)} need --executor ray")
        return None
    for flag, value in (("--workers", args.workers), ("--max-inflight", args.max_inflight)):
        if value is not None and value < 1:
            raise ProvoiceError(f"{flag} must be at least 1")
    if args.max_session_retries < 0:
        raise ProvoiceError("--max-session-retries must be 0 or more")
    from ..cluster import ray_module
    from ..cluster.sessions import RayExecutor

    ray_module()  # not installed: one sentence, before anything is written
    return RayExecutor(address=args.ray_address, workers=args.workers, ship_audio=args.ship_audio,
                       max_inflight=args.max_inflight, max_session_retries=args.max_session_retries)


def _print_workers(console, executor) -> None:
    for w in executor.workers_seen:
        if w.pid:
            state = "" if w.alive or not w.lost else f", died with {w.lost} session(s) in flight"
            which = f" ({', '.join(w.suspect_ids[:5])}{', ...' if w.suspect > 5 else ''})" if w.suspect else ""
            console.print(f"worker {w.name} (host {w.host}, pid {w.pid}): {w.sessions} session(s), "
                          f"{w.errors} error(s), {w.suspect} timing-suspect{which}{state}")
    if executor.retried:
        console.print(f"{executor.retried} session(s) redone after their worker died")
    if executor.limiter_stats:
        st = executor.limiter_stats
        console.print(f"endpoint limiter: at most {st['peak']} of {st['max_inflight']} session(s) at once, "
                      f"{st['backoffs']} rate-limit pause(s)")
