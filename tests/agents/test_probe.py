"""`provoice-live probe` against the strict fakes: what it reports, and that every failure exits non-zero."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from fakes.openai_http import FakeOpenAI, Reply
from fakes.realtime_server import FakeRealtime
from provoice_live.cli import main as cli_main
from provoice_live.probe import run_probe


def tone(rate: int, seconds: float = 1.0) -> np.ndarray:
    return (0.3 * np.sin(np.arange(int(rate * seconds)) / rate * 2 * np.pi * 220)).astype(np.float32)


@pytest.fixture
async def realtime(monkeypatch):
    monkeypatch.setenv("PROBE_KEY", "sk-probe-secret-0123456789")
    srv = await FakeRealtime().start()
    yield srv
    await srv.stop()


@pytest.fixture
async def chat():
    srv = await FakeOpenAI().start()
    yield srv
    await srv.stop()


def rt_opts(srv, **more) -> dict:
    return {"base_url": srv.base_url, "api_key_env": "PROBE_KEY", "max_retries": "0", **more}


async def test_the_cli_probes_a_realtime_endpoint_with_built_in_speech_and_says_what_came_back(realtime, capsys):
    realtime.script.append(("tool", "set_reminder", {"what": "milk", "when": "tomorrow morning"}))
    argv = ["probe", "--agent", "openai-realtime", "--timeout", "30"]
    for k, v in rt_opts(realtime).items():
        argv += ["--agent-opt", f"{k}={v}"]
    code = await asyncio.to_thread(cli_main, argv)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "connected: yes" in out and "result: OK" in out
    assert 'decision: a tool call: set_reminder({"what": "milk", "when": "tomorrow morning"})' in out
    assert "response.created x1" in out and "rate_limits.updated x1" in out and "first token:" in out
    assert "model=gpt-realtime" in out and "sk-probe-secret" not in out
    assert 2.5 < realtime.audio_seconds() < 6.0  # a few seconds of eSpeak speech, nothing more
    assert "Remind me to buy milk" in out


async def test_a_refused_handshake_is_reported_and_fails(realtime):
    realtime.reject.append(401)
    report = await run_probe("openai-realtime", rt_opts(realtime), speech=tone(24000))
    assert not report.ok and not report.connected and "401" in report.failure
    assert "connected: no (" in report.render() and "FAILED" in report.render()


async def test_a_realtime_error_event_is_reported_and_fails(realtime):
    realtime.script.append(("error", "the model is overloaded"))
    report = await run_probe("openai-realtime", rt_opts(realtime), speech=tone(24000))
    assert report.connected and not report.ok and "the model is overloaded" in report.failure


async def test_silence_is_a_working_endpoint(realtime):
    realtime.script.append(("silent",))
    report = await run_probe("openai-realtime", rt_opts(realtime), speech=tone(24000))
    assert report.ok and report.decision == "silence" and "decision: silence (<silent>)" in report.render()


async def test_an_omni_chat_endpoint_that_speaks(chat):
    chat.script.append(Reply("Shall I remind you to buy milk?"))
    report = await run_probe("omni-chat", {"base_url": chat.base_url, "reply": "native", "enable_thinking": "false"},
                             speech=tone(16000))
    assert report.ok and report.decision == "speech" and report.said == "Shall I remind you to buy milk?"
    assert chat.requests[0]["audio"][0][1] == 16000  # the second of audio it was given


@pytest.mark.parametrize("service, opts, refusal", [
    ("openai", {"model": "gpt-5-mini", "temperature": "0"}, "Only the default (1) value is supported"),
    ("openai", {"model": "gpt-audio", "enable_thinking": "false"}, "Unrecognized request argument supplied"),
])
async def test_what_the_service_refuses_is_reported_in_its_words(service, opts, refusal):
    srv = await FakeOpenAI(service=service).start()
    try:
        report = await run_probe("omni-chat", {"base_url": srv.base_url, "max_retries": "0", **opts},
                                 speech=tone(16000))
    finally:
        await srv.stop()
    assert not report.ok and refusal in report.failure and "HTTP 400" in report.failure
    assert f"failed: " in report.render()


def test_a_bad_option_is_one_clear_error(capsys):
    assert cli_main(["probe", "--agent", "omni-chat", "--agent-opt", "colour=red"]) == 1
    assert "unknown option 'colour'" in capsys.readouterr().err
