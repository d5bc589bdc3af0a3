"""Record and replay at the HTTP level: the real openai client against a loopback proxy."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from agent.evals.replay import Cassette, ReplayProxy, request_key


class Upstream:
    """A tiny stand-in model server that counts its calls."""

    def __init__(self) -> None:
        self.calls = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                outer.calls += 1
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                text = "echo: " + body["messages"][-1]["content"]
                payload = json.dumps({
                    "id": "x", "object": "chat.completion", "created": 0, "model": body["model"],
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": text}}],
                    "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
                }).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def upstream():
    up = Upstream()
    yield up
    up.close()


def _ask(base_url: str, text: str) -> str:
    from openai import OpenAI

    client = OpenAI(base_url=base_url, api_key="sk-secret-do-not-store", max_retries=0)
    reply = client.chat.completions.create(model="tiny", messages=[{"role": "user", "content": text}])
    return reply.choices[0].message.content or ""


def test_nonces_do_not_change_the_key():
    a = json.dumps({"messages": [{"content": "<transcript-0123456789abcdef> hi </transcript-0123456789abcdef>"}]})
    b = json.dumps({"messages": [{"content": "<transcript-fedcba9876543210> hi </transcript-fedcba9876543210>"}]})
    c = json.dumps({"messages": [{"content": "<transcript-fedcba9876543210> bye </transcript-fedcba9876543210>"}]})
    assert request_key("POST", "/chat/completions", a.encode()) == request_key("POST", "/chat/completions", b.encode())
    assert request_key("POST", "/chat/completions", a.encode()) != request_key("POST", "/chat/completions", c.encode())


def test_record_then_replay_without_the_upstream(tmp_path, upstream):
    path = tmp_path / "cassette.json"
    recorder = ReplayProxy(Cassette(path), mode="record", upstream=upstream.url)
    url = recorder.start()
    assert _ask(url, "hello") == "echo: hello"
    recorder.stop()
    assert upstream.calls == 1
    assert "sk-secret" not in path.read_text()

    upstream.close()
    player = ReplayProxy(Cassette(path), mode="replay")
    url = player.start()
    assert _ask(url, "hello") == "echo: hello"
    with pytest.raises(Exception, match="no recorded response"):
        _ask(url, "something never recorded")
    player.stop()
    assert len(player.misses) == 1 and "something never recorded" in player.misses[0]


def test_eval_replay_without_a_cassette_is_bad_input(tmp_path, capsys):
    from agent.cli import main

    assert main(["eval", "--engine", "openai", "--replay", str(tmp_path / "none.json")]) == 2
    assert "no such cassette" in capsys.readouterr().err
