"""The null agent: listens and never speaks. The floor of every table, and the throughput probe."""

from __future__ import annotations

from .base import AgentAdapter, Capabilities


class NullAgent(AgentAdapter):
    name = "null"

    def __init__(self, rate: int | str = 16000, **options):
        super().__init__(rate=rate, **options)
        self.capabilities = Capabilities(input_sample_rate=int(rate))
        self.samples_received = 0

    async def push_audio(self, chunk) -> None:
        self.samples_received += chunk.n_samples
