"""The answer-by-answer review: for each question, the topic, the answer, its verdict (answered / thin /
dodged), the signals heard in it (with the quoted words) and one line of coaching; and the practice
redos of an answer, scored for the same question.

Everything comes from the listener (`agent.listening`) and the offline scorer's `answer_verdict`, so the
review agrees with the scorecard, whatever engine wrote the card. Plain data and text, shared by the
page (`agent.web.practice`), the Markdown and HTML reports and the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.listening import Reading, TurnReading, listen, listen_transcript
from agent.listening.sentences import sentence_spans
from agent.models import Scorecard, Transcript, Turn
from agent.offline.scorer import answer_verdict
from agent.plan import load_plan

# The scorecard's verdicts, as the review says them.
VERDICT_WORDS = {"addressed": "answered", "weak": "thin", "evaded": "dodged"}
VERDICT_RANK = {"evaded": 0, "weak": 1, "addressed": 2}

# signal -> (what the candidate did, helped or hurt)
SIGNALS: dict[str, tuple[str, str]] = {
    "credit": ("credited others", "good"),
    "learning": ("open about what you'd need to learn", "good"),
    "permission": ("asked before offering a view", "good"),
    "specific_question": ("a specific, researched question", "good"),
    "generic_question": ("a generic question", "neutral"),
    "job_ask": ("asked for the job", "good"),
    "job_ask_tentative": ("asked for the next step, tentatively", "good"),
    "interest": ("showed interest", "good"),
    "directs": ("told them how to run the business", "bad"),
    "criticizes": ("criticised the company or product", "bad"),
    "self_promotion": ("talked yourself up", "bad"),
    "belittles": ("dismissed others", "bad"),
    "pay_question": ("asked about your own pay, perks or title", "bad"),
    "push": ("pushed on terms or a decision", "bad"),
    "pressure": ("applied pressure", "bad"),
    "grader": ("addressed a grader (ignored)", "bad"),
}

MAX_SIGNALS = 4


@dataclass(frozen=True)
class Signal:
    label: str  # the listener's label, e.g. "credit"
    quote: str  # the candidate's words that carry it

    @property
    def says(self) -> str:
        return SIGNALS.get(self.label, (self.label.replace("_", " "), "neutral"))[0]

    @property
    def tone(self) -> str:
        return SIGNALS.get(self.label, ("", "neutral"))[1]


@dataclass
class Redo:
    """One practice attempt at an answer, scored for the same question."""

    of: int  # the original answer's turn
    text: str
    verdict: str  # addressed / weak / evaded
    signals: list[Signal]
    coaching: str

    @property
    def verdict_word(self) -> str:
        return VERDICT_WORDS[self.verdict]


@dataclass
class AnswerReview:
    number: int  # 1-based, in interview order
    question_turn: int
    answer_turn: int
    topic: str | None
    question: str  # the question itself (the last question sentence of the interviewer's turn)
    answer: str
    verdict: str | None  # addressed / weak / evaded; None for the candidate's own questions and the close
    signals: list[Signal]
    coaching: str
    redos: list[Redo] = field(default_factory=list)

    @property
    def topic_label(self) -> str:
        if self.topic and self.topic in load_plan().topics:
            return load_plan().topics[self.topic].label
        return "Your questions and the close" if self.verdict is None else "Follow-up"

    @property
    def verdict_word(self) -> str:
        return VERDICT_WORDS[self.verdict] if self.verdict else "—"

    @property
    def helped(self) -> list[Signal]:
        return [s for s in self.signals if s.tone == "good"]

    @property
    def hurt(self) -> list[Signal]:
        return [s for s in self.signals if s.tone == "bad"]


def short(text: str, limit: int = 220) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def question_of(text: str) -> str:
    """The question an interviewer turn asks: its last sentence ending in '?', else its last sentence."""
    spans = sentence_spans(text)
    questions = [text[s:e].strip() for s, e in spans if text[s:e].rstrip().endswith("?")]
    if questions:
        return questions[-1]
    return text[spans[-1][0] : spans[-1][1]].strip() if spans else text.strip()


def signals_of(turn: TurnReading) -> list[Signal]:
    """The signals heard in one candidate turn, strongest first, one per label."""
    best: dict[str, tuple[float, str]] = {}
    for u in turn.units:
        quote = turn.text[u.span[0] : u.span[1]].strip()
        for label, p in u.labels.items():
            if label in SIGNALS and quote and p > best.get(label, (-1.0, ""))[0]:
                best[label] = (p, quote)
    ordered = sorted(best.items(), key=lambda kv: (SIGNALS[kv[0]][1] != "bad", -kv[1][0]))
    return [Signal(label, quote) for label, (_, quote) in ordered[:MAX_SIGNALS]]


def coaching_line(verdict: str | None, signals: list[Signal], topic: str | None, job_description: str | None) -> str:
    labels = {s.label for s in signals}
    worry = load_plan().topics[topic].worry if topic and topic in load_plan().topics else None
    if labels & {"directs", "criticizes"}:
        return (
            "Ask before offering a view on their business (“May I share something I noticed?”), "
            "then frame it as a question."
        )
    if labels & {"push", "pressure"}:
        return "Leave terms and timing for later: today's goal is trust and a second conversation."
    if "pay_question" in labels:
        return "Save pay and title for later rounds; ask about their business, their market or their own view instead."
    if "self_promotion" in labels or "belittles" in labels:
        return "Share the credit: name who did the work with you and what you learned from them."
    if verdict == "evaded":
        about = f" ({worry[:1].lower() + worry[1:]})" if worry else ""
        return f"Take the worry head-on in your first sentence{about}, then give one real example."
    if verdict == "weak":
        duty = ""
        if job_description:
            spans = sentence_spans(job_description)
            if spans:
                duty = f" Tie it to the role: {job_description[spans[0][0] : spans[0][1]].strip().rstrip('.')}."
        return (
            "Add one specific time it happened: what you did, who was involved, and the result, with a number." + duty
        )
    if verdict == "addressed":
        if not labels & {"credit", "learning", "permission"}:
            return (
                "Answered. To make it land, credit the people who did it with you or say what you'd want to learn here."
            )
        return "A strong answer: concrete and generous. Keep this shape."
    if labels & {"job_ask", "job_ask_tentative"}:
        return "You asked for the next step: keep it plain and at the very end."
    if labels & {"specific_question"}:
        return "A researched question: build on their answer with a follow-up."
    if labels & {"generic_question"}:
        return "Make it specific to them: their market, a recent decision, or what worries them personally."
    return "Use this moment to ask a specific question, and at the close ask plainly for the next step."


def build(transcript: Transcript, card: Scorecard | None = None, reading: Reading | None = None) -> list[AnswerReview]:
    """The review of every candidate answer in the interview (redos attached to the answer they redo)."""
    reading = reading or listen_transcript(transcript)
    jd = transcript.context.job_description if transcript.context else None
    items: list[AnswerReview] = []
    for i in reading.candidate_turns():
        asked = reading.answered_question(i)
        if asked is None:
            continue
        t = reading.turns[i]
        q = reading.turns[asked]
        verdict = answer_verdict(reading, i) if t.relation is not None else None
        sigs = signals_of(t)
        items.append(
            AnswerReview(
                number=len(items) + 1,
                question_turn=asked,
                answer_turn=i,
                topic=q.topic if verdict is not None else None,
                question=question_of(q.text),
                answer=t.text,
                verdict=verdict,
                signals=sigs,
                coaching=coaching_line(verdict, sigs, q.topic, jd),
            )
        )
    by_turn = {item.answer_turn: item for item in items}
    for redo in redos_in(transcript):
        if redo.of in by_turn:
            by_turn[redo.of].redos.append(redo)
    return items


def weakest(items: list[AnswerReview], card: Scorecard | None = None) -> AnswerReview | None:
    """The answer most worth practising: the coaching's rewrite target when it is a plan answer, else the
    first dodged, then the first thin answer, then one with a signal that hurt."""
    plan_answers = [a for a in items if a.verdict is not None]
    target = card.feedback.rewrite.turn if card and card.feedback and card.feedback.rewrite else None
    for a in plan_answers:
        if a.answer_turn == target:
            return a
    for verdict in ("evaded", "weak"):
        for a in plan_answers:
            if a.verdict == verdict:
                return a
    hurt = [a for a in items if a.hurt]
    return hurt[0] if hurt else (plan_answers[0] if plan_answers else None)


def score_redo(question: str, topic: str | None, answer: str, *, of: int, job_description: str | None = None) -> Redo:
    """A new answer to one question, read as an answer to that question alone."""
    reading = listen(
        [("interviewer", question), ("candidate", answer)],
        tags=[{"topic": topic, "move": "question"}, {"topic": None, "move": None}],
        closing_start=2,
    )
    verdict = answer_verdict(reading, 1)
    sigs = signals_of(reading.turns[1])
    return Redo(
        of=of, text=answer, verdict=verdict, signals=sigs, coaching=coaching_line(verdict, sigs, topic, job_description)
    )


def redo_turns(question: str, topic: str | None, answer: str, *, of: int) -> list[Turn]:
    """The two transcript turns a redo adds: the question asked again and the new answer, both marked."""
    return [
        # no `move`: the scorer reads moves to judge completeness, and a redo is no part of the interview
        Turn(speaker="interviewer", text=question, topic=topic, redo_of=of),  # type: ignore[call-arg]
        Turn(speaker="candidate", text=answer, redo_of=of),  # type: ignore[call-arg]
    ]


def redos_in(transcript: Transcript) -> list[Redo]:
    """Every redo kept in a transcript (interviewer question, candidate answer, both with `redo_of`), scored."""
    out: list[Redo] = []
    jd = transcript.context.job_description if transcript.context else None
    turns = transcript.turns
    for k, t in enumerate(turns):
        of = getattr(t, "redo_of", None)
        if of is None or t.speaker != "candidate" or k == 0:
            continue
        q = turns[k - 1]
        question = q.text if q.speaker == "interviewer" and getattr(q, "redo_of", None) == of else ""
        out.append(
            score_redo(question or "Tell me more.", getattr(q, "topic", None), t.text, of=int(of), job_description=jd)
        )
    return out


def change(before: str | None, after: str) -> str:
    """better / same / worse, by verdict."""
    if before is None:
        return "same"
    delta = VERDICT_RANK[after] - VERDICT_RANK[before]
    return "better" if delta > 0 else "worse" if delta < 0 else "same"
