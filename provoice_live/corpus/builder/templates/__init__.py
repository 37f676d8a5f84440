"""The offline scene template library: at least 12 templates per task, positive and negative.

`REGISTRY` maps a template name to its `Template` (task, summary, build function, labels it
supports); `templates_for(task, label)` lists those of a task in a stable order. A template's
`build(Draw(seed), label)` returns a `Draft`; `..scenes.make_scene` makes it a `Scene`.
One module per task: `pic`, `ltm`, `cfc`, `ess`; shared parts in `base` (draws, lines, the
registry), `pools` (slot values), `apps` (app states), `tools` (the tool catalogue).
"""

from __future__ import annotations

from . import cfc, ess, ltm, pic  # noqa: F401  (importing registers the templates)
from .base import REGISTRY, Draft, Draw, Template


def templates_for(task: str, label: bool | None = None) -> list[Template]:
    """The templates of a task (that support `label`, when given), in registration order."""
    return [t for t in REGISTRY.values() if t.task == task and (label is None or label in t.labels)]


__all__ = ["REGISTRY", "Draft", "Draw", "Template", "templates_for"]
