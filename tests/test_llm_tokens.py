"""Token counting offline: exact counts for both shipped encodings, no network, no global settings."""

from __future__ import annotations

import hashlib
import os
import shutil

import pytest

from agent.llm import tokens
from agent.llm.usage import Call, Ledger, facts

KNOWN = {
    # text: (cl100k_base ids, o200k_base ids), from tiktoken with OpenAI's published files
    "hello world": ([15339, 1917], [24912, 2375]),
    "Based on today, would you feel confident recommending me for the next conversation?": (
        [29815, 389, 3432, 11, 1053, 499, 2733, 16913, 65774, 757, 369, 279, 1828, 10652, 30],
        [28326, 402, 4044, 11, 1481, 481, 3195, 21716, 86344, 668, 395, 290, 2613, 15681, 30],
    ),
    "Ünïcödé — naïve café 🚀 1234567": (
        [53591, 77, 38672, 66, 3029, 67, 978, 2001, 95980, 588, 53050, 11410, 248, 222, 220, 4513, 10961, 22],
        [8858, 77, 191375, 43369, 377, 2733, 153475, 737, 30469, 169883, 222, 220, 7633, 19354, 22],
    ),
}


@pytest.mark.parametrize("text", list(KNOWN))
def test_exact_counts_for_both_encodings_with_no_network(text, monkeypatch):
    import urllib.request

    import requests  # tiktoken downloads with requests; make any attempt fail loudly

    def refuse(*a, **k):
        raise AssertionError("tried to download an encoding")

    monkeypatch.setattr(requests, "get", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    cl, o200 = KNOWN[text]
    assert tokens.encode(text, "cl100k_base") == cl
    assert tokens.encode(text, "o200k_base") == o200
    assert tokens.count(text, "o200k_base") == len(o200)


def test_no_process_wide_setting_is_changed():
    before = {k: os.environ.get(k) for k in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR")}
    tokens.encoding("o200k_base")
    tokens.encoding("cl100k_base")
    assert {k: os.environ.get(k) for k in before} == before


@pytest.mark.parametrize("name", ["cl100k_base", "o200k_base"])
def test_shipped_encodings_match_tiktokens_own(name, tmp_path, monkeypatch):
    """tiktoken's own encoding, served from a private cache holding our files, agrees token for token."""
    from tiktoken_ext import openai_public

    url = f"https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
    shutil.copy(tokens.DATA / f"{name}.tiktoken", tmp_path / hashlib.sha1(url.encode()).hexdigest())
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))  # this test only; the engine never sets it
    theirs = getattr(openai_public, name)()
    ours = tokens.encoding(name)
    assert ours._pat_str == theirs["pat_str"]
    assert ours._special_tokens == theirs["special_tokens"]
    assert ours._mergeable_ranks == theirs["mergeable_ranks"]


def test_special_token_text_in_a_transcript_is_plain_text():
    assert tokens.count("<|endoftext|>", "o200k_base") > 1


def test_message_counting_adds_the_chat_framing():
    msgs = [("system", "You are terse."), ("user", "hello world")]
    expected = 3 + sum(3 + tokens.count(r) + tokens.count(c) for r, c in msgs)
    assert tokens.count_messages(msgs) == expected


def test_common_prefix():
    assert tokens.common_prefix([1, 2, 3, 4], [1, 2, 9]) == 2
    assert tokens.common_prefix([], [1]) == 0


def test_model_facts_match_dated_names_and_default_unknown_ones():
    assert facts("gpt-4o-mini-2024-07-18").name == "gpt-4o-mini"
    assert facts("gpt-4o-2024-08-06").name == "gpt-4o"
    assert facts("gpt-4").encoding == "cl100k_base"
    local = facts("gemma-3-270m")
    assert not local.known and local.input is None and local.encoding == "o200k_base"


def test_cost_is_an_estimate_from_the_price_table():
    ledger = Ledger(model="gpt-4o-mini")
    ledger.add(Call("interviewer", 1000, 1_000_000, 100_000, cached_input_tokens=500_000))
    # 0.5M fresh x $0.15 + 0.5M cached x $0.075 + 0.1M out x $0.60
    assert ledger.cost() == pytest.approx(0.075 + 0.0375 + 0.06)
    summary = ledger.summary()
    assert summary["input_tokens"] == 1_000_000 and "estimate" in summary["cost_note"]
    assert Ledger(model="my-local-model").cost() is None
