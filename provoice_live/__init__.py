"""provoice-live: a real-time harness for proactive voice agents.

The flow (see README): a source yields timed audio chunks, the engine paces them through an agent
adapter, the adapter's events land in a per-session JSONL log, and scoring turns the logs into the
ProVoice-Bench paper's tables plus intervention latency.
"""

__version__ = "0.1.0"
FORMAT_VERSION = 1  # the version of the public file formats (manifest, predictions, logs)
