"""The interview session: stages, one question per turn, no repeats, save and resume exactly."""

from __future__ import annotations

import json

import pytest

from agent.interview import Conversation
from agent.models import Context
from agent.offline.interviewer import OfflineInterviewer
from agent.session import InterviewSession, SessionError
from tests.helpers import TEN_LINES, run_interview


def _interviewer_turns(convo: Conversation) -> list[str]:
    return convo.session.interviewer_texts()


@pytest.mark.parametrize("persona", ["ceo", "board_member"])
def test_ten_lines_cover_four_topics_without_repeats_or_double_questions(persona):
    convo = run_interview(persona)
    texts = _interviewer_turns(convo)
    assert len(set(texts)) == len(texts)
    assert all(t.count("?") <= 1 for t in texts)
    assert len(convo.session.raised_topics()) >= 4
    assert convo.closed


def test_stages_run_opening_plan_questions_close():
    convo = run_interview("ceo", [*TEN_LINES, "What does success look like in the first year?", "No, that's all."],
                          length=3)
    kinds = [m.kind for m in convo.session.state.moves]
    assert kinds[0] == "opening"
    assert "invite" in kinds
    assert kinds.index("invite") > kinds.index("question")
    assert kinds[-1] == "close"


def test_save_and_resume_gives_the_same_interview():
    lines = TEN_LINES[:6]
    whole = run_interview("ceo", lines, seed=7)

    convo = Conversation.start("ceo", Context(company="Alder Freight", industry="logistics", role="COO"),
                               OfflineInterviewer(), seed=7)
    for line in lines[:3]:
        convo.reply(line)
    saved = json.loads(json.dumps(convo.session.to_dict()))  # through real JSON text
    resumed = Conversation(InterviewSession.from_json(saved), OfflineInterviewer())
    for line in lines[3:]:
        resumed.reply(line)
    resumed.end()
    assert resumed.transcript().model_dump() == whole.transcript().model_dump()
    assert resumed.session.state == whole.session.state


def test_length_sets_how_many_topics_are_planned():
    convo = run_interview("ceo", TEN_LINES, length=2)
    assert len(convo.session.raised_topics()) == 2


def test_end_now_closes_politely_at_any_stage():
    convo = Conversation.start("board_member", None, OfflineInterviewer())
    convo.reply("I'd start by listening to the team and learning what already works well here.")
    text = convo.end()
    assert convo.closed and "?" not in text
    with pytest.raises(SessionError):
        convo.reply("one more thing")


def test_a_failed_wording_leaves_the_transcript_intact_and_the_turn_retryable():
    class Flaky(OfflineInterviewer):
        fail = True

        def phrase(self, session, move):
            if self.fail:
                raise TimeoutError("model timed out")
            return super().phrase(session, move)

    flaky = Flaky()
    flaky.fail = False
    convo = Conversation.start("ceo", None, flaky)
    flaky.fail = True
    with pytest.raises(TimeoutError):
        convo.reply("I would listen first and learn from the team.")
    before = convo.transcript().model_dump()
    assert before["turns"][-1]["speaker"] == "candidate"
    flaky.fail = False
    convo.retry()
    after = convo.transcript().model_dump()
    assert after["turns"][:-1] == before["turns"] and after["turns"][-1]["speaker"] == "interviewer"


def test_the_candidate_cannot_speak_twice_or_before_the_interviewer():
    session = InterviewSession.new("ceo")
    with pytest.raises(SessionError):
        session.add_candidate("hello")
    convo = Conversation(session, OfflineInterviewer())
    convo.retry()
    convo.session.add_candidate("first")
    with pytest.raises(SessionError):
        convo.session.add_candidate("second")
