"""JSON Merge Patch (RFC 7386): how a digital context changes mid-stream (`context_updates`).

    apply_merge_patch({"a": 1, "b": {"c": 2}}, {"b": {"c": null, "d": 3}}) == {"a": 1, "b": {"d": 3}}

The RFC's algorithm, section 2: a patch that is not an object replaces the target; an object patch
is applied member by member, `null` removing the member, objects merging recursively, anything
else (lists included) replacing it. The inputs are never modified.
"""

from __future__ import annotations

import copy
from typing import Any


def apply_merge_patch(target: Any, patch: Any) -> Any:
    """The result of applying `patch` to `target` (RFC 7386), as a new value."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = apply_merge_patch(out.get(key), value)
    return out
