"""`import-provoice`: the release's clips into a corpus, with derived timing.

Audio is hard-linked (or copied) into the corpus; each clip's timing is located (`location.locate`)
in a worker process; a sample is written only when it passes the corpus's consistency rules
(`corpus.consistency`), so the output always passes `validate`. Samples whose audio is missing or
whose cue cannot be found are listed in `skipped.jsonl`, not faked. Resumable.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

from ... import FORMAT_VERSION
from ...errors import SampleError
from ...jsontext import dumps
from .location import locate
from .records import Record, read_records, read_tools

log = logging.getLogger(__name__)


def _find_audio(rec: Record, data_dir: Path, audio_dir: Path | None) -> Path | None:
    rel = Path(rec.audio_filepath)
    bases = [audio_dir, data_dir] if audio_dir else [data_dir]
    for base in bases:
        for cand in (base / rel, base / rel.name):
            if cand.is_file():
                return cand
    return None


def _place_audio(src: Path, dst: Path, copy: bool) -> str:
    if dst.is_file():
        return "kept"
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    if not copy:
        try:
            os.link(src, tmp)
            os.replace(tmp, dst)
            return "linked"
        except OSError:
            pass
    shutil.copy2(src, tmp)
    os.replace(tmp, dst)
    return "copied"


def import_one(rec: Record, src: str, out: str, copy: bool) -> dict[str, Any]:
    """Place one clip in the corpus, locate its timing, write its record. Runs in a worker."""
    from ...audio import load_audio
    from ..builder.pipeline import AUDIO, _atomic_write_text, _paths
    from ..consistency import timing_problems
    from ..sample import Sample

    root = Path(out)
    dst = root / AUDIO / f"{rec.id}{Path(src).suffix.lower() or '.wav'}"
    how = _place_audio(Path(src), dst, copy)
    try:
        x, rate = load_audio(dst, rec.id)
    except SampleError as exc:
        return {"id": rec.id, "status": "skipped", "kind": "audio", "reason": str(exc)}
    try:
        found = locate(rec, x, rate)
    except Exception as exc:  # a recogniser failure on one clip must not stop the import
        log.exception("locating the cue of %s failed", rec.id)
        return {"id": rec.id, "status": "skipped", "kind": "error", "reason": f"locating the cue failed: {exc}"}
    if rec.label and found.cue is None:
        return {"id": rec.id, "status": "skipped", "kind": "cue", "reason": "; ".join(found.notes)}
    sample = Sample(
        id=rec.id, task=rec.task, label=rec.label, audio=f"{AUDIO}/{dst.name}",
        digital_context=rec.digital_context, instruction=rec.instruction,
        monitor_from_s=found.monitor_from_s, cue=found.cue, semantic_cue=rec.semantic_cue,
        tools=[], gt_response=rec.gt_response, gt_tool_calls=rec.gt_tool_calls,
        meta={**rec.meta, "cue_method": found.method, "audio_placed": how, "notes": found.notes or None,
              "cue_location": found.location},
    )
    problems = timing_problems(sample, len(x) / rate)
    if problems:  # the corpus's one definition of a consistent sample: never write what `validate` refuses
        return {"id": rec.id, "status": "skipped", "kind": "invalid",
                "reason": "; ".join(f"field {f!r}: {r}" for f, r in problems)}
    _, record, _ = _paths(root, rec.id)
    _atomic_write_text(record, sample.model_dump_json(exclude_none=True))
    return {"id": rec.id, "status": "ok"}


def import_release(data: str | Path, tools: str | Path | None, out: str | Path, *, audio_dir: str | Path | None = None,
                   copy: bool = False, workers: int = 1, progress: bool = True) -> dict[str, Any]:
    """Convert the release into a corpus in `out` (resumable). Returns a summary."""
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing

    from ..builder.pipeline import AUDIO, PARTS, SKIPPED, _atomic_write_text, _progress
    from ..builder.templates.tools import CATALOGUE
    from ..loader import write_manifest
    from ..sample import Sample

    started = time.perf_counter()
    out = Path(out)
    (out / AUDIO).mkdir(parents=True, exist_ok=True)
    (out / PARTS).mkdir(parents=True, exist_ok=True)
    tool_set = read_tools(tools) if tools else list(CATALOGUE.values())
    records, skipped = read_records(data)
    data_dir = Path(data).resolve().parent
    adir = Path(audio_dir) if audio_dir else None
    todo = []
    for rec in records:
        src = _find_audio(rec, data_dir, adir)
        if src is None:
            skipped.append({"id": rec.id, "kind": "audio", "reason": f"audio {rec.audio_filepath!r} not found"})
            continue
        finished = any((out / AUDIO).glob(f"{rec.id}.*")) and (out / PARTS / f"{rec.id}.json").is_file()
        if not finished:
            todo.append((rec, str(src), str(out), copy))
    with _progress(progress) as bar:
        task = bar.add_task("import", total=len(todo))
        if workers <= 1:
            results = []
            for args in todo:
                results.append(import_one(*args))
                bar.advance(task)
        else:
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
                results = []
                for r in pool.map(import_one, *zip(*todo)) if todo else []:
                    results.append(r)
                    bar.advance(task)
    skipped += [{k: r[k] for k in ("id", "kind", "reason")} for r in results if r["status"] != "ok"]
    samples = []
    for rec in records:
        record = out / PARTS / f"{rec.id}.json"
        if record.is_file():
            s = Sample.model_validate_json(record.read_text(encoding="utf-8"))
            samples.append(s.model_copy(update={"tools": tool_set}))
    if samples:
        write_manifest(out, samples)
    skipped_path = out / SKIPPED
    if skipped:
        _atomic_write_text(skipped_path, "".join(dumps(s) + "\n" for s in skipped))
    elif skipped_path.exists():
        skipped_path.unlink()
    summary = {"format": FORMAT_VERSION, "source": str(data), "samples": len(samples), "skipped": len(skipped),
               "seconds": round(time.perf_counter() - started, 2)}
    _atomic_write_text(out / "import.json", dumps(summary, indent=2) + "\n")
    return summary
