"""The LLM path of the scene stages (paper section 2.2, stages 1-3) through any OpenAI-compatible
chat completions endpoint, with the `openai` SDK.

Stages, each one request with pydantic-validated structured output:
1. `digital_state`: app states for a theme, with implicit cues (appointments, constraints);
2. `scene_spec`: from the state, the task, the label and the tool set: the scenario, its cues,
   the user's instruction (LTM/ESS), the trigger (or, for a negative, the near miss), the
   ground-truth response and tool calls, the speakers;
3. `script_spec`: the lines for User1 / User2 / the sound event, with roles.
`llm_scene(client, item)` runs the three and returns the same `Scene` the templates make (checked
by `scenes.check_scene`), so the pipeline writes the same files either way.

`LLMClient.structured` asks for `response_format: json_schema` and falls back to JSON in plain
text when the endpoint refuses it (HTTP 400); it parses JSON out of code fences and `<think>`
blocks, validates it, and retries, `max_attempts` in all, on invalid output (telling the model what
was wrong) and on transient faults (429, 5xx, timeouts: `provoice_live.http_retry.classify`) with the
exponential backoff of a `RetryPolicy`. The key comes from the environment variable
named by `api_key_env`; it is never logged or stored in the build settings.
"""

from __future__ import annotations

import json
import logging
import re
import time
from datetime import datetime
from typing import Any, Callable, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ...http_retry import RetryPolicy, classify
from ...errors import ProvoiceError
from ..sample import ToolCall
from .scenes import PlanItem, check_scene
from .script import Line, Scene, Script, Speaker
from .templates import Draw, pools
from .templates.tools import CATALOGUE, offer
from ...redact import secret_from_env

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)


class LLMError(ProvoiceError):
    """An LLM stage gave up: the endpoint kept failing or kept returning invalid output."""


# --- structured outputs --------------------------------------------------------------------
class AppState(BaseModel):
    model_config = ConfigDict(extra="allow")
    context: str = ""
    state: dict[str, Any]


class DatetimeInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_datetime: str = Field(description="YYYY-MM-DD HH:MM")
    day_of_week: str
    user_timezone: str

    @field_validator("current_datetime")
    @classmethod
    def _parses(cls, v: str) -> str:
        datetime.strptime(v, "%Y-%m-%d %H:%M")
        return v


class DigitalState(BaseModel):
    """Stage 1: the user's app states (OB2 style)."""

    model_config = ConfigDict(extra="forbid")
    theme: str
    app_states: dict[str, AppState]
    datetime_info: DatetimeInfo


class PersonSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    gender: Literal["male", "female"]


class CueSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    modality: Literal["audio", "digital"]
    description: str


class SceneSpec(BaseModel):
    """Stage 2: the scene."""

    model_config = ConfigDict(extra="forbid")
    description: str
    cues: list[CueSpec] = Field(default_factory=list)
    user1: PersonSpec
    user2: PersonSpec | None = None
    instruction: str | None = None
    trigger: str = Field(description="the line (or sound) that triggers, or for a negative the near miss")
    gt_response: str = ""
    gt_tool_calls: list[ToolCall] = Field(default_factory=list)
    ambient: str | None = None


class LineSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    speaker: Literal["user1", "user2", "sound"]
    text: str = ""
    sound: str | None = None
    role: Literal["talk", "instruction", "cue"] = "talk"


class ScriptSpec(BaseModel):
    """Stage 3: the script."""

    model_config = ConfigDict(extra="forbid")
    lines: list[LineSpec] = Field(min_length=1)


# --- the client ----------------------------------------------------------------------------
THINK = re.compile(r"<think>.*?</think>", re.S)
FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


def parse_json_text(text: str) -> Any:
    """The JSON object in a reply: bare, in a code fence, or the first balanced {...}."""
    text = THINK.sub("", text or "").strip()
    candidates = [text] + FENCE.findall(text)
    start = text.find("{")
    if start >= 0:
        depth, in_str, esc = 0, False, False
        for i, ch in enumerate(text[start:], start):
            if in_str:
                esc = (ch == "\\") and not esc
                if ch == '"' and not esc:
                    in_str = False
                continue
            if ch == '"':
                in_str = True
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    candidates.append(text[start:i + 1])
                    break
    for c in candidates:
        try:
            return json.loads(c)
        except (json.JSONDecodeError, TypeError):
            continue
    raise ValueError("the reply holds no JSON object")


