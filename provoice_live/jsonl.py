"""Reading a JSONL file of pydantic models and reporting every bad line at once.

The corpus manifest and the predictions file are both "one object a line, each with an `id`": one
reader checks them alike and names, for each problem, the line, the sample id (when the line has
one) and the field (`errors.Problem`), so a user can fix a whole file in one pass.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import Problem

M = TypeVar("M", bound=BaseModel)


def read_jsonl(path: Path, model: type[M], what: str,
               check: Callable[[M], list[tuple[str, str]]] | None = None) -> tuple[list[tuple[int, M]], list[Problem]]:
    """Every non-blank line of `path` as a `model` with its line number, and every problem: a line
    that is not JSON or not an object (`what` names the file's kind), each field the model refuses,
    each `(field, reason)` that `check` finds, and an `id` seen before. A UTF-8 byte order mark
    (Windows editors) is not part of line 1."""
    items: list[tuple[int, M]] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    with Path(path).open(encoding="utf-8-sig") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                data = json.loads(raw)
            except json.JSONDecodeError as exc:
                problems.append(Problem(lineno, None, None, f"not valid JSON ({exc.msg} at column {exc.colno})"))
                continue
            if not isinstance(data, dict):
                problems.append(Problem(lineno, None, None, f"a {what} line must be a JSON object"))
                continue
            sid = data.get("id") if isinstance(data.get("id"), str) else None
            try:
                item = model.model_validate(data)
            except ValidationError as exc:
                problems += [Problem(lineno, sid, ".".join(str(p) for p in err["loc"]) or None, err["msg"])
                             for err in exc.errors()]
                continue
            bad = check(item) if check is not None else []
            if bad:
                problems += [Problem(lineno, sid, field, reason) for field, reason in bad]
                continue
            if sid in seen:
                problems.append(Problem(lineno, sid, "id", f"duplicate id (first on line {seen[sid]})"))
                continue
            if sid is not None:
                seen[sid] = lineno
            items.append((lineno, item))
    return items, problems
