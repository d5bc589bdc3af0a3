"""A fake OpenAI-compatible chat server on 127.0.0.1 that can misbehave on cue.

The real openai client and the LangChain stack talk to it over real HTTP, so tests exercise the
same code paths a real provider would: status codes, headers, SSE streaming with chunked transfer
encoding, tool calls, `response_format`. Each request takes the next scripted step (a reply or a
fault); when the script is empty a `responder` makes a plausible reply. Every request body is kept
in `requests` so tests can assert what was sent.

Faults: `timeout` (answers too late), `429` (with Retry-After), `500`/`503`, `drop` (closes the
connection without answering), `half_stream` (a stream that dies mid-way), `malformed` (a 200
whose body is not JSON), `bad_json` (valid HTTP, invalid JSON content for structured output),
`refusal`, and `reject_json_schema` (llama.cpp's answer to `response_format: json_schema`).

Also: `not_json` (a 200 whose body is an HTML page), `empty_choices` (a 200 completion with
`"choices": []`), `echo_auth` (an error, `status` 400 by default, whose body echoes the request's
Authorization header, as some proxies do), and `drip` (a reply trickled one byte every `interval`
seconds, headers included, so no single read ever times out; `text` is the reply).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LLAMA_CPP_JSON_SCHEMA_ERROR = (
    "1 validation error for CreateChatCompletionRequest\nresponse_format.type\n"
    "  Input should be 'text' or 'json_object' [type=literal_error, input_value='json_schema', input_type=str]"
)


@dataclass
class Step:
    """One scripted answer. `kind` is "reply" or a fault name; `text` is the content (or tool arguments)."""

    kind: str = "reply"
    text: str | None = None
    status: int = 200
    retry_after: float | None = None
    delay: float = 0.0
    interval: float = 0.5  # `drip`: seconds between bytes


def reply(text: str) -> Step:
    return Step("reply", text)


def fault(kind: str, **kw: Any) -> Step:
    return Step(kind, **kw)


Responder = Callable[[dict[str, Any]], str]


def _default_responder(body: dict[str, Any]) -> str:
    """A reply that fits the request: valid JSON for structured output, a spoken line otherwise."""
    schema = structured_schema(body)
    if schema is not None:
        return json.dumps(example_for(schema))
    return "Thank you for that. What would your last team say about working with you?"


def structured_schema(body: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON schema a request wants answered, via tools or response_format; None for plain chat."""
    tools = body.get("tools") or []
    if tools:
        return dict(tools[0]["function"]["parameters"])
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return dict(fmt["json_schema"]["schema"])
    if fmt.get("type") == "json_object":
        return {"type": "object", "properties": {}}
    return None


