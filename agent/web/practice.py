"""The practice loop on the page: the answer-by-answer review under the scorecard, "Try that answer
again", and the before/after of a redo.

A redo is asked and answered after the interview, and kept in its transcript as two turns marked
`redo_of` (the original answer's turn): the interviewer's question asked again and the new answer.
The listener leaves such turns out, so they never change the interview's scores; the new answer is read
as an answer to that one question (`agent.review.score_redo`).
"""

from __future__ import annotations

import logging
from typing import Any

import chainlit as cl

from agent import review as rv
from agent.models import Scorecard
from agent.plan import load_persona
from agent.session import InterviewSession
from agent.web import views

log = logging.getLogger(__name__)

REDO = "redo"  # user-session key: {"of": answer turn} while the page waits for a redo
ACTION = "try_again"  # the action: payload {"turn": answer turn}
REVIEW_STEP = "Answer-by-answer review"
MAX_BUTTONS = 6


def redo_action(item: rv.AnswerReview, *, weakest: bool = False) -> cl.Action:
    label = "Try that answer again" if weakest else f"Try answer {item.number} again"
    return cl.Action(
        name=ACTION,
        payload={"turn": item.answer_turn},
        label=label,
        tooltip=f"{item.topic_label}: {item.verdict_word}",
        icon="repeat",
    )


def weakest_action(card: Scorecard, session: InterviewSession) -> list[cl.Action]:
    items = rv.build(session.transcript(), card)
    target = rv.weakest(items, card)
    return [redo_action(target, weakest=True)] if target else []


def review_summary(items: list[rv.AnswerReview]) -> str:
    planned = [a for a in items if a.verdict]
    counts = {w: sum(a.verdict_word == w for a in planned) for w in ("answered", "thin", "dodged")}
    tally = ", ".join(f"{n} {w}" for w, n in counts.items() if n) or "no plan questions answered"
    lines = [
        f"### Answer by answer: {len(planned)} question{'s' if len(planned) != 1 else ''} ({tally})",
        "",
        "| # | Topic | Verdict | Coaching |",
        "| --- | --- | --- | --- |",
    ]
    for a in items:
        lines.append(f"| {a.number} | {a.topic_label} | {a.verdict_word} | {views.inert(a.coaching)} |")
    lines += ["", "*Open the review below for your words and the signals in each; try any answer again.*"]
    return "\n".join(lines)


def review_details(items: list[rv.AnswerReview]) -> str:
    out: list[str] = []
    for a in items:
        verdict = f": **{a.verdict_word}**" if a.verdict else ""
        out += [f"**{a.number}. {a.topic_label}**{verdict}", "", f"*{views.inert(a.question)}*", ""]
        out.append(f"> {views.inert(rv.short(a.answer, 600))}")
        out.append("")
        for s in a.signals:
            mark = {"good": "✓", "bad": "✗"}.get(s.tone, "·")
            out.append(f"- {mark} {s.says}: “{views.inert(s.quote)}”")
        out += [f"- Coaching: {views.inert(a.coaching)}", ""]
    return "\n".join(out)


async def show_review(card: Scorecard, session: InterviewSession, coach: str) -> None:
    """The review under the scorecard: a summary table with a button per answer, details collapsed."""
    items = rv.build(session.transcript(), card)
    if not items:
        return
    buttons = [redo_action(a) for a in items if a.verdict][:MAX_BUTTONS]
    msg = cl.Message(author=coach, content=review_summary(items), actions=buttons)
    await msg.send()
    step = cl.Step(name=REVIEW_STEP, type="tool", parent_id=msg.id, show_input=False, default_open=False)
    step.output = review_details(items)
    await step.send()