class LLMClient:
    """Structured requests to an OpenAI-compatible chat completions endpoint."""

    def __init__(self, model: str, base_url: str | None = None, *, api_key_env: str = "OPENAI_API_KEY",
                 max_attempts: int = 4, retry: RetryPolicy = RetryPolicy(base_s=1.0, max_s=30.0),
                 timeout_s: float = 120.0, temperature: float = 0.9):
        import openai

        key = secret_from_env(api_key_env)
        if not key:
            if base_url is None:
                raise ProvoiceError(f"the LLM stages need an API key in the environment variable {api_key_env}")
            key = "not-needed"  # local servers (vLLM, llama.cpp) often take any key
        self.model = model
        self.max_attempts = max_attempts
        self.retry = retry
        self.temperature = temperature
        self.json_schema_ok = True
        self.calls = 0
        self._client = openai.OpenAI(api_key=key, base_url=base_url, timeout=timeout_s, max_retries=0)

    def __repr__(self) -> str:
        return f"LLMClient(model={self.model!r}, base_url={str(self._client.base_url)!r})"

    def _request(self, messages: list[dict], model_cls: type[BaseModel], name: str, seed: int | None) -> str:
        kwargs: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": self.temperature}
        if seed is not None:
            kwargs["seed"] = seed
        if self.json_schema_ok:
            kwargs["response_format"] = {"type": "json_schema", "json_schema": {
                "name": name, "schema": model_cls.model_json_schema(), "strict": False}}
        self.calls += 1
        response = self._client.chat.completions.create(**kwargs)
        if not response.choices:
            raise ValueError("the reply has no choices")
        return response.choices[0].message.content or ""

    def structured(self, messages: list[dict], model_cls: type[M], name: str, *, seed: int | None = None,
                   check: Callable[[M], list[str]] | None = None) -> M:
        """Ask until the reply parses as `model_cls` and passes `check` (bounded attempts)."""
        import openai

        messages = list(messages)
        hinted = False
        last = "no attempt made"
        for attempt in range(self.max_attempts):
            if not self.json_schema_ok and not hinted:  # (another thread may have found it out)
                messages, hinted = _with_schema_hint(messages, model_cls), True
            try:
                text = self._request(messages, model_cls, name, seed)
            except openai.BadRequestError as exc:
                if self.json_schema_ok:  # the endpoint may not know json_schema: ask for JSON in text
                    log.info("%s: endpoint refused response_format (%s); asking for JSON in text", name, exc)
                    self.json_schema_ok = False
                    last = f"bad request: {exc}"
                    continue
                raise LLMError(f"LLM stage {name!r}: the endpoint rejected the request: {exc}") from exc
            except openai.OpenAIError as exc:
                fault = classify(exc)  # 429, 5xx, timeouts, dropped connections are transient
                if not fault.retryable:
                    raise LLMError(f"LLM stage {name!r}: {fault.reason}") from exc
                last = fault.reason
                if attempt + 1 < self.max_attempts:
                    time.sleep(self.retry.delay(attempt, fault.retry_after))
                continue
            try:
                obj = model_cls.model_validate(parse_json_text(text))
                problems = check(obj) if check else []
            except (ValueError, ValidationError) as exc:
                problems = [str(exc)]
            if not problems:
                return obj
            last = "; ".join(problems)
            log.info("%s: invalid reply (attempt %d): %s", name, attempt + 1, last[:300])
            messages = messages + [
                {"role": "assistant", "content": text[:4000]},
                {"role": "user", "content": "That reply is invalid: " + last[:2000] +
                 "\nReply again with one JSON object only, following the schema and the rules."},
            ]
        raise LLMError(f"LLM stage {name!r} failed after {self.max_attempts} attempts: {last[:500]}")

