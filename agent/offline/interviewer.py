"""The offline interviewer: words the session's moves with lines from the persona and the plan.

Deterministic for a given seed: each choice is drawn from a generator seeded by (seed, turn
number, purpose), so a resumed session words its next move exactly as the original would have.
Lines already used are never drawn again, so no question repeats. What it acknowledges, probes and
answers comes from the listener's reading (through the session's move), never from its own reading of
the candidate's words.
"""

from __future__ import annotations

import random
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import numpy as np

from agent.listening.sentences import sentence_spans
from agent.plan import Persona, context_values, load_persona, load_plan
from agent.prompts import fill
from agent.session import InterviewSession, Move

# Below this similarity between the candidate's question and every fact the interviewer holds, it says
# plainly that it can't go into that, rather than answering some other question.
ANSWER_MIN_SIMILARITY = 0.5
_ACK_FOR = {"answered": "answered", "thin": "neutral", "dodged": "dodged"}
_FACT_TOPICS = {
    "market": "the market, industry trends, customers, demand and regulation",
    "competition": "competitors and rivals, competitive threats, market share, how competitors are moving",
    "challenges": "the biggest challenges, problems, risks, worries and what keeps you up at night",
    "interviewer_view": "a personal opinion, private belief or conviction, speaking for oneself",
    "culture": "company culture, values, working environment, what it is like to work here",
    "team": "the team, direct reports, peers, colleagues and who I would work with",
    "role_success": "success in the role, expectations, first-year goals and how performance is measured",
    "compensation": "salary, bonus, equity, benefits, perks and the package",
    "next_steps": "next steps, the hiring process, the timeline and the decision",
}


FAREWELLS = (
    "Thank you for coming in to talk about the {role} role.",
    "Thanks again for your time today, and for your interest in the {role} role.",
)


@dataclass
class Utterance:
    text: str
    line_ids: list[str] = field(default_factory=list)


def facts(persona: Persona, job_description: str | None, values: dict[str, str]) -> list[tuple[str, str, str]]:
    """(id, what it is about, what the interviewer would say) for every fact it can answer from."""
    out = [
        (f"ans:{kind}", f"{_FACT_TOPICS[kind]}. {text}", fill(text, values, source=f"persona {persona.id}"))
        for kind, text in persona.answers.items()
        if kind in _FACT_TOPICS
    ]
    jd = job_description or ""
    for n, (s, e) in enumerate(sentence_spans(jd)):
        duty = " ".join(jd[s:e].split()).rstrip(".")
        out.append((f"jd:{n}", f"the role's duties and responsibilities. {duty}", f"The role itself: {duty}."))
    return out


def best_fact(question: str, options: list[tuple[str, str, str]]) -> tuple[str, str] | None:
    """The fact most relevant to the question, by the listener's encoder; None if nothing is close."""
    if not options:
        return None
    from agent.listening.model import embed

    # Meaning (the encoder) plus the longer words a question shares with what a fact is about and says: the
    # static encoder alone leans on "you" and "see", and a question naming "competitors" should find them.
    vectors = embed([question, *(about for _, about, _ in options)])
    asked = _stems(question)
    overlap = np.array([len(asked & _stems(f"{about} {said}")) / max(1, len(asked)) for _, about, said in options])
    sims = vectors[1:] @ vectors[0] + 2 * overlap
    best = int(np.argmax(sims))
    if float(sims[best]) < ANSWER_MIN_SIMILARITY:
        return None
    return options[best][0], options[best][2]


def _stems(text: str) -> set[str]:
    """Words of five letters or more, cut to their first five: "competitors" meets "competition"."""
    return {w[:5] for w in re.findall(r"[a-z]{5,}", text.lower())}


def _asked(text: str) -> str:
    """The question sentence of an interviewer turn (its last one with a question mark)."""
    spans = [text[s:e] for s, e in sentence_spans(text)]
    questions = [s for s in spans if s.rstrip().endswith("?")]
    return questions[-1] if questions else (spans[-1] if spans else text)


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
            """An answer from the fact most relevant to the question, or a plain "I can't go into that"."""
            if not question:
                return ""
            options = [f for f in facts(persona, st.context.job_description, values) if f[0] not in used]
            found = best_fact(question, options)
            if found is None:
                return say(pick("cant", persona.cant_answer, "cant") or persona.cant_answer[0])
            used.add(found[0])
            picked.append(found[0])
            return found[1]

        def acknowledge() -> str:
            lines = plan.acknowledgements[_ACK_FOR.get(move.relation or "", "neutral")]
            return pick(f"ack:{_ACK_FOR.get(move.relation or '', 'neutral')}", lines, "ack") or ""

        parts: list[str] = []
        if move.kind == "opening":
            first = topic_question(move.topic) if move.topic else ""
            opening = pick("open", persona.openings, "opening") or persona.openings[0]
            parts.append(say(opening, first_question=first))
        elif move.kind == "question":
            parts.append(answer(move.answer_to) or acknowledge())
            parts.append(topic_question(move.topic or ""))
        elif move.kind == "follow_up":
            topic = plan.topics[move.topic or ""]
            if move.reason == "evasive":
                asked = _asked(session.interviewer_texts()[-1]) if session.interviewer_texts() else ""
                line = pick("fu:evasive", plan.follow_ups["evasive_answer"], "follow_up")
                parts.append(say(line, question=asked) if line and asked else topic_question(topic.id))
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
            parts.append(answer(move.answer_to) or acknowledge())
            parts.append(say(pick("invite", plan.invite_questions, "invite") or plan.invite_questions[0]))
        elif move.kind == "answer":
            more = pick("more", plan.more_questions, "more")
            parts.append(answer(move.answer_to))
            if more:
                parts.append(say(more))
            else:  # nothing left to ask without repeating ourselves: close instead
                parts.append(say(pick("close", persona.closings, "close") or persona.closings[0]))
        elif move.kind == "last_call":
            parts.append(say(pick("last_call", plan.last_call, "last_call") or plan.last_call[0]))
        elif move.kind == "close":
            if move.reason == "job_ask":
                # The reply to an ask already names the next step: a plain goodbye follows, not a second closing.
                parts.append(say(pick("job_ask", persona.job_ask_reply, "job_ask") or persona.job_ask_reply[0]))
                parts.append(say(pick("farewell", FAREWELLS, "farewell") or FAREWELLS[0]))
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
        """The same turn as `respond`, a sentence at a time: the text is ready at once, and every piece
        streamed is a message through the socket (word by word cost a busy worker more than the reply)."""
        text = self.respond(session, move)
        for piece in re.findall(r".+?(?:[.?!]+\s+|$)", text, flags=re.DOTALL):
            yield piece
