"""The judge's quotes are checked by code: kept, repaired when the words are really there, else dropped."""

from __future__ import annotations

from agent.llm.evidence import Tally, check, locate

TURNS = {
    1: "I'd start by listening. At Dunmore my team rebuilt the schedule and the credit goes to them.",
    3: "I read that you opened a second plant last year. How do you see demand shifting?",
}


def test_verbatim_quote_is_kept():
    tally = Tally()
    assert check("the credit goes to them", 1, TURNS, tally) == (1, "the credit goes to them")
    assert (tally.kept, tally.repaired, tally.dropped) == (1, 0, 0)


def test_quote_naming_the_wrong_turn_is_moved_to_the_right_one():
    tally = Tally()
    assert check("How do you see demand shifting?", 1, TURNS, tally) == (3, "How do you see demand shifting?")
    assert tally.repaired == 1


def test_case_spacing_and_wrapping_quotes_are_repaired_to_the_original_slice():
    assert locate('"i read that  you opened a second plant"', 3, TURNS) == (
        3, "I read that you opened a second plant")


def test_elided_quote_keeps_its_longest_real_fragment():
    assert locate("my team rebuilt the schedule ... and so on", 1, TURNS) == (1, "my team rebuilt the schedule")


def test_json_escaped_quote_is_unescaped():
    assert locate("I\\u0027d start by listening", 1, {1: "I'd start by listening."}) == (1, "I'd start by listening")


def test_invented_quote_is_dropped_and_counted():
    tally = Tally()
    assert check("I will double your revenue in a year", 1, TURNS, tally) is None
    assert tally.dropped == 1


def test_interviewer_turns_are_never_evidence():
    assert locate("What questions do you have for me?", 2, TURNS) is None
