"""Agent adapters: the interface (`base`) and one module per agent, found by name here."""

from __future__ import annotations

import importlib
from typing import Any

from ..errors import ProvoiceError
from .base import (AgentAdapter, AgentEvent, AgentModel, AudioEvent, Capabilities, ErrorEvent, InfoEvent, PollRequest,
                   ResponseDone, SessionContext, SessionIO, SilenceDecision, TextEvent, ToolCallEvent,
                   TranscriptEvent, is_output)

# name -> "module:Class". Modules are imported only when their agent is used (heavy deps stay lazy).
REGISTRY: dict[str, str] = {
    "null": "provoice_live.agents.null:NullAgent",
    "scripted": "provoice_live.agents.scripted:ScriptedAgent",
    "offline": "provoice_live.agents.offline:OfflineAgent",
    "openai-realtime": "provoice_live.agents.openai_realtime:OpenAIRealtimeAgent",
    "gemini-live": "provoice_live.agents.gemini_live:GeminiLiveAgent",
    "omni-chat": "provoice_live.agents.omni_chat:OmniChatAgent",
    "cascade": "provoice_live.agents.cascade:CascadeAgent",
    "websocket": "provoice_live.agents.websocket:WebSocketAgent",
}


def agent_class(name: str) -> type[AgentAdapter]:
    """The adapter class for a registered name, or for `package.module:Class` (your own adapter)."""
    if name in REGISTRY:
        module, _, cls = REGISTRY[name].partition(":")
    elif ":" in name:
        module, _, cls = name.partition(":")
    else:
        raise ProvoiceError(f"unknown agent {name!r}; choose one of: {', '.join(sorted(REGISTRY))}, "
                            "or give your own adapter as package.module:Class")
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            raise ProvoiceError(f"agent {name!r} is not available in this version ({module} is missing)") from exc
        raise
    found = getattr(mod, cls, None)
    if not (isinstance(found, type) and issubclass(found, AgentAdapter)):
        raise ProvoiceError(f"{module}:{cls} is not an AgentAdapter subclass")
    return found


def agent_model(name: str, **options: Any) -> AgentModel:
    """The configured agent for a run: its capabilities and settings, and `session()` per sample.
    Unknown names and bad options fail here, before anything is written."""
    return AgentModel(agent_class(name), options)


__all__ = [
    "REGISTRY", "AgentAdapter", "AgentEvent", "AgentModel", "AudioEvent", "Capabilities", "ErrorEvent", "InfoEvent",
    "PollRequest", "ResponseDone", "SessionContext", "SessionIO", "SilenceDecision", "TextEvent",
    "ToolCallEvent", "TranscriptEvent", "agent_class", "agent_model", "is_output",
]
