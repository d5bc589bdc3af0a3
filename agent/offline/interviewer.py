"""The offline interviewer: words the session's moves with lines from the persona and the plan.

Deterministic for a given seed: each choice is drawn from a generator seeded by (seed, turn
number, purpose), so a resumed session words its next move exactly as the original would have.
Lines already used are never drawn again, so no question repeats.
"""

from __future__ import annotations

import random
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from agent.plan import context_values, load_persona, load_plan
from agent.prompts import fill
from agent.session import InterviewSession, Move

# Which persona answer fits a candidate's question; first match wins.
_ANSWER_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(rx, re.I))
    for kind, rx in (
        ("compensation", r"\b(salary|pay|bonus|equity|stock|package|compensation|benefits?|perks?|vacation|remote|"
                         r"hybrid|title|relocation|pto)\b"),
        ("next_steps", r"\b(next steps?|process|timeline|hear back|decision)\b"),
        ("competition", r"\b(competitors?|competition|rivals?|compete|incumbents?)\b"),
        ("market", r"\b(market|industry|sector|trends?|regulat\w*|customers?|demand)\b"),
        ("challenges", r"\b(challenges?|problems?|risks?|keeps? you up|worr\w*|hardest|obstacles?|headwinds?)\b"),
        ("role_success", r"\b(success|succeed|expectations?|measure|first year|kpis?|look like)\b"),
        ("interviewer_view", r"\b(your (own )?(view|take|opinion|perspective)|you personally|what do you think)\b"),
        ("team", r"\b(team|reports?|peers?|who would I|colleagues)\b"),
        ("culture", r"\b(culture|values|environment|like to work|day-to-day|typical day)\b"),
    )
)


@dataclass
class Utterance:
    text: str
    line_ids: list[str] = field(default_factory=list)


def answer_kind(question: str) -> str:
    for kind, rx in _ANSWER_KINDS:
        if rx.search(question):
            return kind
    return "generic"


class OfflineInterviewer:
    """Phrases moves from files; holds no state of its own (the session remembers used lines)."""

    engine_name = "offline"

    def phrase(self, session: InterviewSession, move: Move) -> Utterance:
        st = session.state
        persona = load_persona(st.persona)
        plan = load_plan()
        values = context_values(st.context, persona)
        used = set(st.used_lines)
        picked: list[str] = []
        rng_key = f"{st.seed}:{len(st.turns)}"

        def pick(prefix: str, lines: tuple[str, ...], purpose: str) -> str | None:
            choices = [(f"{prefix}:{i}", line) for i, line in enumerate(lines) if f"{prefix}:{i}" not in used]
            if not choices:
                return None
            line_id, line = random.Random(f"{rng_key}:{purpose}").choice(choices)
            used.add(line_id)
            picked.append(line_id)
            return line

        def say(template: str, **extra: str) -> str:
            return fill(template, {**values, **extra}, source=f"persona {persona.id}")

        def topic_question(topic: str) -> str:
            tp = plan.topics[topic]
            line = pick(f"q:{topic}", tp.questions, "question") or pick(f"p:{topic}", tp.probes, "probe")
            return say(line or tp.questions[0])

        def answer(question: str | None) -> str:
            """A brief answer in persona; a topic already answered falls back to one not yet used."""
            if not question:
                return ""
            for kind in (answer_kind(question), "generic", *persona.answers):
                if f"ans:{kind}" not in used:
                    used.add(f"ans:{kind}")
                    picked.append(f"ans:{kind}")
                    return say(persona.answers[kind])
            return ""

        parts: list[str] = []
        if move.kind == "opening":
            first = topic_question(move.topic) if move.topic else ""
            opening = pick("open", persona.openings, "opening") or persona.openings[0]
            parts.append(say(opening, first_question=first))
        elif move.kind == "question":
            parts.append(answer(move.answer_to) or (pick("ack", plan.acknowledgements, "ack") or ""))
            parts.append(topic_question(move.topic or ""))
        elif move.kind == "follow_up":
            topic = plan.topics[move.topic or ""]
            if move.reason == "evasive":
                line = pick("fu:evasive", plan.follow_ups["evasive_answer"], "follow_up")
            else:
                line = pick(f"p:{topic.id}", topic.probes, "probe") or pick(
                    "fu:thin", plan.follow_ups["thin_answer"], "follow_up"
                )
            parts.append(say(line) if line else topic_question(topic.id))
        elif move.kind == "pushback":
            lines = persona.pushback[move.reason or ""]
            parts.append(say(pick(f"push:{move.reason}", lines, "pushback") or lines[0]))
        elif move.kind == "redirect":
            lines = persona.pushback["closed_too_soon"]
            line = pick("push:closed_too_soon", lines, "redirect") or lines[0]
            parts.append(say(line, topic_question=self._lowercase_first(topic_question(move.topic or "team_fit"))))
        elif move.kind == "grant":
            lines = persona.grant_permission
            parts.append(say(pick("grant", lines, "grant") or lines[0]))
        elif move.kind == "invite":
            parts.append(answer(move.answer_to) or (pick("ack", plan.acknowledgements, "ack") or ""))
            parts.append(say(pick("invite", plan.invite_questions, "invite") or plan.invite_questions[0]))
        elif move.kind == "answer":
            more = pick("more", plan.more_questions, "more")
            parts.append(answer(move.answer_to))
            if more:
                parts.append(say(more))
            else:  # nothing left to ask without repeating ourselves: close instead
                parts.append(say(pick("close", persona.closings, "close") or persona.closings[0]))
        elif move.kind == "close":
            if move.reason == "job_ask":
                parts.append(say(pick("job_ask", persona.job_ask_reply, "job_ask") or persona.job_ask_reply[0]))
            else:
                parts.append(answer(move.answer_to))
            parts.append(say(pick("close", persona.closings, "close") or persona.closings[0]))
        text = " ".join(p for p in parts if p)
        return Utterance(text=text, line_ids=picked)

    @staticmethod
    def _lowercase_first(text: str) -> str:
        return text[:1].lower() + text[1:] if text[:2] != "I " else text

    def respond(self, session: InterviewSession, move: Move | None = None) -> str:
        """Decide, word and record the next interviewer turn."""
        move = move or session.next_move()
        utterance = self.phrase(session, move)
        if move.kind == "answer" and not any(i.startswith("more:") for i in utterance.line_ids):
            move = move.model_copy(update={"kind": "close"})
        session.commit(move, utterance.text, utterance.line_ids)
        return utterance.text


    async def astream(self, session: InterviewSession, move: Move | None = None) -> AsyncIterator[str]:
        """The same turn as `respond`, yielded word by word so a chat UI can stream it."""
        text = self.respond(session, move)
        for word in re.findall(r"\S+\s*", text):
            yield word

