"""Run outputs: the run directory, its config, the session log's records, their join, the results.

    records.py    the session log's record union, its writer and reader
    trace.py      SessionTrace: the one join of a session's records (interjection + response ...)
    results.py    SessionResult, Interjection, Prediction (the predictions file's line)
    directory.py  RunDir and RunConfig (config.json)
"""

from .directory import REDACTED, RunConfig, RunDir, atomic_write_text, redact
from .records import EventLog, SessionRecord, parse_record, read_records
from .results import Interjection, Prediction, SessionResult, Status, prediction_from_result
from .trace import Reply, SessionTrace

__all__ = [
    "REDACTED", "EventLog", "Interjection", "Prediction", "Reply", "RunConfig", "RunDir", "SessionRecord",
    "SessionResult", "SessionTrace", "Status", "atomic_write_text", "parse_record", "prediction_from_result",
    "read_records", "redact",
]
