"""Loading and validating a corpus directory: `manifest.jsonl` beside the audio it names."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem, ProblemsError, ProvoiceError, SampleError
from ..jsonl import read_jsonl
from .sample import Sample

MANIFEST = "manifest.jsonl"


class CorpusError(ProblemsError):
    def __init__(self, problems: list[Problem]):
        super().__init__("the corpus has", "problem(s)", problems)


@dataclass
class Corpus:
    root: Path
    samples: list[Sample]

    def audio_path(self, sample: Sample) -> Path:
        return resolve_audio(self.root, sample)

    def __len__(self) -> int:
        return len(self.samples)

    def by_id(self) -> dict[str, Sample]:
        return {s.id: s for s in self.samples}


def resolve_audio(root: Path, sample: Sample) -> Path:
    """The sample's audio path, refusing any path (or symlink) that leaves the corpus directory."""
    root = root.resolve()
    path = (root / sample.audio).resolve()
    if not path.is_relative_to(root):
        raise SampleError(sample.id, "audio", f"{sample.audio!r} leaves the corpus directory {root}")
    return path


def _parse_manifest(root: Path) -> tuple[list[tuple[int, Sample]], list[Problem]]:
    manifest = root / MANIFEST
    if not root.is_dir():
        return [], [Problem(None, None, None, f"{root} is not a directory")]
    if manifest.is_dir():
        return [], [Problem(None, None, None, f"{manifest} is a directory, not a file")]
    if not manifest.is_file():
        return [], [Problem(None, None, None, f"{manifest} is missing")]
    samples, problems = read_jsonl(manifest, Sample, "manifest")
    if not samples and not problems:
        problems.append(Problem(None, None, None, f"{manifest} holds no samples"))
    return samples, problems


def load_corpus(root: str | Path) -> Corpus:
    """Parse the manifest. Raises CorpusError naming every bad line; audio is checked by `validate`."""
    root = Path(root)
    parsed, problems = _parse_manifest(root)
    for lineno, sample in parsed:
        try:
            resolve_audio(root, sample)
        except SampleError as exc:
            problems.append(Problem(lineno, sample.id, "audio", exc.reason))
    if problems:
        raise CorpusError(problems)
    return Corpus(root=root, samples=[s for _, s in parsed])


def validate_corpus(root: str | Path, check_audio: bool = True) -> list[Problem]:
    """Every problem of a corpus: manifest lines, then each sample's audio and the timing rules of
    `consistency.timing_problems` (the one definition of a consistent sample)."""
    from ..audio import probe_audio
    from .consistency import timing_problems

    root = Path(root)
    parsed, problems = _parse_manifest(root)
    for lineno, sample in parsed:
        try:
            path = resolve_audio(root, sample)
        except SampleError as exc:
            problems.append(Problem(lineno, sample.id, "audio", exc.reason))
            continue
        duration = None
        if check_audio:
            try:
                duration = probe_audio(path, sample.id)
            except SampleError as exc:
                problems.append(Problem(lineno, sample.id, exc.field or "audio", exc.reason))
                continue
        problems += [Problem(lineno, sample.id, field, reason) for field, reason in timing_problems(sample, duration)]
    return problems


def write_manifest(root: str | Path, samples: list[Sample]) -> Path:
    """Write samples as `manifest.jsonl` atomically (temp file, then rename)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / (MANIFEST + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for s in samples:
            fh.write(s.model_dump_json(exclude_none=True) + "\n")
    path = root / MANIFEST
    tmp.replace(path)
    return path


def read_json_file(path: str | Path, what: str):
    """A JSON file a user points at, or a ProvoiceError saying which file and why."""
    p = Path(path)
    if not p.is_file():
        raise ProvoiceError(f"the {what} file {str(p)!r} does not exist")
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ProvoiceError(f"the {what} file {str(p)!r} is not valid JSON ({exc})") from None


def read_tool_file(path: str | Path, what: str = "tools"):
    """OpenAI function schemas from a JSON file: a list in either OpenAI form, or `{"tools": [...]}`
    (the official `new_tools.json` is the chat-completions form)."""
    from .sample import ToolSchema

    data = read_json_file(path, what)
    if isinstance(data, dict) and isinstance(data.get("tools"), list):
        data = data["tools"]
    if not isinstance(data, list):
        raise ProvoiceError(f"the {what} file {str(path)!r} must hold a JSON list of function schemas")
    tools = []
    for i, item in enumerate(data):
        try:
            tools.append(ToolSchema.model_validate(item))
        except ValueError as exc:
            raise ProvoiceError(f"the {what} file {str(path)!r}, tool {i}: not a function schema ({exc})") from None
    return tools
