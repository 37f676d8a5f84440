"""Event logs and run directories.

A run directory:

    RUN/config.json                  the run's settings (secrets redacted)
    RUN/sessions/<id>.jsonl          one append-only event log per session
    RUN/sessions/<id>.result.json    written atomically when the session ends: its presence marks
                                     the session finished (ok or error); a log without it is a
                                     session that was cut short, and is redone on resume
    RUN/predictions.jsonl            SPEC section 4, derived from the results

Each log line is a JSON object with `kind`, `t` (stream seconds) and `wall` (Unix seconds). Kinds:
`session_start`, `vad` (`event`: speech_start|speech_end, `at_s`: where in the audio), `poll`,
`agent` (an AgentEvent under `event`), `interjection`, `compute` (lockstep agent time), `audio`
(a summary of chunks sent), `error`, `session_end`.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any, Iterator

from pydantic import BaseModel, ConfigDict, Field

from .corpus.sample import Prediction, ToolCall
from .errors import ProvoiceError
from .jsontext import dumps
from .redact import scrub, scrub_value

SECRET_KEY = re.compile(r"(api[_-]?key|token|secret|password|authorization|bearer)", re.I)
REDACTED = "***redacted***"


def _secret_key(key: Any) -> bool:
    # `api_key_env=NAME` names the variable that holds a key: the name is not the secret, and a
    # resumed run must see the same options it was started with
    return bool(SECRET_KEY.search(str(key))) and not str(key).endswith("_env")


def redact(value: Any) -> Any:
    """Replace the values of secret-looking keys, recursively, and strip `sk-...` strings."""
    if isinstance(value, dict):
        return {k: (REDACTED if _secret_key(k) and v not in (None, "") else redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, str) and re.fullmatch(r"sk-[A-Za-z0-9_\-]{8,}", value):
        return REDACTED
    return value


def _json_default(obj: Any) -> Any:
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, (bytes, memoryview)):
        return f"<{len(obj)} bytes>"
    if hasattr(obj, "item"):  # numpy scalars
        return obj.item()
    raise TypeError(f"cannot log a {type(obj).__name__}")


class EventLog:
    """Append-only JSONL writer. Each record is one line, flushed as it is written."""

    def __init__(self, path: Path, wall: callable = time.time):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = self.path.open("w", encoding="utf-8")
        self._wall = wall

    def write(self, kind: str, t: float | None, **fields: Any) -> dict[str, Any]:
        record = {"kind": kind, "t": None if t is None else round(t, 6), "wall": round(self._wall(), 6), **fields}
        record = scrub_value(record)  # an error text may quote a key a server echoed
        self._fh.write(dumps(record, default=_json_default, ensure_ascii=False) + "\n")
        self._fh.flush()
        return record

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()


def read_log(path: str | Path) -> list[dict[str, Any]]:
    """Read a session log; a torn last line (a crash mid-write) is skipped."""
    records = []
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return records


class Interjection(BaseModel):
    """The first output of a response: when (stream seconds) and what."""

    model_config = ConfigDict(extra="forbid")
    t: float
    response_id: str | None = None
    scored: bool = True  # False before monitor_from_s
    text: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)
    poll_id: int | None = None
    parts: dict[str, float] | None = None  # speech_end_s, endpoint_detected_s, request_sent_s, first_output_s


class SessionResult(BaseModel):
    """What a finished session leaves: written atomically, read back by resume and scoring."""

    model_config = ConfigDict(extra="allow")
    format: int = 1
    id: str
    status: str = "ok"  # ok | error
    error: str | None = None
    agent: str = ""
    clock: str = ""
    audio_s: float = 0.0
    stream_end_s: float = 0.0
    wall_s: float = 0.0
    compute_s: float = 0.0
    polls: int = 0
    agent_errors: int = 0  # non-fatal error events: e.g. replies that did not parse (see the log)
    interjections: list[Interjection] = Field(default_factory=list)


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` (secrets scrubbed) to a temporary file, then rename it over `path`."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(scrub(text))
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)


class RunDir:
    """A run directory (see the module docstring)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.sessions = self.root / "sessions"

    def create(self) -> "RunDir":
        self.sessions.mkdir(parents=True, exist_ok=True)
        return self

    @property
    def config_path(self) -> Path:
        return self.root / "config.json"

    @property
    def predictions_path(self) -> Path:
        return self.root / "predictions.jsonl"

    def log_path(self, sample_id: str) -> Path:
        return self.sessions / f"{sample_id}.jsonl"

    def result_path(self, sample_id: str) -> Path:
        return self.sessions / f"{sample_id}.result.json"

    def is_finished(self, sample_id: str) -> bool:
        return self.result_path(sample_id).is_file()

    def write_config(self, config: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.config_path, dumps(redact(config), indent=2, default=_json_default))

    def read_config(self) -> dict[str, Any]:
        if not self.config_path.is_file():
            raise ProvoiceError(f"{self.root} is not a run directory (no config.json)")
        return json.loads(self.config_path.read_text(encoding="utf-8"))

    def write_result(self, result: SessionResult) -> None:
        atomic_write_text(self.result_path(result.id), result.model_dump_json(indent=1))

    def read_result(self, sample_id: str) -> SessionResult:
        return SessionResult.model_validate_json(self.result_path(sample_id).read_text(encoding="utf-8"))

    def results(self) -> Iterator[SessionResult]:
        for path in sorted(self.sessions.glob("*.result.json")):
            yield SessionResult.model_validate_json(path.read_text(encoding="utf-8"))

    def write_predictions(self, predictions: list[Prediction]) -> Path:
        text = "".join(p.model_dump_json(exclude_none=True) + "\n" for p in predictions)
        atomic_write_text(self.predictions_path, text)
        return self.predictions_path


def prediction_from_result(sample, result: SessionResult) -> Prediction:
    """The predictions-file line for one finished session (SPEC section 4).

    The decision is "intervened" iff a scored interjection happened (at or after `monitor_from_s`);
    the first scored one is what gets judged and timed.
    """
    scored = [i for i in result.interjections if i.scored]
    first = scored[0] if scored else None
    return Prediction(
        id=sample.id,
        task=sample.task,
        label=sample.label,
        intervened=first is not None,
        response_text=first.text if first else "",
        tool_calls=list(first.tool_calls) if first else [],
        first_interjection_s=first.t if first else None,
        cue_start_s=sample.cue.start_s if sample.cue else None,
        cue_end_s=sample.cue.end_s if sample.cue else None,
        format=1,
        status="ok" if result.status == "ok" else "error",
        error=result.error,
        semantic_cue=sample.semantic_cue,
        gt_response=sample.gt_response,
        gt_tool_calls=list(sample.gt_tool_calls),
        monitor_from_s=sample.monitor_from_s,
        premature_interjections=sum(
            1 for i in scored if sample.cue is not None and i.t < sample.cue.start_s
        ),
        latency_parts=first.parts if first and first.parts else None,
        agent_errors=result.agent_errors or None,
    )
