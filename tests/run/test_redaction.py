"""A server that echoes the API key back in its 401 answer: the key reaches no file of the run
directory, no log line and nothing on the console. And `run` exits with its own status when a
session errored."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from support.helpers import buzz, make_corpus, sample
from provoice_live.cli import main as cli_main
from provoice_live.engine.cli import EXIT_SESSION_ERRORS
from provoice_live.redact import REDACTED, ScrubFilter, remember, scrub


class EchoKey401(BaseHTTPRequestHandler):
    """Answers every request 401 with OpenAI's error shape, quoting the key it was sent, whole."""

    def do_POST(self):  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        auth = self.headers.get("Authorization", "")
        key = auth.removeprefix("Bearer ")
        body = json.dumps({"error": {"message": f"Incorrect API key provided: {key}. You sent '{auth}'.",
                                     "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}})
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture
def echo_server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), EchoKey401)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/v1"
    srv.shutdown()
    srv.server_close()


@pytest.mark.parametrize("key", ["sk-proj-Abc123DEF456ghi789JKL", "Zq9x-plain-looking-secret-4711"])
def test_a_key_echoed_in_a_401_body_is_redacted_everywhere(tmp_path, echo_server, key, monkeypatch, capsys, caplog):
    monkeypatch.setenv("MY_AGENT_CREDENTIAL", key)  # a name that does not look secret: known only when read
    corpus = make_corpus(tmp_path / "c", [sample("s1", _audio=buzz(2.0), cue=(0.5, 1.5)),
                                          sample("s2", label=False, cue=None, _audio=buzz(1.5))])
    out = tmp_path / "run"
    caplog.set_level(logging.DEBUG)
    code = cli_main(["run", "--corpus", str(corpus), "--out", str(out), "--agent", "omni-chat", "--no-progress",
                     "--agent-opt", f"base_url={echo_server}", "--agent-opt", "api_key_env=MY_AGENT_CREDENTIAL",
                     "--agent-opt", "max_retries=0", "--clock", "lockstep"])
    console = capsys.readouterr()
    assert code == EXIT_SESSION_ERRORS
    files = [p for p in out.rglob("*") if p.is_file()]
    texts = {str(p.relative_to(out)): p.read_text(encoding="utf-8", errors="replace") for p in files}
    assert any("401" in t for t in texts.values())  # the server's answer did reach the logs...
    assert any(REDACTED in t for t in texts.values())  # ...with the key taken out
    for name, text in texts.items():
        assert key not in text, name
    assert key not in console.out + console.err
    assert "2 session(s) ended in an error" in console.err
    assert all(key not in r.getMessage() for r in caplog.records)
    # the score of that run names the errors, and neither prints nor writes the key
    assert cli_main(["score", str(out), "-q", "--json", str(out / "scores.json")]) == 0
    assert key not in capsys.readouterr().out and key not in (out / "scores.json").read_text()


def test_scrub_removes_known_secrets_and_token_shapes(monkeypatch):
    monkeypatch.setenv("SERVICE_TOKEN", "tok-0123456789abcdef")
    remember("plain-secret-value-99")
    text = ("auth failed for tok-0123456789abcdef with Authorization: Bearer abc.DEF-123_456~xyz= "
            "and key sk-live_00112233445566 and plain-secret-value-99; short EMPTY stays")
    out = scrub(text)
    for secret in ("tok-0123456789abcdef", "abc.DEF-123_456~xyz=", "sk-live_00112233445566", "plain-secret-value-99"):
        assert secret not in out
    assert "Bearer ***redacted***" in out and "short EMPTY stays" in out
    assert scrub("nothing secret here") == "nothing secret here"


def test_log_lines_are_scrubbed_by_the_filter():
    remember("filter-secret-123456")
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "answer was %s", ("filter-secret-123456",), None)
    ScrubFilter().filter(record)
    assert record.getMessage() == f"answer was {REDACTED}"


def test_run_exits_zero_when_no_session_errored(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "c", [sample("s1", _audio=buzz(1.0), cue=(0.2, 0.8))])
    assert cli_main(["run", "--corpus", str(corpus), "--out", str(tmp_path / "r"), "--agent", "null",
                     "--no-progress"]) == 0
    assert "ended in an error" not in capsys.readouterr().err


def test_a_resumed_run_still_reports_earlier_errors(tmp_path, echo_server, monkeypatch, capsys):
    """Resuming skips the errored sessions but does not forget them: the exit status says so."""
    monkeypatch.setenv("MY_AGENT_CREDENTIAL", "irrelevant-key-0000")
    corpus = make_corpus(tmp_path / "c", [sample("s1", _audio=buzz(1.0), cue=(0.2, 0.8))])
    argv = ["run", "--corpus", str(corpus), "--out", str(tmp_path / "r"), "--agent", "omni-chat", "--no-progress",
            "--agent-opt", f"base_url={echo_server}", "--agent-opt", "api_key_env=MY_AGENT_CREDENTIAL",
            "--agent-opt", "max_retries=0"]
    assert cli_main(argv) == EXIT_SESSION_ERRORS
    capsys.readouterr()
    assert cli_main(argv) == EXIT_SESSION_ERRORS
    assert "1 session(s) ended in an error (1 in an earlier run)" in capsys.readouterr().err
    assert Path(tmp_path / "r" / "predictions.jsonl").is_file()


def test_the_cached_secret_list_follows_the_environment_and_the_remembered_set(monkeypatch):
    from provoice_live.redact import known_secrets

    before = known_secrets()
    assert known_secrets() == before  # cached: the same answer while nothing changed
    monkeypatch.setenv("LATE_API_KEY", "set-after-the-first-record-1")
    assert scrub("key set-after-the-first-record-1") == f"key {REDACTED}"  # set later: still scrubbed
    monkeypatch.setenv("LATE_API_KEY", "changed-to-another-value-2")
    assert "changed-to-another-value-2" in known_secrets()
    assert "set-after-the-first-record-1" not in known_secrets()
    monkeypatch.delenv("LATE_API_KEY")
    assert "changed-to-another-value-2" not in known_secrets()
    remember("remembered-after-the-cache-3")
    assert scrub("x remembered-after-the-cache-3") == f"x {REDACTED}"
