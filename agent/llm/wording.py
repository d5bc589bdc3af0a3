"""Keeping a model's turn to what an interviewer turn may be: one question at most, none at the close.

A model told to ask one question sometimes asks two. Rather than send that, the turn is repaired:
`one_question` keeps the statements and the LAST question (the planned question usually comes
last, after an acknowledgement). A stream can't take back words already shown, so `StreamGuard`
keeps the first question it has shown and drops any later ones; either way the candidate never
sees two questions, and the committed text is exactly what was shown.
"""

from __future__ import annotations

import re

_SENTENCE = re.compile(r"[^.!?]*[.!?]+[\"'”’)\]]*\s*|[^.!?]+$")
_CLOSERS = "\"'”’)]"
_SPEAKER = re.compile(r"^\s*\**[A-Z][\w .'-]{0,40}\**\s*:\s+")  # "Dana Whitfield: ..." → drop the label
_TAG = re.compile(r"</?direction-[0-9a-f]*>?", re.I)


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.findall(text) if s]


def is_question(sentence: str) -> bool:
    return "?" in sentence


def clean(text: str, speaker_names: tuple[str, ...] = ()) -> str:
    """Strip what a chat model wraps around a spoken line: its own name, quotes, echoed tags."""
    text = _TAG.sub("", text).strip()
    m = _SPEAKER.match(text)
    if m and (not speaker_names or any(n.lower() in m.group(0).lower() for n in speaker_names)):
        text = text[m.end() :]
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    return " ".join(text.split())


def one_question(text: str, *, allow_question: bool = True) -> str:
    """At most one question (the last), or none when `allow_question` is false."""
    parts = sentences(text)
    questions = [i for i, s in enumerate(parts) if is_question(s)]
    keep = set(questions[-1:]) if allow_question else set()
    out = "".join(s for i, s in enumerate(parts) if not is_question(s) or i in keep).strip()
    if allow_question and out.count("?") > 1:  # several marks inside one sentence: keep only the last
        head, _, tail = out.rpartition("?")
        out = head.replace("?", ".") + "?" + tail
    return out


class StreamGuard:
    """Decides, chunk by chunk, what of a streamed turn may be shown now.

    Before the first question mark, text is shown as it arrives (token by token). After it, text is
    held and released a sentence at a time: statements pass, further questions are dropped. With
    `allow_question` false (the close) every sentence is held until complete and questions never pass.
    """

    def __init__(self, *, allow_question: bool = True):
        self.allow_question = allow_question
        self.asked = False
        self.pending = ""
        self.shown = ""

    def _emit(self, text: str) -> str:
        self.shown += text
        return text

    def feed(self, chunk: str) -> str:
        self.pending += chunk
        out = ""
        if self.allow_question and not self.asked:
            mark = self.pending.find("?")
            if mark < 0:
                out, self.pending = self.pending, ""
                return self._emit(out)
            end = mark + 1
            while end < len(self.pending) and self.pending[end] in _CLOSERS:
                end += 1
            out, self.pending = self.pending[:end], self.pending[end:]
            self.asked = True
        return self._emit(out + self._release(final=False))

    def _release(self, *, final: bool) -> str:
        parts = sentences(self.pending)
        if not final:
            # The last piece may still grow: release only sentences followed by more text.
            complete = []
            consumed = 0
            for s in parts:
                if re.search(r"[.!?][\"'”’)\]]*\s+$", s):
                    complete.append(s)
                    consumed += len(s)
                else:
                    break
            parts = complete
            self.pending = self.pending[consumed:]
        else:
            self.pending = ""
        # A dropped question keeps its leading space, so the sentences around it stay apart.
        return "".join(s if not is_question(s) else s[: len(s) - len(s.lstrip())] for s in parts)

    def finish(self) -> str:
        """What is left to show once the stream has ended."""
        return self._emit(self._release(final=True))

    @property
    def text(self) -> str:
        return self.shown.strip()
