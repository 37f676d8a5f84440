"""The null agent: listens and never speaks. The floor of every table, and the throughput probe."""

from __future__ import annotations

from .base import AgentAdapter, Capabilities


class NullAgent(AgentAdapter):
    name = "null"

    def __init__(self, **options):
        super().__init__(**options)
        self.samples_received = 0

    @classmethod
    def parse_options(cls, options: dict) -> dict:
        return {"rate": 16000, **options}

    @classmethod
    def capabilities_for(cls, opts: dict) -> Capabilities:
        return Capabilities(input_sample_rate=int(opts["rate"]))

    async def push_audio(self, chunk) -> None:
        self.samples_received += chunk.n_samples
