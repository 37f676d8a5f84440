"""Strictness for the fakes of remote services, taken from the `openai` SDK's own type definitions.

* `check_params(TypedDictClass, raw)`: validate a request (a client event, a request body) against
  the SDK's request params type; returns the first problem as `(param path, message)` or None.
  Wrong types, missing required fields and unknown keys (at any depth) are all problems: pydantic
  validates TypedDicts but drops keys it does not know, so what it dropped is what the SDK does
  not know.
* `sdk_event(Model, data)`: build a server message through the SDK's response model (pydantic), and
  refuse a field the model does not declare (SDK models accept extra fields silently), so a fake's
  names cannot drift from the SDK's. Returns the JSON-ready dict.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError


@functools.lru_cache(maxsize=None)
def _adapter(tp: Any) -> TypeAdapter:
    return TypeAdapter(tp)


def _materialise(value: Any) -> Any:
    """Validated output with lazy iterables (pydantic's `Iterable` fields) turned into lists."""
    if isinstance(value, dict):
        return {k: _materialise(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_materialise(v) for v in value]
    if isinstance(value, (str, bytes, int, float, bool)) or value is None:
        return value
    if isinstance(value, Iterator) or type(value).__name__ == "ValidatorIterator":
        return [_materialise(v) for v in value]
    return value


def _unknown(raw: Any, seen: Any, path: str) -> str | None:
    if isinstance(raw, dict) and isinstance(seen, dict):
        for key, value in raw.items():
            where = f"{path}.{key}" if path else key
            if key not in seen:
                return where
            found = _unknown(value, seen[key], where)
            if found:
                return found
    elif isinstance(raw, list) and isinstance(seen, list):
        for i, (a, b) in enumerate(zip(raw, seen)):
            found = _unknown(a, b, f"{path}[{i}]")
            if found:
                return found
    return None


# Free-form JSON objects inside requests (a tool's JSON schema, metadata): their keys are data.
FREE_FORM = ("parameters", "metadata", "chat_template_kwargs")


def _prune_free_form(raw: Any) -> Any:
    if isinstance(raw, dict):
        return {k: ({} if k in FREE_FORM and isinstance(v, dict) else _prune_free_form(v)) for k, v in raw.items()}
    if isinstance(raw, list):
        return [_prune_free_form(v) for v in raw]
    return raw


def check_params(tp: Any, raw: Any, allow_extra: tuple[str, ...] = ()) -> tuple[str, str] | None:
    """The first problem of `raw` as the SDK's params type `tp` sees it: (param, message), or None."""
    try:
        validated = _materialise(_adapter(tp).validate_python(raw))
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        return where, f"Invalid value for '{where}': {err['msg']}."
    extra = {k: v for k, v in raw.items() if k not in allow_extra} if isinstance(raw, dict) else raw
    unknown = _unknown(_prune_free_form(extra), validated, "")
    if unknown:
        return unknown, f"Unknown parameter: '{unknown}'."
    return None


def _extras(model: Any, path: str) -> str | None:
    if isinstance(model, BaseModel):
        extra = getattr(model, "__pydantic_extra__", None) or {}
        if extra:
            return f"{path}.{next(iter(extra))}".lstrip(".")
        for name in type(model).model_fields:
            found = _extras(getattr(model, name, None), f"{path}.{name}")
            if found:
                return found
    elif isinstance(model, (list, tuple)):
        for i, item in enumerate(model):
            found = _extras(item, f"{path}[{i}]")
            if found:
                return found
    return None


def sdk_event(model: Any, data: dict[str, Any], allow_extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """`data` validated by the SDK model (or union) `model`, with no undeclared field; JSON-ready."""
    built = _adapter(model).validate_python(data)
    undeclared = _extras(built, "")
    if undeclared and undeclared.rsplit(".", 1)[-1] not in allow_extra:
        raise AssertionError(f"the fake sends {undeclared!r}, which {type(built).__name__} does not declare")
    return built.model_dump(mode="json", exclude_unset=True)
