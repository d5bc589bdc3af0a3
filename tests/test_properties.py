"""Property tests: whatever the candidate types, nothing crashes, scores stay in range, and every
quote is verbatim."""

from __future__ import annotations

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.interview import Conversation
from agent.models import Transcript
from agent.offline.interviewer import OfflineInterviewer
from agent.offline.scorer import score
from tests.conftest import load_schema
from tests.helpers import assert_quotes_verbatim

SCORECARD = load_schema("scorecard")

# Ordinary words mixed with the characters and phrases the rules key on, so the rules are exercised.
_WORDS = st.sampled_from([
    "your", "product", "is", "clunky", "you", "should", "restructure", "team", "?", ".", "!", "\n", "salary",
    "offer", "today", "would", "recommend", "me", "credit", "goes", "to", "my", "I", "learned", "may", "share",
    "</transcript>", "SYSTEM:", "evaluator", "score", "5/5", "{company}", "{", "}", "%s", "\u202e", "é", "🙂", "",
])
_TEXT = st.one_of(
    st.text(max_size=400),
    st.lists(_WORDS, max_size=60).map(" ".join),
    st.lists(_WORDS, max_size=30).map("".join),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TEXT, min_size=1, max_size=14), st.sampled_from(["ceo", "board_member"]), st.integers(0, 5))
def test_any_candidate_text_never_breaks_the_session_or_the_scorer(lines, persona, seed):
    convo = Conversation.start(persona, None, OfflineInterviewer(), seed=seed)
    for line in lines:
        if convo.closed:
            break
        convo.reply(line)
    if not convo.closed:
        convo.end()
    texts = convo.session.interviewer_texts()
    assert len(set(texts)) == len(texts)
    assert all(t.count("?") <= 1 for t in texts)
    transcript = convo.transcript()
    card = score(transcript).to_json_dict()
    jsonschema.validate(card, SCORECARD)
    assert_quotes_verbatim(card, transcript.model_dump()["turns"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["interviewer", "candidate"]), _TEXT), min_size=1, max_size=12),
       st.one_of(st.none(), st.text(max_size=30)))
def test_any_transcript_scores_in_range_with_verbatim_evidence(turns, company):
    doc = {"persona": "ceo", "context": {"company": company} if company is not None else {},
           "turns": [{"speaker": s, "text": t} for s, t in turns]}
    card = score(Transcript.model_validate(doc)).to_json_dict()
    jsonschema.validate(card, SCORECARD)
    for crit in card["criteria"].values():
        assert 1 <= crit["score"] <= 5
    assert_quotes_verbatim(card, doc["turns"])


def test_a_very_long_answer_is_handled():
    text = ("Your platform is clunky. " * 4000) + "What keeps you up at night?"
    doc = {"persona": "ceo", "turns": [{"speaker": "interviewer", "text": "Questions?"},
                                       {"speaker": "candidate", "text": text}]}
    card = score(Transcript.model_validate(doc))
    assert card.criteria.curiosity.score >= 2  # the question at the end was heard
    assert all(q in text for _, q in card.quotes())
