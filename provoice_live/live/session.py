"""One live session (microphone or browser) into a run directory like any other run.

`run_live(spec, make_source, out, session_id, on_record)` builds the agent, asks it for its rate,
builds the source at that rate, streams it through the engine's `run_session` with the realtime
clock, and leaves:

    OUT/config.json                   what ran (agent, options, instruction, context, tools, source)
    OUT/sessions/<id>.jsonl           the engine's event log
    OUT/sessions/<id>.result.json     the SessionResult, also when the session was cancelled
    OUT/sessions/<id>.input.wav       the audio the agent received (mono PCM16 at its rate)
    OUT/sessions/<id>.agent.wav, .mix.wav   an agent that spoke: its voice, and both side by side

so a live session can be reported or replayed like a benchmark session. Ending a live session
cleanly is the source's job (it stops yielding chunks: Ctrl-C, the page's stop button); cancelling
the task still leaves a finished log and a result with status "error" (the engine hands its result
over also on cancel).
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from ..agents import agent_model
from ..agents.base import SessionContext
from ..corpus.loader import read_json_file, read_tool_file
from ..corpus.sample import Task, ToolSchema
from ..engine.cli import parse_agent_opts  # noqa: F401  (re-exported for the live commands)
from ..engine.session import SessionConfig, run_session
from ..engine.voice import write_session_mix
from ..errors import ProvoiceError
from ..run.directory import RunConfig, RunDir
from ..run.records import SessionRecord
from ..run.results import SessionResult, prediction_from_result
from ..sources.base import Source
from ..sources.recording import RecordingSource

LIVE_CONFIG = SessionConfig(clock="realtime", tail_s=2.0)


@dataclass
class LiveSpec:
    """What a live session runs: the agent and what it may know. Shared by `live` and `serve`."""

    agent: str = "offline"
    agent_opts: dict[str, Any] = field(default_factory=dict)
    instruction: str | None = None
    digital_context: dict[str, Any] | None = None
    tools: list[ToolSchema] = field(default_factory=list)
    config: SessionConfig = field(default_factory=lambda: replace(LIVE_CONFIG))
    task: Task | None = None  # what the scene tests, for `score` (None: LTM with an instruction, else PIC)
    expect_intervention: bool = True  # the scene's label: should the agent speak up?

    def truth(self, session_id: str) -> "LiveTruth":
        """What `score` compares this live session against: the task and label the user declared."""
        task = self.task or ("LTM" if self.instruction else "PIC")
        return LiveTruth(id=session_id, task=task, label=self.expect_intervention)

    def with_page_input(self, instruction: str | None, digital_context: dict[str, Any] | None) -> "LiveSpec":
        """This spec with what the user typed in (empty fields keep the server's defaults)."""
        return replace(self, instruction=instruction.strip() if instruction and instruction.strip() else self.instruction,
                       digital_context=digital_context if digital_context else self.digital_context)


# ---- command-line inputs ------------------------------------------------------------------------

@dataclass(frozen=True)
class LiveTruth:
    """The ground truth of a live session, as far as it has one: the task and label the user declared
    (`live --task T --expect intervene|silent`), no cue window, monitoring from the first frame. It is a
    `run.results.Truth`, as a corpus sample is, so a live run writes its
    predictions.jsonl from the session's own result, with no corpus."""

    id: str
    task: Task
    label: bool
    cue: None = None
    cues: tuple = ()  # no cue windows (a long session's, in a corpus)
    meta: None = None
    semantic_cue: str = ""
    gt_response: str = ""
    gt_tool_calls: tuple = ()
    monitor_from_s: float = 0.0
    cues: tuple = ()  # a live scene declares no cue windows
    meta: dict | None = None


def load_context(path: str | Path | None) -> dict[str, Any] | None:
    """The digital context: a JSON object (the user's app states)."""
    if path is None:
        return None
    data = read_json_file(path, "--context")
    if not isinstance(data, dict):
        raise ProvoiceError(f"--context file {str(path)!r} must hold a JSON object, not {type(data).__name__}")
    return data


def parse_context_text(text: str | None) -> dict[str, Any] | None:
    """The digital context as typed in the page: empty means none; otherwise a JSON object."""
    if text is None or not str(text).strip():
        return None
    try:
        data = json.loads(text) if isinstance(text, str) else text
    except json.JSONDecodeError as exc:
        raise ProvoiceError(f"the digital context is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(data, dict):
        raise ProvoiceError("the digital context must be a JSON object")
    return data


def load_tools(path: str | Path | None) -> list[ToolSchema]:
    """Tools: a JSON list of OpenAI function schemas (or an object with a `tools` list)."""
    return [] if path is None else read_tool_file(path, "--tools")


def new_session_id(prefix: str) -> str:
    """`prefix-YYYYmmdd-HHMMSS-xxxx`: sortable, unique, safe as a file name."""
    return f"{prefix}-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(2)}"


# ---- the session --------------------------------------------------------------------------------

async def run_live(spec: LiveSpec, make_source: Callable[[int], Source], out: str | Path, session_id: str,
                   on_record: Callable[[SessionRecord], None] | None = None,
                   source_info: dict[str, Any] | None = None) -> SessionResult:
    """Run one live session into the run directory `out` (see the module docstring)."""
    model = agent_model(spec.agent, **spec.agent_opts)
    rate = model.capabilities.input_sample_rate
    inner = make_source(rate)  # a missing device fails here, before a run directory exists
    run = RunDir(out).create()
    run.write_config(RunConfig(
        kind="live", session_id=session_id, agent=spec.agent, agent_options=spec.agent_opts,
        agent_settings=model.settings(), instruction=spec.instruction, digital_context=spec.digital_context,
        tools=[t.model_dump() for t in spec.tools], session=asdict(spec.config),
        source={"rate": rate, **(source_info or {})}, started=RunConfig.now(),
    ))
    ctx = SessionContext(session_id=session_id, protocol="blind", instruction=spec.instruction,
                         digital_context=spec.digital_context, tools=list(spec.tools), audio_duration_s=None)
    source = RecordingSource(inner, run.sessions / f"{session_id}.input.wav")
    log_path = run.log_path(session_id)

    def keep(result: SessionResult) -> None:  # also on cancel (Ctrl-C, SIGTERM): `score` then needs no corpus
        run.write_result(result)
        run.write_predictions([prediction_from_result(spec.truth(session_id), result)])

    result = await run_session(ctx, source, model.session(), log_path, spec.config, on_record=on_record,
                               on_result=keep)
    write_session_mix(log_path, run.sessions / f"{session_id}.input.wav")  # when the agent spoke
    return result