def example_for(schema: dict[str, Any], defs: dict[str, Any] | None = None) -> Any:
    """The smallest value valid for a (pydantic-made) JSON schema: enough to exercise the parsers."""
    defs = defs if defs is not None else schema.get("$defs", {})
    if "$ref" in schema:
        return example_for(defs[schema["$ref"].split("/")[-1]], defs)
    if "anyOf" in schema:
        return example_for(schema["anyOf"][0], defs)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {k: example_for(v, defs) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return []
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    return "fine"


def _usage(body: dict[str, Any], text: str) -> dict[str, int]:
    prompt = sum(len(str(m.get("content", ""))) for m in body.get("messages", [])) // 4 + 1
    completion = len(text) // 4 + 1
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


@dataclass
class FakeOpenAI:
    """The server. Use as a context manager or call `start()`/`stop()`."""

    responder: Responder = _default_responder
    reject_json_schema: bool = False
    reject_tools: bool = False
    reject_json_mode: bool = False
    steps: list[Step] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)  # the text (or tool arguments) each reply carried
    headers: list[dict[str, str]] = field(default_factory=list)  # each request's HTTP headers
    usage: bool = True
    host: str = "127.0.0.1"
    port: int = 0
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- scripting --------------------------------------------------------------------------------
    def script(self, *steps: Step | str) -> FakeOpenAI:
        with self._lock:
            self.steps.extend(reply(s) if isinstance(s, str) else s for s in steps)
        return self

    def _next(self) -> Step | None:
        with self._lock:
            return self.steps.pop(0) if self.steps else None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    # --- lifecycle --------------------------------------------------------------------------------
    def start(self) -> FakeOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self._json(200, {"object": "list", "data": [{"id": "fake-model", "object": "model"}]})
                else:
                    self._json(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with fake._lock:
                    fake.requests.append(body)
                    fake.headers.append(dict(self.headers.items()))
                fake._handle(self, body)

            def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- answering --------------------------------------------------------------------------------
    def _handle(self, h: Any, body: dict[str, Any]) -> None:
        step = self._next() or Step("reply")
        with contextlib.suppress(OSError):  # the client gave up (timeout test): nothing to do
            self._answer(h, body, step)

    def _answer(self, h: Any, body: dict[str, Any], step: Step) -> None:
        if step.delay:
            time.sleep(step.delay)
        fmt = (body.get("response_format") or {}).get("type")
        if self.reject_json_schema and fmt == "json_schema":
            h._json(500, {"error": {"message": LLAMA_CPP_JSON_SCHEMA_ERROR, "type": "internal_server_error"}})
            return
        if self.reject_tools and body.get("tools"):
            h._json(400, {"error": {"message": "tools are not supported by this server", "type": "invalid_request"}})
            return
        if self.reject_json_mode and fmt == "json_object":
            h._json(400, {"error": {"message": "response_format json_object is not supported", "type": "invalid"}})
            return
        kind = step.kind
        if kind == "timeout":
            time.sleep(step.retry_after or 3.0)
            kind = "reply"
        if kind == "429":
            headers = {"Retry-After": f"{step.retry_after:g}"} if step.retry_after is not None else {}
            h._json(429, {"error": {"message": "Rate limit reached; slow down", "type": "rate_limit"}}, headers)
            return
        if kind in ("500", "502", "503"):
            h._json(int(kind), {"error": {"message": "upstream overloaded", "type": "server_error"}})
            return
        if kind == "drop":
            h.close_connection = True
            h.connection.shutdown(socket.SHUT_RDWR)
            return
        if kind == "echo_auth":
            status = step.status if step.status != 200 else 400
            echoed = h.headers.get("Authorization", "")
            message = f"Invalid request; headers received: Authorization: {echoed}; api_key={echoed[7:]}"
            h._json(status, {"error": {"message": message, "type": "invalid_request_error"}})
            return
        if kind == "not_json":
            data = b"<html><head><title>Sign in</title></head><body>Please sign in</body></html>"
            h.send_response(200)
            h.send_header("Content-Type", "text/html; charset=utf-8")
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
            return
        if kind == "empty_choices":
            payload = {
                "id": "chatcmpl-empty",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "fake-model"),
                "choices": [],
            }
            h._json(200, payload)
            return
        if kind == "drip":
            self._drip(h, body, step)
            return
        if kind == "malformed":
            data = b'{"id": "chatcmpl-1", "choices": [{"message": {"content": "Hel'
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
            return
        try:
            text = step.text if step.text is not None else self.responder(body)
        except Exception as exc:  # a broken test responder shows up as a server error, not a hang
            h._json(599, {"error": {"message": f"fake responder failed: {exc!r}"}})
            return
        if kind == "bad_json":
            text = '{"rationale": "good", "score": '
        with self._lock:
            self.replies.append(text)
        refusal = "I'm sorry, I can't help with that request." if kind == "refusal" else None
        if body.get("stream"):
            self._stream(h, body, text, refusal=refusal, die=kind == "half_stream")
        else:
            self._complete(h, body, text, refusal=refusal)

    def _drip(self, h: Any, body: dict[str, Any], step: Step) -> None:
        """The whole response, status line first, one byte every `step.interval` seconds (an SSE stream
        when the request asked for one, the body ending when the connection closes)."""
        text = step.text if step.text is not None else self.responder(body)
        model = body.get("model", "fake-model")
        if body.get("stream"):
            events = []
            for i, word in enumerate(text.split(" ")):
                delta = {"role": "assistant", "content": word if i == 0 else " " + word}
                events.append({"id": "c", "object": "chat.completion.chunk", "created": 0, "model": model,
                               "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
            events.append({"id": "c", "object": "chat.completion.chunk", "created": 0, "model": model,
                           "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
            data = "".join(f"data: {json.dumps(e)}\n\n" for e in events).encode() + b"data: [DONE]\n\n"
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
        else:
            message, finish = self._message(body, text, None)
            payload = {
                "id": "chatcmpl-drip",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
            }
            data = json.dumps(payload).encode()
            head = (
                f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
            ).encode()
        h.close_connection = True
        whole = head + data
        for i in range(len(whole)):
            if self._server is None:  # stopped: stop dripping
                return
            h.wfile.write(whole[i : i + 1])
            h.wfile.flush()
            time.sleep(step.interval)
        with self._lock:
            self.replies.append(text)

    def _message(self, body: dict[str, Any], text: str, refusal: str | None) -> tuple[dict[str, Any], str]:
        if refusal:
            return {"role": "assistant", "content": None, "refusal": refusal}, "stop"
        if body.get("tools"):
            name = body["tools"][0]["function"]["name"]
            call = {"id": "call_1", "type": "function", "function": {"name": name, "arguments": text}}
            return {"role": "assistant", "content": None, "tool_calls": [call]}, "tool_calls"
        return {"role": "assistant", "content": text}, "stop"

    def _complete(self, h: Any, body: dict[str, Any], text: str, *, refusal: str | None) -> None:
        message, finish = self._message(body, text, refusal)
        payload: dict[str, Any] = {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake-model"),
            "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        }
        if self.usage:
            payload["usage"] = _usage(body, text)
        h._json(200, payload)

    def _stream(self, h: Any, body: dict[str, Any], text: str, *, refusal: str | None, die: bool) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()

        def send(obj: Any) -> None:
            data = f"data: {obj if isinstance(obj, str) else json.dumps(obj)}\n\n".encode()
            h.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            h.wfile.flush()

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            return {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": body.get("model", "fake-model"),
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }

        send(chunk({"role": "assistant", "content": ""}))
        if refusal:
            send(chunk({"refusal": refusal}))
        else:
            words = [w + " " for w in text.split(" ")]
            words[-1] = words[-1][:-1]
            for i, word in enumerate(words):
                if die and i >= max(1, len(words) // 2):
                    h.wfile.flush()
                    h.close_connection = True
                    h.connection.shutdown(socket.SHUT_RDWR)  # mid-stream: no final chunk, no terminator
                    return
                send(chunk({"content": word}))
        send(chunk({}, "stop"))
        if self.usage and (body.get("stream_options") or {}).get("include_usage"):
            final = chunk({})
            final["choices"] = []
            final["usage"] = _usage(body, text)
            send(final)
        send("[DONE]")
        h.wfile.write(b"0\r\n\r\n")
        h.wfile.flush()
