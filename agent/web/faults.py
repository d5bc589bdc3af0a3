"""Crash points for the kill-window tests, and nothing else.

`crash_point(name)` kills the server (SIGKILL: no clean-up, as a power cut would) when the environment
variable MOCK_INTERVIEW_TEST_CRASH_AT names that point. Unset, as it always is outside tests, it does
nothing. The points sit between the steps that store a scorecard (see `room._score`).
"""

from __future__ import annotations

import os
import signal

ENV = "MOCK_INTERVIEW_TEST_CRASH_AT"
POINTS = ("scored", "saved", "recorded", "sent")


def crash_point(name: str) -> None:
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