async def ask_again(turn: int | None) -> None:
    """The interviewer asks the question of answer `turn` again; the next message is the new answer."""
    from agent.web import room

    session = room.current()
    if session is None or not session.closed or cl.user_session.get(room.SCORECARD) is None:
        await cl.Message(
            author=room.COACH, content="Finish the interview first; then you can try any answer again."
        ).send()
        return
    item = _item(session, turn)
    if item is None:
        await cl.Message(author=room.COACH, content="That answer is not in this interview.").send()
        return
    cl.user_session.set(REDO, {"of": item.answer_turn})
    await room.save(session, **{REDO: {"of": item.answer_turn}})
    persona = load_persona(session.state.persona)
    await cl.Message(
        author=persona.name,
        content=f"Let's take that one again. {views.inert(item.question)}",
    ).send()
    await cl.Message(
        author=room.COACH,
        content=f"*Practice: your next message is a new answer to question {item.number} ({item.topic_label}, "
        f"{item.verdict_word} the first time). It is scored for this question only and never changes the "
        "interview's scores.*",
    ).send()


def _item(session: InterviewSession, turn: Any) -> rv.AnswerReview | None:
    try:
        turn = int(turn)
    except (TypeError, ValueError):
        return None
    card = None
    return next((a for a in rv.build(session.transcript(), card) if a.answer_turn == turn), None)


def pending() -> int | None:
    value = cl.user_session.get(REDO)
    return int(value["of"]) if isinstance(value, dict) and value.get("of") is not None else None


async def answer_again(text: str) -> None:
    """The new answer: kept in the transcript as a redo, scored for its question, shown beside the old one."""
    from agent.web import room

    session = room.current()
    of = pending()
    if session is None or of is None:
        return
    item = _item(session, of)
    if item is None:
        cl.user_session.set(REDO, None)
        return
    jd = session.state.context.job_description
    redo = rv.score_redo(item.question, item.topic, text, of=of, job_description=jd)
    session.state.turns.extend(rv.redo_turns(item.question, item.topic, text, of=of))
    cl.user_session.set(REDO, None)
    await room.save(session, **{REDO: None})
    card_json = cl.user_session.get(room.SCORECARD)
    card = Scorecard.model_validate(card_json) if card_json else None
    elements: list[Any] = []
    if card is not None:
        from agent.web import reports

        name, data, mime = reports.downloads(card, session.transcript(), room.started_on())[0]
        elements.append(
            cl.File(name=name.replace(".html", "-practice.html"), content=data, mime=mime, display="inline")
        )
    again = cl.Action(name=ACTION, payload={"turn": of}, label="Try it once more", icon="repeat")
    await cl.Message(
        author=room.COACH,
        content=before_after(item, redo),
        elements=elements,
        actions=[again, *room.after_actions()],
    ).send()


def before_after(item: rv.AnswerReview, redo: rv.Redo) -> str:
    change = rv.change(item.verdict, redo.verdict)
    head = {
        "better": f"Better: **{item.verdict_word} → {redo.verdict_word}**.",
        "worse": f"Not there yet: **{item.verdict_word} → {redo.verdict_word}**.",
        "same": f"Same verdict: **{redo.verdict_word}**.",
    }[change]

    def sigs(signals: list[rv.Signal], tone: str) -> str:
        return "; ".join(views.inert(s.says) for s in signals if s.tone == tone) or "—"

    def cell(text: str) -> str:
        return " ".join(views.inert(rv.short(text, 400)).split())

    return "\n".join(
        [
            f"### Before and after: question {item.number} ({item.topic_label})",
            "",
            f"*{views.inert(item.question)}*",
            "",
            head,
            "",
            "| | Before | After |",
            "| --- | --- | --- |",
            f"| Verdict | {item.verdict_word} | {redo.verdict_word} |",
            f"| Your answer | {cell(item.answer)} | {cell(redo.text)} |",
            f"| What helped | {sigs(item.signals, 'good')} | {sigs(redo.signals, 'good')} |",
            f"| What hurt | {sigs(item.signals, 'bad')} | {sigs(redo.signals, 'bad')} |",
            "",
            f"Coaching: {views.inert(redo.coaching)}",
            "",
            "*Practice never changes the interview's scores; the redo is kept in the transcript and the report.*",
        ]
    )
