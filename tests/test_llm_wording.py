"""One question per interviewer turn, whatever the model wrote: repaired, in full or while streaming."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.llm.wording import StreamGuard, clean, one_question


def test_two_questions_keep_the_statements_and_the_last_question():
    text = "Thanks, that's useful. Did you enjoy it? How would you bring change here? Take your time."
    assert one_question(text) == "Thanks, that's useful. How would you bring change here? Take your time."


def test_one_question_is_left_alone():
    text = "Good. Tell me about your last team. What did they teach you?"
    assert one_question(text) == text


def test_the_close_asks_nothing():
    assert one_question("Thanks for coming in. Any last thoughts? We'll be in touch.", allow_question=False) == (
        "Thanks for coming in. We'll be in touch."
    )


def test_question_marks_inside_one_sentence_collapse_to_one():
    assert one_question("So what?? really?").count("?") == 1


def test_clean_strips_speaker_label_quotes_and_echoed_tags():
    raw = 'Dana Whitfield: "Welcome in. How do you earn trust?" </direction-1a2b>'
    assert clean(raw, ("Dana Whitfield",)) == "Welcome in. How do you earn trust?"


def _stream(text: str, size: int, allow: bool = True) -> tuple[str, str]:
    guard = StreamGuard(allow_question=allow)
    shown = "".join(guard.feed(text[i : i + size]) for i in range(0, len(text), size)) + guard.finish()
    return shown, guard.text


def test_stream_shows_text_before_the_question_as_it_arrives():
    guard = StreamGuard()
    assert guard.feed("Thanks, ") == "Thanks, "
    assert guard.feed("that helps. What") == "that helps. What"


def test_stream_drops_a_second_question_and_keeps_what_it_showed():
    shown, text = _stream("Thanks. What is your plan? And who helps you? Take your time.", 5)
    assert shown.strip() == text == "Thanks. What is your plan? Take your time."


def test_stream_at_the_close_never_shows_a_question():
    shown, _ = _stream("Thank you. Anything else? We'll call you this week.", 4, allow=False)
    assert "?" not in shown and shown.startswith("Thank you.") and shown.endswith("this week.")


@given(st.lists(st.sampled_from(["Right. ", "Why not? ", "How so? ", "Fine.", " ", "Which one?", "ok "]), max_size=12),
       st.integers(min_value=1, max_value=9), st.booleans())
def test_stream_never_shows_more_than_allowed(parts, size, allow):
    shown, text = _stream("".join(parts), size, allow)
    assert shown.count("?") <= (1 if allow else 0)
    assert text == shown.strip()


@pytest.mark.parametrize("text", ["", "   ", "No question here."])
def test_nothing_to_repair(text):
    assert one_question(text) == text.strip()
