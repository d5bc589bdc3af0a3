"""The phrase-list reader the listener replaced, kept only as the ablation's baseline ("rules").

Nothing in the product imports this package; `agent.evals.ablation` measures it beside the learned heads
on the frozen test split, so the table shows what the change bought.
"""

from __future__ import annotations

from agent.listening.labels import SENTENCE_LABELS

# Which rule outputs stand for which listener label.
_FIELDS = {
    "directs": ("told_how",),
    "criticizes": ("criticized",),
    "permission": ("permission",),
    "credit": ("credit",),
    "learning": ("learning", "deference"),
    "self_promotion": ("boast",),
    "belittles": ("boast",),
    "job_ask": ("ask_strong",),
    "job_ask_tentative": ("ask_tentative",),
    "push": ("offer_push", "pay"),
    "pressure": ("pressure",),
    "interest": ("interest",),
    "grader": ("injection",),
}
_QUESTION_KINDS = {"specific": "specific_question", "generic": "generic_question", "self": "pay_question"}


def rule_labels(sentence: str) -> frozenset[str]:
    """The listener labels the old rules give one sentence."""
    from agent.evals.baseline.signals import analyse

    sig = analyse(sentence)
    labels = {label for label, fields in _FIELDS.items() if any(getattr(sig, f) for f in fields)}
    labels |= {_QUESTION_KINDS[kind] for _, kind in sig.questions if kind in _QUESTION_KINDS}
    return frozenset(labels) & frozenset(SENTENCE_LABELS)
