"""Token counting that works with the network unplugged.

tiktoken fetches its encoding files on first use and caches them in a directory chosen by
environment variables. Rather than pointing those variables somewhere (a process-wide change
behind the user's back), the two encodings this project needs ship inside the package
(`agent/data/tiktoken/`, the files OpenAI publishes, checked against tiktoken's own sha256) and are
built into `tiktoken.Encoding` objects directly. Nothing global changes; tiktoken's own cache is
neither read nor written.

The regex patterns and special tokens below are tiktoken's (tiktoken_ext/openai_public.py, 0.14);
`tests/test_llm_tokens.py` proves the encodings built here match tiktoken's own, token for token.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import tiktoken

DATA = Path(__file__).resolve().parent.parent / "data" / "tiktoken"

_ENDOFTEXT = "<|endoftext|>"
_FIM_PREFIX = "<|fim_prefix|>"
_FIM_MIDDLE = "<|fim_middle|>"
_FIM_SUFFIX = "<|fim_suffix|>"
_ENDOFPROMPT = "<|endofprompt|>"

_SPECS: dict[str, dict] = {
    "cl100k_base": {
        "sha256": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        "pat_str": (
            r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
            r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
        ),
        "special_tokens": {
            _ENDOFTEXT: 100257,
            _FIM_PREFIX: 100258,
            _FIM_MIDDLE: 100259,
            _FIM_SUFFIX: 100260,
            _ENDOFPROMPT: 100276,
        },
    },
    "o200k_base": {
        "sha256": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        "pat_str": "|".join(
            [
                r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
                r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
                r"""\p{N}{1,3}""",
                r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
                r"""\s*[\r\n]+""",
                r"""\s+(?!\S)""",
                r"""\s+""",
            ]
        ),
        "special_tokens": {_ENDOFTEXT: 199999, _ENDOFPROMPT: 200018},
    },
}

ENCODINGS: tuple[str, ...] = tuple(_SPECS)

# Chat formatting overhead, as OpenAI documents it for its chat models: each message costs a few
# tokens of framing and every reply is primed with a few more. An estimate for other servers.
TOKENS_PER_MESSAGE = 3
TOKENS_PER_REPLY = 3


@cache
def encoding(name: str) -> tiktoken.Encoding:
    """The named encoding, built from the shipped file (hash-checked by tiktoken's loader)."""
    import tiktoken
    from tiktoken.load import load_tiktoken_bpe

    spec = _SPECS.get(name)
    if spec is None:
        raise KeyError(f"no shipped encoding named {name!r} (have: {', '.join(ENCODINGS)})")
    ranks = load_tiktoken_bpe(str(DATA / f"{name}.tiktoken"), expected_hash=spec["sha256"])
    return tiktoken.Encoding(
        name=name, pat_str=spec["pat_str"], mergeable_ranks=ranks, special_tokens=spec["special_tokens"]
    )


def encode(text: str, encoding_name: str = "o200k_base") -> list[int]:
    """Special-token text in a transcript is counted as ordinary text, never as a control token."""
    return encoding(encoding_name).encode(text, disallowed_special=())


def count(text: str, encoding_name: str = "o200k_base") -> int:
    return len(encode(text, encoding_name))


Message = tuple[str, str]  # (role, content): system, user or assistant


def count_messages(messages: Sequence[Message], encoding_name: str = "o200k_base") -> int:
    """Prompt tokens of a chat request, counted before it is sent."""
    total = TOKENS_PER_REPLY
    for role, content in messages:
        total += TOKENS_PER_MESSAGE + count(role, encoding_name) + count(content, encoding_name)
    return total


def message_tokens(messages: Sequence[Message], encoding_name: str = "o200k_base") -> list[int]:
    """The request as one token sequence (framing included), for measuring shared prefixes between calls."""
    enc = encoding(encoding_name)
    out: list[int] = []
    for role, content in messages:
        out += enc.encode(f"<|start|>{role}\n", allowed_special=set(), disallowed_special=())
        out += enc.encode(content, disallowed_special=())
        out += enc.encode("<|end|>\n", allowed_special=set(), disallowed_special=())
    return out


def common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
