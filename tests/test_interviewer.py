"""The offline interviewer: deterministic, in persona, and it follows up on what it hears."""

from __future__ import annotations

from agent.models import Context
from tests.helpers import TEN_LINES, run_interview


def _moves(convo):
    return [(m.kind, m.reason) for m in convo.session.state.moves]


def test_same_seed_same_interview_and_another_seed_varies():
    a = run_interview("ceo", seed=3).transcript().model_dump()
    b = run_interview("ceo", seed=3).transcript().model_dump()
    c = run_interview("ceo", seed=4).transcript().model_dump()
    assert a == b
    assert a != c


def test_company_industry_and_role_are_woven_in():
    convo = run_interview("ceo", TEN_LINES, context=Context(company="Quillon Health", industry="hospital care",
                                                            role="Chief Nursing Officer"), seed=1)
    text = " ".join(convo.session.interviewer_texts())
    assert "Quillon Health" in text
    assert "hospital care" in text or "Chief Nursing Officer" in text


def test_lecturing_gets_pushback_in_persona():
    convo = run_interview("ceo", ["Frankly, you need to restructure your whole sales organisation and cut prices."])
    kinds = _moves(convo)
    assert kinds[1] == ("pushback", "told_how_to_run_business")
    assert "?" in convo.session.interviewer_texts()[1]


def test_unasked_product_critique_gets_pushback_but_permission_does_not():
    rude = run_interview("board_member", ["Your mobile app is clunky and outdated, honestly embarrassing."])
    assert _moves(rude)[1] == ("pushback", "criticized_product")
    polite = run_interview("board_member", [
        "May I share a couple of observations about your mobile app?",
        "Thank you. I found the app a bit clunky at checkout, though I may be missing context.",
    ])
    assert all(kind != "pushback" for kind, _ in _moves(polite))


def test_premature_push_is_redirected_to_the_topic():
    convo = run_interview("ceo", ["Great. So what's the salary, and when can I start?"])
    kind, reason = _moves(convo)[1]
    assert (kind, reason) == ("redirect", "closed_too_soon")


def test_one_line_answer_gets_a_request_for_an_example():
    convo = run_interview("ceo", ["Fine."])
    assert _moves(convo)[1][0] == "follow_up"


def test_candidate_questions_are_answered_briefly_then_the_interview_closes():
    lines = [TEN_LINES[2], "How do you see the market shifting?", "What are the biggest challenges for the team?",
             "Thanks, that's all from me."]
    convo = run_interview("ceo", lines, length=1)
    moves = [m.kind for m in convo.session.state.moves]
    assert moves.count("answer") >= 1 and moves[-1] == "close"
    assert all(t.count("?") <= 1 for t in convo.session.interviewer_texts())


def test_a_job_ask_at_the_close_gets_a_reply_and_a_close():
    lines = [TEN_LINES[2], "Would you feel confident recommending me for the next round?"]
    convo = run_interview("board_member", lines, length=1)
    assert convo.session.state.moves[-1].reason == "job_ask"
    assert convo.closed
