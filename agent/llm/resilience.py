"""Bounded retries around model calls, and the one error the front ends show.

Every failure of a model call ends in one of three ways: retried (timeouts, 429, 5xx, a dropped
connection, a stream that dies, unreadable output), given up on with an `LLMError` whose message
is one line fit for a terminal or a chat bubble, or recognised as "the server can't do that"
(`Unsupported`) so the caller can try another way instead of retrying the same request forever.

Nothing here touches the session: callers commit only after a call succeeded, so a failed call
leaves the transcript as it was and the same turn can be asked for again.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import random
import re
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import TypeVar

from agent.redact import redact

T = TypeVar("T")

MAX_RETRY_AFTER = 30.0  # seconds; a server asking for longer gets a clear error instead of a hang


class LLMError(Exception):
    """A model call failed for good. `str(exc)` is one line; the session is unchanged, so retrying is safe."""

    def __init__(self, message: str, *, kind: str = "error", retryable: bool = True):
        super().__init__(redact(" ".join(message.split())))
        self.kind = kind
        self.retryable = retryable


class InvalidOutput(Exception):
    """The model answered, but not with something usable (empty, a refusal, JSON that doesn't parse)."""

    def __init__(self, message: str, *, kind: str = "invalid"):
        super().__init__(message)
        self.kind = kind


class BrokenStream(Exception):
    """A streamed reply stopped before the server said it was finished."""


class Unsupported(Exception):
    """The server rejected a request feature (e.g. `json_schema` output): retrying it can't help."""


class DeadlineExceeded(TimeoutError):
    """A whole model call (connect, wait, every byte of the reply) took longer than its deadline."""

    def __init__(self, seconds: float):
        super().__init__(f"the model server did not finish its reply within {seconds:g}s")
        self.seconds = seconds


# llama.cpp's server answers json_schema with HTTP 500 and a validation error naming the types it does
# accept; other servers say "response_format" or "not supported". These mean "try another method".
_UNSUPPORTED = re.compile(
    r"'text' or 'json_object'|response_format|json_schema|structured output|not supported|unsupported|"
    r"does not support|tool_choice|tools? (are|is) not",
    re.I,
)


@dataclass(frozen=True)
class Failure:
    kind: str  # timeout, rate_limit, server, connection, stream, invalid, refusal, unsupported, fatal
    retry: bool
    message: str
    wait: float | None = None  # what the server asked for (Retry-After), in seconds


def _status(exc: BaseException) -> int | None:
    code = getattr(exc, "status_code", None)
    return code if isinstance(code, int) else None


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    raw = headers.get("retry-after-ms")
    if raw:
        try:
            return float(raw) / 1000.0
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if raw:
        try:
            return max(0.0, float(raw))
        except ValueError:
            return None
    return None


def _short(exc: BaseException, limit: int = 160) -> str:
    text = redact(" ".join(str(exc).split())) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _raised_in_client(exc: BaseException) -> bool:
    """Whether `exc` was raised inside the openai / LangChain client code (reading the server's reply),
    not in ours: only then does an IndexError or AttributeError say something about the server."""
    tb: TracebackType | None = exc.__traceback__
    last = None
    while tb is not None:
        last = tb.tb_frame.f_code.co_filename
        tb = tb.tb_next
    return last is not None and any(p in last for p in ("langchain_openai", "/openai/", "langchain_core"))


def _bad_reply(exc: BaseException) -> str | None:
    """A 200 reply that is not a chat completion, said plainly (None when `exc` is something else)."""
    text = str(exc)
    if isinstance(exc, ValueError) and text.startswith("Unexpected response type"):
        preview = _short(Exception(text.partition("got str: ")[2]), 60) if "got str: " in text else ""
        seen = f": {preview}" if preview else ""
        return f"the model server's reply is not a chat completion (not JSON{seen}); check OPENAI_BASE_URL"
    if isinstance(exc, AttributeError) and "'str' object has no attribute" in text and _raised_in_client(exc):
        return "the model server's reply is not a chat completion (not JSON); check OPENAI_BASE_URL"
    if isinstance(exc, (IndexError, KeyError, AttributeError, TypeError)) and _raised_in_client(exc):
        if isinstance(exc, IndexError) or "choices" in text:
            return "the model server's reply has no choices (an empty completion)"
        return f"the model server's reply is not a usable chat completion ({type(exc).__name__}: {_short(exc, 60)})"
    return None


def classify(exc: BaseException) -> Failure:
    """Sort an exception from the openai/langchain/httpx stack into what to do about it."""
    if isinstance(exc, Unsupported):
        return Failure("unsupported", False, _short(exc))
    if isinstance(exc, InvalidOutput):
        return Failure(exc.kind, True, _short(exc))
    if isinstance(exc, BrokenStream):
        return Failure("stream", True, "the reply stream broke off half-way")
    name = type(exc).__name__
    status = _status(exc)
    if isinstance(exc, DeadlineExceeded):
        return Failure("timeout", True, str(exc))
    if "Timeout" in name or isinstance(exc, TimeoutError):
        return Failure("timeout", True, "the model server did not answer in time")
    if "Refusal" in name:
        return Failure("refusal", True, "the model refused to answer")
    if status == 429 or "RateLimit" in name:
        return Failure("rate_limit", True, "the model server is rate limiting us", _retry_after(exc))
    if status is not None and status >= 500:
        if _UNSUPPORTED.search(str(exc)):
            return Failure("unsupported", False, _short(exc))
        return Failure("server", True, f"the model server failed (HTTP {status})", _retry_after(exc))
    if status is not None and status in (400, 422) and _UNSUPPORTED.search(str(exc)):
        return Failure("unsupported", False, _short(exc))
    if status in (401, 403):
        return Failure(
            "fatal", False, f"the model server refused our credentials (HTTP {status}); check OPENAI_API_KEY"
        )
    if status == 404:
        return Failure("fatal", False, f"the model server does not know this model or path (HTTP 404): {_short(exc)}")
    if status is not None:
        return Failure("fatal", False, f"the model server rejected the request (HTTP {status}): {_short(exc)}")
    if (
        "Connection" in name
        or "Protocol" in name
        or "ReadError" in name
        or "Network" in name
        or isinstance(exc, ConnectionError)
    ):
        return Failure("connection", True, "the connection to the model server dropped")
    bad_reply = _bad_reply(exc)
    if bad_reply is not None:
        return Failure("bad_reply", True, bad_reply)
    if "OutputParser" in name or "ValidationError" in name or "JSONDecode" in name or "APIResponseValidation" in name:
        return Failure("invalid", True, f"the model's answer could not be read ({_short(exc, 80)})")
    return Failure("fatal", False, f"{name}: {_short(exc)}")


@dataclass
class RetryPolicy:
    """How many times and how long to wait. `sleep`/`asleep` are injectable so tests don't wait."""

    retries: int = 2
    base: float = 0.5
    cap: float = 8.0
    max_retry_after: float = MAX_RETRY_AFTER
    deadline: float | None = None  # seconds one attempt may take in all (MOCK_INTERVIEW_TIMEOUT); None: no limit
    sleep: Callable[[float], None] = time.sleep
    asleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    waits: list[float] = field(default_factory=list)  # every wait taken, for reports and tests

    def delay(self, attempt: int, failure: Failure) -> float:
        if failure.wait is not None:
            return failure.wait
        return min(self.cap, self.base * (2**attempt)) * (0.5 + random.random() / 2)


def give_up(failure: Failure, attempts: int, what: str) -> LLMError:
    tries = f" after {attempts} attempt{'s' if attempts != 1 else ''}" if failure.retry else ""
    hint = "; try again" if failure.retry else ""
    return LLMError(f"{what} failed{tries}: {failure.message}{hint}", kind=failure.kind, retryable=failure.retry)


def next_wait(policy: RetryPolicy, attempt: int, failure: Failure, what: str) -> float:
    if not failure.retry or attempt >= policy.retries:
        raise give_up(failure, attempt + 1, what)
    wait = policy.delay(attempt, failure)
    if wait > policy.max_retry_after:
        raise LLMError(
            f"{what} failed: {failure.message}; the server asks us to wait {wait:.0f}s, try again later",
            kind=failure.kind,
        )
    policy.waits.append(wait)
    return wait


_slots: threading.BoundedSemaphore | None = None


def limit_concurrency(calls: int | None) -> None:
    """Cap the model calls in flight across all threads of this process (evals set it from --concurrency).
    A slot is held only while a request is out, never during a backoff wait, so a 429 frees its slot."""
    global _slots
    _slots = threading.BoundedSemaphore(calls) if calls else None


def within(fn: Callable[[], T], seconds: float | None) -> T:
    """`fn()`, or `DeadlineExceeded` once `seconds` have passed, whatever `fn` is blocked on.

    The HTTP client's timeout is per read, so a server that sends a byte now and then holds a
    request open for ever; only a clock around the whole call bounds it. `fn` runs on a daemon
    thread that is abandoned at the deadline (its socket closes when the server stops or goes quiet
    for one read timeout); the caller gets control back on time either way.
    """
    if not seconds:
        return fn()
    box: dict[str, object] = {}
    done = threading.Event()
    ctx = contextvars.copy_context()

    def work() -> None:
        try:
            box["value"] = ctx.run(fn)
        except BaseException as exc:  # handed to the caller's thread below
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=work, name="model-call", daemon=True).start()
    if not done.wait(seconds):
        raise DeadlineExceeded(seconds)
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


