"""Secrets never reach a log, a result, a predictions file or the console.

Keys come from the environment only, but a remote server may echo one back (a 401 body that quotes
the key it received), and error texts travel from there into logs, results and prints. So every
text the harness writes passes through `scrub`, which replaces

* every secret the harness knows: each value read with `secret_from_env` (the agents' and judges'
  keys) and the value of every environment variable whose name looks secret (`*API_KEY*`,
  `*TOKEN*`, `*SECRET*`, `*PASSWORD*`), at least `MIN_SECRET_LEN` characters long;
* anything shaped like a token: `Bearer <token>` and `sk-...` keys (OpenAI's shape),

with `REDACTED`. The choke points are `log.EventLog.write` and `log.atomic_write_text` (every
record and every file of a run directory, scores included), the command line's error print and
its log handler, and the run summary's error lines.
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any

REDACTED = "***redacted***"
MIN_SECRET_LEN = 8  # shorter values (e.g. "EMPTY", "1") are not secrets worth matching everywhere
SECRET_ENV_NAME = re.compile(r"(API[_-]?KEY|TOKEN|SECRET|PASSWORD|PASSWD)", re.I)
TOKEN_SHAPES = (
    re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=\-]{8,}"),
    re.compile(r"\bsk-[A-Za-z0-9_\-]{8,}"),
)

_known: set[str] = set()


def remember(secret: str | None) -> None:
    """Treat `secret` as a secret from now on (this process): `scrub` removes it everywhere."""
    if secret and len(secret) >= MIN_SECRET_LEN:
        _known.add(secret)


def secret_from_env(name: str | None) -> str | None:
    """The value of the environment variable `name` (None when unset or empty), remembered."""
    value = os.environ.get(name) if name else None
    remember(value)
    return value or None


_cache: tuple[dict, int, list[str]] | None = None  # (the environment seen, len(_known), the answer)


def known_secrets() -> list[str]:
    """What `scrub` replaces literally: remembered secrets and secret-named environment values,
    longest first (so a key that contains another is replaced whole).

    Cached, and the cache is checked on every call, so a secret set later is still scrubbed: the
    answer is reused only while the process environment (`os.environ`'s mapping, compared whole,
    in C: about a microsecond) and the remembered set (which only grows) are as they were."""
    global _cache
    data = getattr(os.environ, "_data", None)  # CPython's mapping behind os.environ
    if _cache is not None and data is not None and _cache[1] == len(_known) and _cache[0] == data:
        return list(_cache[2])
    env = {v for k, v in os.environ.items() if SECRET_ENV_NAME.search(k) and len(v) >= MIN_SECRET_LEN}
    answer = sorted(_known | env, key=len, reverse=True)
    if data is not None:
        _cache = (dict(data), len(_known), answer)
    return list(answer)


def scrub(text: str, secrets: list[str] | None = None) -> str:
    """`text` with every known secret (or each of `secrets`) and every token-shaped string
    replaced by `REDACTED`."""
    if not text:
        return text
    for secret in known_secrets() if secrets is None else secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = TOKEN_SHAPES[0].sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    return TOKEN_SHAPES[1].sub(REDACTED, text)


def scrub_value(value: Any, secrets: list[str] | None = None) -> Any:
    """`scrub` applied to every string inside dicts, lists and tuples (keys included)."""
    if secrets is None:
        secrets = known_secrets()
    if isinstance(value, str):
        return scrub(value, secrets)
    if isinstance(value, dict):
        return {scrub_value(k, secrets): scrub_value(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub_value(v, secrets) for v in value]
    return value


class ScrubFilter(logging.Filter):
    """A logging filter for handlers: the formatted message (arguments and exception text
    included) is scrubbed before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args = scrub(message), None
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True
