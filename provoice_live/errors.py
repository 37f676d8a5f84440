"""Errors that users see. Each one names what was wrong and where, in one sentence."""

from __future__ import annotations

from dataclasses import dataclass


class ProvoiceError(Exception):
    """Base class of every error the command line reports without a traceback."""


class SampleError(ProvoiceError):
    """Something is wrong with one sample (its audio, a field of its manifest line)."""

    def __init__(self, sample_id: str | None, field: str | None, reason: str):
        self.sample_id = sample_id
        self.field = field
        self.reason = reason
        where = []
        if sample_id is not None:
            where.append(f"sample {sample_id!r}")
        if field is not None:
            where.append(f"field {field!r}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {reason}" if prefix else reason)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a corpus: which line, which sample, which field, and why."""

    line: int | None
    sample_id: str | None
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = [f"line {self.line}"] if self.line else []
        if self.sample_id:
            where.append(f"sample {self.sample_id!r}")
        if self.field:
            where.append(f"field {self.field!r}")
        return f"{', '.join(where)}: {self.reason}" if where else self.reason


class ProblemsError(ProvoiceError):
    """Several problems found in one input, each naming its line, sample and field."""

    def __init__(self, prefix: str, noun: str, problems: list[Problem]):
        self.problems = problems
        head = "; ".join(str(p) for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"{prefix} {len(problems)} {noun}: {head}{more}")


class AudioError(SampleError):
    """Audio that cannot be used: unreadable, empty, non-finite, or at an unusable rate."""


class AgentError(ProvoiceError):
    """An agent misbehaved: disconnected, sent garbage, timed out. The session ends as an error."""


class MissingDependency(ProvoiceError):
    """An optional part is not installed; the message says what to install."""


def require(module: str, extra: str, what: str):
    """Import an optional module lazily, or raise one clear sentence saying what to install."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingDependency(
            f"{what} needs the Python package {module!r}: install it with "
            f"pip install 'provoice-live[{extra}]' ({exc})."
        ) from exc
    except OSError as exc:  # e.g. sounddevice without the PortAudio library
        raise MissingDependency(f"{what} could not load a system library: {exc}.") from exc


class ReplyError(ProvoiceError, ValueError):
    """A reply that cannot be read as `{interaction_score, tool_calls, agent_response}`.

    `malformed` tells an answer that was found but is wrong inside (a tool call without a name,
    a response that is not a string) from a reply with no answer in it at all.
    """

    def __init__(self, reason: str, malformed: bool = False):
        self.reason = reason
        self.malformed = malformed
        super().__init__(reason)
