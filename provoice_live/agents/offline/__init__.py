"""The embedded offline proactive agent (`--agent offline`): no key, no network.

Parts, each replaceable and tested on its own:
- `hearing`: webrtcvad endpointing + faster-whisper tiny.en transcription in a background thread;
- `sounds`: sound event detection and a table-driven classifier;
- `understanding/`: the request (`instruction`), the four rules (`topic_watch`, `intent`,
  `fact_check`; sounds are matched in `mind`) over word tables (`lexicon`), and the decision layer
  (`mind`);
- `agent`: the adapter that wires them to the engine.
"""

from .agent import OfflineAgent

__all__ = ["OfflineAgent"]
