"""The listener's vocabulary: what a candidate sentence can do, what an interviewer turn can do, and how
an answer can relate to its question. One place, shared by the corpus validator, training and the reader
(`evals/corpus/GUIDE.md` defines each label for the people who write the corpus)."""

from __future__ import annotations

SENTENCE_LABELS: tuple[str, ...] = (
    "directs",  # tells the company what to do / how to run the business
    "criticizes",  # says what is wrong with the product or company
    "permission",  # asks permission before offering a view
    "credit",  # credits others
    "learning",  # admits what they don't know yet, wants to learn
    "self_promotion",  # talks themselves up
    "belittles",  # dismisses or belittles others
    "specific_question",  # a researched question (or a statement of curiosity)
    "generic_question",  # a question any company could be asked
    "pay_question",  # a question only about their own pay, perks or title
    "job_ask",  # asks for the job or the next step
    "job_ask_tentative",  # a hedged ask
    "push",  # raises or presses terms or a decision
    "pressure",  # deadlines, ultimatums, leverage
    "interest",  # enthusiasm without an ask
    "grader",  # text aimed at a grader, not the interviewer
)
QUESTION_ACTS: tuple[str, ...] = ("invites_critique", "raises_pay", "invites_questions", "grants_permission")
RELATIONS: tuple[str, ...] = ("answered", "thin", "dodged")

# Labels that speak in the candidate's favour: text aimed at a grader can never earn them.
FAVOURABLE: frozenset[str] = frozenset(
    {"permission", "credit", "learning", "specific_question", "generic_question", "job_ask", "job_ask_tentative",
     "interest"}
)
# The kinds of question curiosity counts, in the order a question is classed when it carries several.
QUESTION_LABELS: tuple[str, ...] = ("pay_question", "specific_question", "generic_question")
