"""Record and replay LLM calls at the HTTP level, so LLM evals run in CI with no key and no model.

A small OpenAI-compatible proxy on loopback sits between the engine and the model server. Recording, it
forwards each request upstream and keeps the response (streams included, byte for byte); replaying, it
answers from the cassette and never opens a connection. Requests are matched on their method, path and
JSON body, with the per-call nonces of the prompt delimiters normalised (they are random by design).
A request with no recorded answer is an error that says how to record it.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from agent.fileio import write_text_atomic

_NONCE = re.compile(r"\b(direction|transcript)-[0-9a-f]{8,32}\b")
RECORD_HINT = "make eval-record"
_HOP_HEADERS = {"content-type"}


class ReplayMiss(Exception):
    """A request the cassette has no answer for."""


def request_key(method: str, path: str, body: bytes) -> str:
    """What makes two calls 'the same call': method, path and the JSON body without its nonces."""
    try:
        data: Any = json.loads(body.decode("utf-8")) if body else None
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
    except (ValueError, UnicodeDecodeError):
        canonical = body.decode("utf-8", "replace")
    canonical = _NONCE.sub(r"\1-NONCE", canonical)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()[:32]


def _summary(body: bytes) -> str:
    """A human hint of which call missed: the last message's first words."""
    try:
        messages = json.loads(body).get("messages") or []
        text = str(messages[-1].get("content", ""))[:80] if messages else ""
    except (ValueError, AttributeError, IndexError):
        text = ""
    return " ".join(text.split())


class Cassette:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.entries: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        if self.path.exists():
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.entries = dict(data.get("entries", {}))

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.lock:
            data = {"version": 1, "entries": dict(sorted(self.entries.items()))}
        # A recording interrupted while saving must not leave a truncated cassette behind.
        write_text_atomic(self.path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")


class ReplayProxy:
    """`mode` is "replay" (cassette only) or "record" (forward to `upstream`, keep every answer)."""

    def __init__(self, cassette: Cassette, mode: str = "replay", upstream: str | None = None):
        if mode not in ("replay", "record"):
            raise ValueError(f"unknown mode {mode!r}")
        if mode == "record" and not upstream:
            raise ValueError("recording needs an upstream base URL")
        self.cassette, self.mode = cassette, mode
        self.upstream = (upstream or "").rstrip("/")
        self.misses: list[str] = []
        self.hits = 0
        self._server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}/v1"

    def start(self) -> str:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test and CI output quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, payload = proxy.answer(self.command, self.path, body, dict(self.headers))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self.base_url

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self.mode == "record":
            self.cassette.save()

    def answer(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        path = path.split("/v1", 1)[-1] if "/v1" in path else path
        key = request_key(method, path, body)
        with self.cassette.lock:
            entry = self.cassette.entries.get(key)
        if entry is None and self.mode == "record":
            entry = self._forward(method, path, body, headers)
            with self.cassette.lock:
                self.cassette.entries[key] = entry
        if entry is None:
            hint = _summary(body)
            self.misses.append(f"{key} ({hint})" if hint else key)
            message = f"no recorded response for this call (replay); record it with `{RECORD_HINT}`"
            return 400, {"content-type": "application/json"}, json.dumps({"error": {"message": message}}).encode()
        self.hits += 1
        return int(entry["status"]), dict(entry["headers"]), entry["body"].encode("utf-8")

    def _forward(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
        request = urllib.request.Request(
            self.upstream + path, data=body if method == "POST" else None, method=method,
            headers={"content-type": headers.get("Content-Type", headers.get("content-type", "application/json")),
                     "authorization": "Bearer recording"},
        )
        try:
            with urllib.request.urlopen(request, timeout=600) as response:
                status, raw, kept = response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as exc:
            status, raw, kept = exc.code, exc.read(), dict(exc.headers)
        kept_headers = {k.lower(): v for k, v in kept.items() if k.lower() in _HOP_HEADERS}
        return {"status": status, "headers": kept_headers, "body": raw.decode("utf-8", "replace")}