def _with_schema_hint(messages: list[dict], model_cls: type[BaseModel]) -> list[dict]:
    hint = ("Answer with one JSON object only (no prose), matching this JSON schema:\n"
            + json.dumps(model_cls.model_json_schema()))
    return [{"role": "system", "content": messages[0]["content"] + "\n\n" + hint}] + messages[1:] \
        if messages and messages[0]["role"] == "system" else [{"role": "system", "content": hint}] + messages


# --- the prompts ---------------------------------------------------------------------------
SYSTEM = """You write data for ProVoice-Bench, a benchmark of proactive voice assistants. User1 wears the \
assistant; User2 is an optional interlocutor. Four tasks:
- PIC (proactive intent capture): User1 lets slip an implicit need that a tool can meet; the assistant \
offers a tool call with arguments filled from the talk and the app states, and asks to confirm. \
Negative: no actionable intent (small talk, a task already done, a hypothetical).
- LTM (latent topic monitor): User1 first tells the assistant to watch for a topic, usually naming a \
CATEGORY ("any mention of dining plans"); later User2 brings it up by PARAPHRASE. Negative: User2 talks \
near the topic without hitting it.
- CFC (context fact checking): User1 states a fact (time, date, place, name, amount) that contradicts \
the app states; the assistant corrects it. Negative: the facts stated agree with the app states.
- ESS (environment sound sensing): User1 first tells the assistant to listen for a sound and what to \
do then; later a sound event happens. Negative: a different sound happens.
Negatives must be hard: close to a positive, but with no reason to intervene. Reply with JSON only."""


def _request_block(item: PlanItem, extra: dict[str, Any]) -> str:
    return "REQUEST: " + json.dumps({"task": item.task, "label": "positive" if item.label else "negative",
                                     **extra}, sort_keys=True)


def _state_check(task: str) -> Callable[[DigitalState], list[str]]:
    def check(s: DigitalState) -> list[str]:
        if task != "ESS" and not s.app_states:
            return ["app_states is empty; write at least one app with a non-empty state"]
        return []
    return check


def _scene_check(item: PlanItem, tools: set[str]) -> Callable[[SceneSpec], list[str]]:
    def check(s: SceneSpec) -> list[str]:
        problems = []
        if item.task in ("LTM", "ESS") and not (s.instruction or "").strip():
            problems.append(f"{item.task} needs `instruction`: what User1 tells the assistant first")
        if item.label:
            if not (s.gt_response.strip() or s.gt_tool_calls):
                problems.append("a positive needs gt_response (and tool calls where a tool helps)")
            bad = [c.name for c in s.gt_tool_calls if c.name not in tools]
            if bad:
                problems.append(f"gt_tool_calls use unknown tools {bad}; use only {sorted(tools)}")
        if not s.trigger.strip():
            problems.append("`trigger` is empty")
        return problems
    return check


def _script_check(item: PlanItem, sound: str | None, build: Callable[[ScriptSpec], Scene]) -> Callable[[ScriptSpec], list[str]]:
    def check(s: ScriptSpec) -> list[str]:
        problems = check_scene(build(s))
        if item.task == "ESS":
            sounds = [ln.sound for ln in s.lines if ln.speaker == "sound"]
            if sounds != [sound]:
                problems.append(f"the script must have exactly one sound line, with sound {sound!r} (it has {sounds})")
            cue = [ln for ln in s.lines if ln.role == "cue"]
            if cue and cue[0].speaker != "sound":
                problems.append("on ESS the line with role 'cue' is the sound line")
        elif not item.label and "cue" not in [ln.role for ln in s.lines]:
            problems.append("mark the near-miss line with role 'cue'")
        return problems
    return check


def _ess_sounds(d: Draw, label: bool) -> tuple[str, str]:
    """(asked, heard) sound classes for an ESS scene: our synthesised classes."""
    from .sounds import SYNTH_CLASSES

    asked = d.pick(sorted(SYNTH_CLASSES))
    return asked, (asked if label else d.other(sorted(SYNTH_CLASSES), asked))


