"""A fake LLM for the builder's scene stages: `fakes.openai_http.FakeOpenAI` (the real chat
completions wire format on 127.0.0.1) whose "ok" replies are written from the request.

The builder puts a `REQUEST: {...}` block (task, label, stage, ESS sounds) in every prompt; the
fake answers a valid object for that stage. `script` items are consumed one per request, then
"ok": "ok", "invalid" (JSON that fails validation), "prose" (no JSON), "fenced" (the JSON in a code
fence after a <think> block), "reject_format" (HTTP 400 while `response_format` is sent: sticky),
or a `Status` (HTTP error). The sync `openai` client of the builder needs the server on its own
thread: use `with running(FakeSceneLLM(...)) as server`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import threading

from aiohttp import web

from fakes.openai_http import FakeOpenAI, Reply, Status

REQUEST = re.compile(r"REQUEST: (\{.*?\})\n")


def stage_reply(req: dict, prompt: str) -> dict:
    task, positive, stage = req["task"], req["label"] == "positive", req["stage"]
    if stage == "digital_state":
        return {"theme": req.get("theme", "a theme"),
                "app_states": {"Calendar": {"context": "", "state": {"events": [
                    {"event_id": "e1", "title": "Dentist", "start_datetime": "2024-05-02 15:00",
                     "end_datetime": "2024-05-02 16:00", "location": "Elm Street clinic", "attendees": []}]}}},
                "datetime_info": {"current_datetime": "2024-05-01 10:00", "day_of_week": "Wednesday",
                                  "user_timezone": "UTC+1"}}
    if stage == "scene":
        asked = req.get("sound_user_asks_for", "doorbell").replace("_", " ")
        instruction = {"LTM": "If anyone mentions dinner plans, note them down.",
                       "ESS": f"If you hear the {asked}, remind me to check the oven."}.get(task)
        calls = [{"name": "note_taking", "arguments": {"content": "Dinner on Friday"}}] if positive and task != "CFC" else []
        return {"description": f"A {task} scene.", "cues": [{"modality": "audio", "description": "the trigger"}],
                "user1": {"name": "Ana", "gender": "female"}, "user2": {"name": "Ben", "gender": "male"},
                "instruction": instruction, "trigger": "the key line",
                "gt_response": "Shall I note that?" if positive else "", "gt_tool_calls": calls, "ambient": "home"}
    scene = json.loads(prompt.split("Scene:\n", 1)[1].split("\nWrite the script", 1)[0])
    lines = []
    if scene.get("instruction"):
        lines.append({"speaker": "user1", "text": scene["instruction"], "role": "instruction"})
    lines.append({"speaker": "user2", "text": "How was your week?", "role": "talk"})
    if task == "ESS":
        lines.append({"speaker": "sound", "sound": req["sound_that_happens"], "role": "cue"})
    elif task == "LTM":
        lines.append({"speaker": "user2", "role": "cue", "text": "Let's have dinner at the Italian place on Friday."
                      if positive else "I cooked pasta at home again."})
    else:
        lines.append({"speaker": "user1", "role": "cue", "text": "My dentist appointment is at four tomorrow."
                      if positive else "My dentist appointment is at three tomorrow."})
    return {"lines": lines}


class FakeSceneLLM(FakeOpenAI):
    def __init__(self, script: list | None = None) -> None:
        super().__init__()
        self.script.extend(script or [])
        self.reject_format = False

    async def chat(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append({"body": body})
        self.auth.append(request.headers.get("Authorization", ""))
        item = self.script.popleft() if self.script else "ok"
        if item == "reject_format":
            self.reject_format = True
            item = "fenced"
        if self.reject_format and "response_format" in body:
            self.script.appendleft(item)  # the refused request does not use up a behaviour
            return web.json_response({"error": {"message": "response_format json_schema is not supported",
                                                 "type": "invalid_request_error", "code": None}}, status=400)
        if isinstance(item, Status):
            return web.json_response({"error": {"message": f"fake status {item.code}", "type": "fake",
                                                "code": str(item.code)}}, status=item.code, headers=item.headers)
        prompt = next(m["content"] for m in reversed(body["messages"]) if "REQUEST: " in m["content"])
        req = json.loads(REQUEST.search(prompt + "\n").group(1))
        content = {"ok": lambda r: r, "invalid": lambda r: json.dumps({"unexpected": True}),
                   "prose": lambda r: "Sure! Here is a lovely scene about a dentist.",
                   "fenced": lambda r: f"<think>planning the {req['stage']}</think>\nHere you go:\n```json\n{r}\n```",
                   }[item](json.dumps(stage_reply(req, prompt)))
        return web.json_response(self._completion(body, Reply(content)))


@contextlib.contextmanager
def running(server: FakeOpenAI):
    """Run an async fake server on its own thread and event loop for a synchronous client."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    stop = asyncio.Event()

    async def serve() -> None:
        await server.start()
        started.set()
        await stop.wait()
        await server.stop()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    assert started.wait(10), "the fake server did not start"
    try:
        yield server
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()
