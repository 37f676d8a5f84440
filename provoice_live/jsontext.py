"""Standard JSON out: every JSON text the harness writes (logs, results, scores, wire messages).

Python's `json.dumps` writes bare `NaN`, `Infinity` and `-Infinity` for non-finite floats by
default, which is not JSON (RFC 8259) and which other readers refuse. `dumps` writes a non-finite
float as `null` (an absent measurement) and then dumps with `allow_nan=False`, so no non-standard
token can ever be written; anything else it cannot encode raises TypeError as `json.dumps` does.
"""

from __future__ import annotations

import json
import math
from typing import Any


def finite(value: Any) -> Any:
    """`value` with every non-finite float (NaN, +-inf), at any depth, replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def dumps(value: Any, **kwargs: Any) -> str:
    """`json.dumps(value, **kwargs)` that writes standard JSON only (non-finite floats as null)."""
    default = kwargs.pop("default", None)
    if default is not None:  # objects turned into JSON by `default` may hold non-finite floats too
        kwargs["default"] = lambda obj: finite(default(obj))
    return json.dumps(finite(value), allow_nan=False, **kwargs)