async def awithin(stream: AsyncIterator[T], seconds: float | None) -> AsyncIterator[T]:
    """`stream`, but `DeadlineExceeded` once `seconds` have passed since it started, however slowly
    (or not at all) the next chunk is coming. The stream is closed either way."""
    if not seconds:
        async for item in stream:
            yield item
        return
    end = time.monotonic() + seconds
    iterator = stream.__aiter__()
    try:
        while True:
            remaining = end - time.monotonic()
            if remaining <= 0:
                raise DeadlineExceeded(seconds)
            try:
                item = await asyncio.wait_for(iterator.__anext__(), remaining)
            except StopAsyncIteration:
                return
            except asyncio.TimeoutError:
                raise DeadlineExceeded(seconds) from None
            yield item
    finally:
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            with contextlib.suppress(Exception):
                await aclose()


def call(fn: Callable[[], T], policy: RetryPolicy, what: str) -> T:
    """Run `fn` with bounded retries, each attempt within `policy.deadline`. `Unsupported` passes
    through for the caller to handle."""
    attempt = 0
    while True:
        try:
            with _slots or contextlib.nullcontext():
                return within(fn, policy.deadline)
        except (LLMError, Unsupported):
            raise
        except Exception as exc:
            failure = classify(exc)
            if failure.kind == "unsupported":
                raise Unsupported(failure.message) from exc
            policy.sleep(next_wait(policy, attempt, failure, what))
            attempt += 1


async def acall(fn: Callable[[], Awaitable[T]], policy: RetryPolicy, what: str) -> T:
    """`call` for coroutines, each attempt within `policy.deadline`."""
    attempt = 0
    while True:
        try:
            if policy.deadline:
                try:
                    return await asyncio.wait_for(fn(), policy.deadline)
                except asyncio.TimeoutError:
                    raise DeadlineExceeded(policy.deadline) from None
            return await fn()
        except (LLMError, Unsupported):
            raise
        except Exception as exc:
            failure = classify(exc)
            if failure.kind == "unsupported":
                raise Unsupported(failure.message) from exc
            await policy.asleep(next_wait(policy, attempt, failure, what))
            attempt += 1


def wrap(exc: BaseException, what: str) -> LLMError:
    """A one-line `LLMError` for a failure seen outside `call` (e.g. half-way through a shown stream)."""
    return give_up(classify(exc), 1, what)
