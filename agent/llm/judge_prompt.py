"""The judge's request for one criterion: standing instructions, the transcript as data, the rubric.

The transcript goes in as data, never as conversation: one JSON object per turn inside a block
whose tag carries a random code (`<transcript-9f2c…>`). Every `<` in the data is written as the
JSON escape `\\u003c`, so no text a candidate types can open or close a tag of any name, and the
code can't be guessed in advance anyway. The notice that it is data comes before the block and
the task is stated again after it. The system message and the data block are the same for every
criterion of one scoring run, so a provider's prefix cache serves the later criteria.
"""

from __future__ import annotations

import json
import secrets

from agent.llm.tokens import Message
from agent.models import Transcript
from agent.plan import load_persona, load_plan
from agent.prompts import load_template

RUBRIC_FILES: dict[str, str] = {
    "humility": "rubrics/humility",
    "curiosity": "rubrics/curiosity",
    "asked_for_job": "rubrics/asked_for_job",
    "deal_breakers": "rubrics/deal_breakers",
    "risk_topics": "rubrics/risk_topics",
    "feedback": "rubrics/feedback",
}


def prompt_versions() -> dict[str, str]:
    names = ["rubrics/judge", "rubrics/data", *RUBRIC_FILES.values()]
    return {name: load_template(name).version for name in names}


def new_tag(transcript: Transcript) -> str:
    said = " ".join(t.text for t in transcript.turns)
    while True:
        tag = f"transcript-{secrets.token_hex(8)}"
        if tag not in said:
            return tag


def data_block(transcript: Transcript) -> str:
    """One JSON line per turn; `<` escaped so the data holds no tag at all."""
    lines = []
    for i, turn in enumerate(transcript.turns):
        line = json.dumps({"turn": i, "speaker": turn.speaker, "text": turn.text}, ensure_ascii=False)
        lines.append(line.replace("<", "\\u003c"))
    return "\n".join(lines)


def _context(transcript: Transcript) -> str:
    ctx = transcript.context
    parts = []
    if ctx:
        for label, value in (("company", ctx.company), ("industry", ctx.industry), ("role", ctx.role)):
            if value:
                parts.append(f"{label}: {' '.join(value.split())}".replace("<", "‹"))
    return "; ".join(parts) if parts else "not given"


def rubric(criterion: str, topics: list[str] | None = None) -> str:
    template = load_template(RUBRIC_FILES[criterion])
    if criterion == "risk_topics":
        plan = load_plan()
        listed = "\n".join(f'- "{t}": {plan.topics[t].worry}' for t in topics or [])
        return template.render(topics=listed)
    return template.render()


def messages(transcript: Transcript, criterion: str, tag: str, *, topics: list[str] | None = None) -> list[Message]:
    persona = load_persona(transcript.persona)
    user = load_template("rubrics/data").render(
        tag=tag,
        persona=f"{persona.name}, {persona.title}",
        context=_context(transcript),
        transcript=data_block(transcript),
        rubric=rubric(criterion, topics),
        criterion=criterion,
    )
    return [("system", load_template("rubrics/judge").render()), ("user", user)]