def llm_scene(client: LLMClient, item: PlanItem) -> Scene:
    """Stages 1-3 for one plan item (its template is ignored); the seed picks theme and sounds."""
    d = Draw(item.seed)
    theme = d.pick(pools.THEMES)
    seed = item.seed % (2 ** 31)
    extra: dict[str, Any] = {"theme": theme}
    sound = None
    if item.task == "ESS":
        asked, sound = _ess_sounds(d, item.label)
        extra.update(sound_user_asks_for=asked, sound_that_happens=sound)
    tools_text = "\n".join(f"- {t.name}: {t.description} parameters {json.dumps(t.parameters['properties'])}"
                           for t in CATALOGUE.values())

    state = client.structured([
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": _request_block(item, {**extra, "stage": "digital_state"}) +
         "\nWrite the user's mobile app states for this theme (apps such as Calendar, Messaging, Notes, "
         "Reminders, Health, Shopping, Maps; each {context, state} with lists like events, notes, "
         "conversations), with implicit cues the scene can use, and datetime_info."
         + (" ESS scenes may have empty app_states." if item.task == "ESS" else "")},
    ], DigitalState, "digital_state", seed=seed, check=_state_check(item.task))

    spec = client.structured([
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": _request_block(item, {**extra, "stage": "scene"}) +
         "\nApp states:\n" + state.model_dump_json() + "\nTools:\n" + tools_text +
         "\nWrite the scene: description, cues, speakers, the instruction (LTM/ESS: what User1 says to the "
         "assistant first), the trigger (for a negative: the near miss), and for a positive the "
         "assistant's response and tool calls (tools above only; empty for a negative)."},
    ], SceneSpec, "scene", seed=seed, check=_scene_check(item, set(CATALOGUE)))

    def build(script: ScriptSpec) -> Scene:
        scene = _assemble(item, theme, state, spec, script, client.model)
        if item.task == "ESS":
            scene.meta.update(sound_asked=extra["sound_user_asks_for"], sound_heard=sound)
        return scene

    script = client.structured([
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": _request_block(item, {**extra, "stage": "script"}) +
         "\nScene:\n" + spec.model_dump_json() +
         "\nWrite the script: lines {speaker: user1|user2|sound, text, sound, role}. "
         + ("The first line is User1 speaking the instruction (role 'instruction'). " if item.task in ("LTM", "ESS") else "")
         + (f"Exactly one sound line with sound '{sound}' and role 'cue', after some talk. " if item.task == "ESS" else "")
         + ("Mark the trigger line role 'cue'. " if item.label else "Mark the near-miss line role 'cue'. ")
         + "Natural spoken English, a few lines, User2 only if the scene has one."},
    ], ScriptSpec, "script", seed=seed, check=_script_check(item, sound, build))
    return build(script)


def _assemble(item: PlanItem, theme: str, state: DigitalState, spec: SceneSpec, script: ScriptSpec,
              model: str) -> Scene:
    lines = [Line(speaker=ln.speaker, text=ln.text if ln.speaker != "sound" else "", sound=ln.sound if ln.speaker == "sound" else None,
                  role=ln.role) for ln in script.lines]
    speakers = [Speaker(id="user1", gender=spec.user1.gender, name=spec.user1.name)]
    if spec.user2 is not None or any(ln.speaker == "user2" for ln in lines):
        u2 = spec.user2 or PersonSpec(name="Friend", gender="female")
        speakers.append(Speaker(id="user2", gender=u2.gender, name=u2.name))
    first = lines[0] if lines else None
    instruction = first.text if (item.task in ("LTM", "ESS") and first and first.role == "instruction") else None
    calls = list(spec.gt_tool_calls) if item.label else []
    cues = " ".join(f"[{c.modality}] {c.description}" for c in spec.cues)
    context = {"app_states": {k: v.model_dump() for k, v in state.app_states.items()}, "theme": state.theme,
               "datetime_info": state.datetime_info.model_dump()}
    tool_draw = Draw(item.seed ^ 0x5EED)
    return Scene(
        id=item.id, task=item.task, label=item.label, template="llm", digital_context=context,
        instruction=instruction, semantic_cue=f"{spec.description} {cues}".strip(),
        tools=offer(tool_draw, [c.name for c in calls]),
        gt_response=spec.gt_response if item.label else "", gt_tool_calls=calls,
        script=Script(speakers=speakers, lines=lines, ambient=spec.ambient),
        meta={"source": "llm", "model": model, "theme": theme, "seed": item.seed,
              **({"plan_key": item.key} if item.key else {})},
    )
