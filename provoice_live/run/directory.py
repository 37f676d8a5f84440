"""A run directory and its configuration.

    RUN/config.json                  the run's `RunConfig` (secrets redacted)
    RUN/sessions/<id>.jsonl          one append-only session log (`run/records.py`)
    RUN/sessions/<id>.result.json    the `SessionResult`, written atomically when the session ends:
                                     its presence marks the session finished (ok or error); a log
                                     without it is a session that was cut short, redone on resume
    RUN/sessions/<id>.input.wav      live sessions only: the audio the agent received
    RUN/sessions/<id>.agent.wav      the agent's voice, when it spoke (sample 0 is the session's start)
    RUN/sessions/<id>.mix.wav        benchmark sessions the agent spoke in: left the scene, right the agent
    RUN/predictions.jsonl            one `Prediction` per finished session (docs/FORMATS.md)
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any, Iterator, Literal

from pydantic import BaseModel, ConfigDict, Field

from .. import FORMAT_VERSION, __version__
from ..errors import ProvoiceError
from ..jsontext import dumps
from ..redact import scrub
from .results import Prediction, SessionResult
from .trace import SessionTrace

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


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` (secrets scrubbed) to a temporary file beside `path`, fsync it, and rename it
    over `path`."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(scrub(text))
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)


class RunConfig(BaseModel):
    """`config.json`: what a run ran with. One model for benchmark runs and live sessions.

    The runner compares `agent`, `agent_options` and `session` on resume; the live commands add
    what the person typed in and where the audio came from.
    """

    model_config = ConfigDict(extra="allow")
    format: int = FORMAT_VERSION
    provoice_live: str = __version__
    kind: Literal["benchmark", "live"] = "benchmark"
    agent: str
    agent_options: dict[str, Any] = Field(default_factory=dict)
    agent_settings: dict[str, Any] = Field(default_factory=dict)
    session: dict[str, Any] = Field(default_factory=dict)  # the SessionConfig
    # benchmark runs
    corpus: str | None = None
    concurrency: int | None = None
    # live sessions
    session_id: str | None = None
    instruction: str | None = None
    digital_context: dict[str, Any] | None = None
    tools: list[dict[str, Any]] | None = None
    source: dict[str, Any] | None = None  # rate, kind (microphone | webrtc), speak
    started: str | None = None

    @staticmethod
    def now() -> str:
        """The `started` stamp of a live session."""
        return time.strftime("%Y-%m-%dT%H:%M:%S%z")

    def stored(self) -> dict[str, Any]:
        """The JSON object written to config.json: secrets redacted, unset optional fields left out."""
        return redact({k: v for k, v in self.model_dump(mode="json").items() if v is not None})


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

    def session_ids(self) -> list[str]:
        """The sessions that have a log, sorted."""
        return sorted(p.name[:-len(".jsonl")] for p in self.sessions.glob("*.jsonl"))

    def trace(self, sample_id: str) -> SessionTrace:
        """A session's log, joined."""
        return SessionTrace.read(self.log_path(sample_id))

    def write_config(self, config: RunConfig) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.config_path, dumps(config.stored(), indent=2))

    def read_config(self) -> dict[str, Any]:
        """The stored config.json as written (redacted), as a JSON object."""
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
