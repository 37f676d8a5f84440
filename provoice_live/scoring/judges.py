"""Judges: who gives the verdicts J of equation 1, on true positives only.

* `HeuristicJudge` (`--judge heuristic`, the default): offline rules, see `heuristic.py`. Named
  "heuristic (offline)" in every output.
* `OpenAIJudge` (`--judge openai:MODEL --base-url URL`): any OpenAI-compatible chat-completions
  endpoint, with the official rubric in our words (`prompts.py`). The key comes from the environment
  (`OPENAI_API_KEY`, or the variable named by `--api-key-env`), never from a file or the command line.
  At most `concurrency` requests are in flight (an asyncio semaphore); 429s, 5xx, timeouts and
  connection errors are retried with exponential backoff (honouring `Retry-After`; the shared
  `provoice_live.http_retry` policy); after any other error, or retries exhausted, no new request is sent
  and the scoring stops with one clear sentence (the verdicts obtained stay cached). Every verdict is appended to a cache (`judge_cache.jsonl` in
  the run directory) keyed by a hash of the model and the prompt, as soon as it arrives: a rerun, or
  a run cut short and restarted, asks the endpoint nothing it has already answered.
  **Repeats** (`--judge-repeats N`, `scoring/agreement.py`): repeat r of a verdict is cached under its
  own key (the repeat index and a non-zero temperature join the hash; repeat 0 at temperature 0 keeps
  the plain key), so each repeat is asked once and a rerun asks nothing.

Both expose `name`, `judge(items)` and `async ajudge(items)` returning one `Verdict` per `JudgeItem`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterable, Protocol, Sequence

from ..http_retry import RetryPolicy, call_with_retries
from ..errors import ProvoiceError
from .heuristic import NAME as HEURISTIC_NAME
from .heuristic import HeuristicJudge
from .prompts import judge_messages, parse_judge_reply
from .response import Verdict
from ..jsontext import dumps
from ..redact import secret_from_env

log = logging.getLogger(__name__)

CACHE_NAME = "judge_cache.jsonl"
DEFAULT_API_KEY_ENV = "OPENAI_API_KEY"


@dataclass(slots=True)
class JudgeItem:
    """What a judge sees of one true positive. Tool calls are (name, arguments) pairs."""

    id: str
    semantic_cue: str
    gt_tool_calls: Sequence[tuple[str, dict]]
    gt_response: str
    pred_tool_calls: Sequence[tuple[str, dict]]
    pred_response: str


class Judge(Protocol):
    name: str

    def judge(self, items: Sequence[JudgeItem]) -> list[Verdict]: ...

    async def ajudge(self, items: Sequence[JudgeItem]) -> list[Verdict]: ...

    def describe(self) -> dict[str, Any]: ...


class JudgeError(ProvoiceError):
    """The judge could not give some verdicts (after retries); the ones it gave are cached."""


# ---- the verdict cache --------------------------------------------------------------------------

class VerdictCache:
    """An append-only JSONL file of verdicts keyed by sha256(model + prompt). Torn lines are skipped."""

    def __init__(self, path: str | Path | None):
        self.path = Path(path) if path else None
        self._entries: dict[str, dict[str, Any]] = {}
        if self.path and self.path.is_file():
            with self.path.open(encoding="utf-8") as fh:
                for line in fh:
                    try:
                        entry = json.loads(line)
                        self._entries[entry["key"]] = entry
                    except (json.JSONDecodeError, KeyError, TypeError):
                        continue

    @staticmethod
    def key(model: str, messages: list[dict[str, str]], repeat: int = 0, temperature: float = 0.0) -> str:
        """The cache key of one verdict: repeat r > 0 and a sampling temperature each make their own."""
        fields: dict[str, Any] = {"model": model, "messages": messages}
        if repeat:
            fields["repeat"] = repeat
        if temperature:
            fields["temperature"] = temperature
        payload = json.dumps(fields, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def get(self, key: str) -> dict[str, Any] | None:
        return self._entries.get(key)

    def put(self, key: str, entry: dict[str, Any]) -> None:
        entry = {"key": key, **entry}
        self._entries[key] = entry
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(dumps(entry, ensure_ascii=False) + "\n")

    def __len__(self) -> int:
        return len(self._entries)


# ---- the LLM judge ------------------------------------------------------------------------------

@dataclass
class OpenAIJudge:
    """An LLM judge over an OpenAI-compatible endpoint (see the module docstring)."""

    model: str
    base_url: str | None = None
    api_key_env: str = DEFAULT_API_KEY_ENV
    cache: VerdictCache = field(default_factory=lambda: VerdictCache(None))
    concurrency: int = 8
    retry: RetryPolicy = RetryPolicy(max_retries=5, base_s=1.0, max_s=30.0)
    timeout_s: float = 120.0
    repeat: int = 0  # which repeat of the verdicts this judge asks (its own cache keys)
    temperature: float = 0.0  # 0: the most likely verdict; repeats sample (1.0 by default)
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    # counters, for the report
    calls: int = 0
    cache_hits: int = 0
    retries: int = 0
    missing_tags: int = 0
    _failed: str | None = field(default=None, repr=False)  # after a failure, the rest are not asked

    @property
    def name(self) -> str:
        return f"openai:{self.model}"

    @property
    def rater(self) -> str:
        """This judge and repeat, as the agreement table names it."""
        return f"{self.name} #{self.repeat + 1}"

    def describe(self) -> dict[str, Any]:
        return {"judge": self.name, "repeat": self.repeat, "temperature": self.temperature, "base_url": self.base_url, "model_calls": self.calls,
                "cache_hits": self.cache_hits, "retries": self.retries, "missing_tags": self.missing_tags,
                "cache": str(self.cache.path) if self.cache.path else None}

    def _client(self):
        import openai

        key = secret_from_env(self.api_key_env)
        if not key and self.base_url is None:
            raise ProvoiceError(f"the judge {self.name} needs an API key in the environment variable "
                                f"{self.api_key_env} (or --api-key-env NAME)")
        # Local servers often need no key; the SDK insists on one, so send a placeholder.
        return openai.AsyncOpenAI(api_key=key or "no-key", base_url=self.base_url, max_retries=0,
                                  timeout=self.timeout_s)

    def judge(self, items: Sequence[JudgeItem]) -> list[Verdict]:
        return asyncio.run(self.ajudge(items))

    async def ajudge(self, items: Sequence[JudgeItem]) -> list[Verdict]:
        prompts = [judge_messages(it.semantic_cue, it.gt_tool_calls, it.gt_response, it.pred_tool_calls,
                                  it.pred_response) for it in items]
        keys = [VerdictCache.key(self.model, m, self.repeat, self.temperature) for m in prompts]
        todo = {k: m for k, m in zip(keys, prompts) if self.cache.get(k) is None}
        self.cache_hits += len(items) - sum(1 for k in keys if k in todo)
        failures: dict[str, str] = {}
        self._failed = None
        if todo:
            client = self._client()
            semaphore = asyncio.Semaphore(max(1, self.concurrency))
            try:
                results = await asyncio.gather(*(self._ask(client, semaphore, k, m) for k, m in todo.items()),
                                               return_exceptions=True)
            finally:
                await client.close()
            for key, result in zip(todo, results):
                if isinstance(result, BaseException):
                    failures[key] = str(result) or type(result).__name__
        if failures:
            first_id = next(it.id for it, k in zip(items, keys) if k in failures)
            raise JudgeError(
                f"the judge {self.name} gave no verdict on {len(failures)} of {len(items)} true positives "
                f"(it stopped at the first failure: sample {first_id!r}: {self._failed}); the "
                f"{len(items) - len(failures)} verdicts obtained are cached in "
                f"{self.cache.path or 'memory'}: run again to retry the rest")
        out = []
        for key in keys:
            entry = self.cache.get(key)
            out.append(Verdict(entry["tool_call_score"] / 2.0, entry["response_score"] / 2.0, self.name))
        return out

    async def _ask(self, client, semaphore: asyncio.Semaphore, key: str, messages: list[dict[str, str]]) -> None:
        async with semaphore:
            if self._failed:  # a bad key or a dead server fails every request: do not send them all
                raise JudgeError("not asked after an earlier failure")
            try:
                reply = await self._call_with_retries(client, messages)
            except Exception as exc:
                self._failed = self._failed or str(exc) or type(exc).__name__
                raise
        tool, text, missing = parse_judge_reply(reply)
        if missing:
            self.missing_tags += 1
            log.warning("judge reply without %s (counted as 0): %r", ", ".join(missing), reply[:200])
        self.cache.put(key, {"model": self.model, "repeat": self.repeat, "tool_call_score": int(tool * 2),
                             "response_score": int(text * 2), "missing": missing, "reply": reply[:2000]})

    async def _call_with_retries(self, client, messages: list[dict[str, str]]) -> str:
        async def attempt() -> str:
            self.calls += 1
            response = await client.chat.completions.create(model=self.model, messages=messages,
                                                            temperature=self.temperature)
            return response.choices[0].message.content or ""

        def on_retry(n: int, fault, delay: float) -> None:
            self.retries += 1
            log.info("judge: %s, retry %d in %.2f s", fault.reason, n, delay)

        return await call_with_retries(attempt, self.retry, what=f"judge {self.name}", on_retry=on_retry,
                                       sleep=self.sleep)


# ---- choosing a judge ---------------------------------------------------------------------------

def make_judge(spec: str = "heuristic", base_url: str | None = None, api_key_env: str = DEFAULT_API_KEY_ENV,
               cache_path: str | Path | None = None, concurrency: int = 8, repeat: int = 0,
               temperature: float = 0.0) -> HeuristicJudge | OpenAIJudge:
    """`heuristic` or `openai:MODEL` (docs/SCORING.md); `repeat` and `temperature` for an LLM judge."""
    if spec in ("heuristic", HEURISTIC_NAME):
        return HeuristicJudge()
    kind, _, model = spec.partition(":")
    if kind == "openai" and model:
        return OpenAIJudge(model=model, base_url=base_url, api_key_env=api_key_env,
                           cache=VerdictCache(cache_path), concurrency=concurrency, repeat=repeat,
                           temperature=temperature)
    raise ProvoiceError(f"unknown judge {spec!r}: use 'heuristic' or 'openai:MODEL' (with --base-url URL)")


def make_raters(specs: Sequence[str], repeats: int = 1, temperature: float | None = None,
                shared_cache: VerdictCache | None = None, **kwargs: Any) -> list:
    """One judge per rater: each LLM judge of `specs` once per repeat, the heuristic once (it is
    deterministic). `temperature` defaults to 0 for one repeat and 1.0 (the model's sampling) for
    several. All LLM raters share one verdict cache (their keys differ)."""
    if repeats < 1:
        raise ProvoiceError(f"--judge-repeats must be >= 1, not {repeats}")
    if temperature is None:
        temperature = 0.0 if repeats == 1 else 1.0
    if not 0.0 <= temperature <= 2.0:
        raise ProvoiceError(f"--judge-temperature must be between 0 and 2, not {temperature}")
    cache = shared_cache or VerdictCache(kwargs.pop("cache_path", None))
    kwargs.pop("cache_path", None)
    raters = []
    for spec in dict.fromkeys(specs):
        first = make_judge(spec, **kwargs)
        if isinstance(first, HeuristicJudge):
            raters.append(first)
            continue
        for r in range(repeats):
            raters.append(OpenAIJudge(model=first.model, base_url=first.base_url, api_key_env=first.api_key_env,
                                      cache=cache, concurrency=first.concurrency, repeat=r, temperature=temperature))
    return raters


def judge_items(items: Iterable[JudgeItem], judge) -> list[Verdict]:
    """Run a judge from synchronous code, or fail clearly inside a running event loop."""
    items = list(items)
    if not items:
        return []
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return judge.judge(items)
    raise ProvoiceError("judge_items() was called inside an event loop: await judge.ajudge(items) instead")
