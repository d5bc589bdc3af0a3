"""Prompt files: loadable, versioned, and every interviewer line keeps to one question."""

from __future__ import annotations

import string

import pytest

from agent.models import PERSONAS, TOPICS
from agent.plan import load_persona, load_plan
from agent.prompts import PromptError, fill, load_data

ALLOWED = {
    "company", "industry", "role", "name", "title", "first_question", "topic_question", "topic", "turn", "question",
}


def _lines():
    plan = load_plan()
    for topic in plan.topics.values():
        yield from topic.questions
        yield from topic.probes
    for group in plan.follow_ups.values():
        yield from group
    for group in plan.acknowledgements.values():
        yield from group
    yield from plan.invite_questions + plan.more_questions + plan.last_call
    for pid in PERSONAS:
        p = load_persona(pid)
        yield from p.openings + p.job_ask_reply + p.closings + p.grant_permission + p.cant_answer
        for group in p.pushback.values():
            yield from group
        yield from p.answers.values()


def test_plan_covers_every_topic_with_several_phrasings():
    plan = load_plan()
    assert set(plan.topics) == set(TOPICS)
    for topic in plan.topics.values():
        assert len(topic.questions) >= 3 and topic.probes


@pytest.mark.parametrize("line", list(_lines()))
def test_interviewer_lines_hold_at_most_one_question_and_known_placeholders(line):
    assert line.count("?") <= 1
    fields = {f for _, f, _, _ in string.Formatter().parse(line) if f}
    assert fields <= ALLOWED


def test_each_persona_has_a_distinct_yes_for_every_permission_the_session_grants():
    from agent.session import MAX_GRANTS

    for pid in PERSONAS:
        assert len(set(load_persona(pid).grant_permission)) >= MAX_GRANTS


def test_persona_answers_and_statements_ask_nothing():
    for pid in PERSONAS:
        p = load_persona(pid)
        for text in [*p.answers.values(), *p.closings, *p.job_ask_reply]:
            assert "?" not in text


def test_fill_names_the_missing_variable():
    with pytest.raises(PromptError, match="company"):
        fill("Welcome to {company}", {}, source="t")


def test_unknown_persona_is_a_clear_error():
    with pytest.raises(PromptError, match="unknown persona"):
        load_persona("recruiter")


def test_data_files_carry_a_version():
    for name in ("plan", "coaching", "personas/ceo", "personas/board_member"):
        assert load_data(name)["version"]


def test_each_plan_question_is_recognised_as_its_own_topic():
    """Transcripts from elsewhere carry no topic tags: the listener must place every main question."""
    from agent.listening.reader import read_interviewer_text
    from agent.plan import context_values

    values = {**context_values(None), "name": "N", "title": "T"}
    for topic in load_plan().topics.values():
        for question in topic.questions:
            assert read_interviewer_text(fill(question, values, source="plan"))[1] == topic.id, question


def test_invitations_to_ask_are_heard_as_such():
    from agent.listening.reader import read_interviewer_text
    from agent.plan import context_values

    values = {**context_values(None), "name": "N", "title": "T"}
    for line in (*load_plan().invite_questions, *load_plan().last_call):
        assert "invites_questions" in read_interviewer_text(fill(line, values, source="plan"))[0], line
