"""The sample model, loading and validating a corpus, and (in `builder`) the synthesis pipeline."""

from .loader import Corpus, CorpusError, Problem, load_corpus, validate_corpus, write_manifest
from .sample import TASKS, CueWindow, Sample, Segment, ToolCall, ToolSchema

__all__ = [
    "TASKS", "Corpus", "CorpusError", "CueWindow", "Problem", "Sample", "Segment",
    "ToolCall", "ToolSchema", "load_corpus", "validate_corpus", "write_manifest",
]
