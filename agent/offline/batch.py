"""Score a large file of transcripts offline on every core the process may use.

The listener is CPU-bound Python, so one process uses one core; a batch of a thousand transcripts is split
into chunks scored by forked workers, and the cards come back in input order. The result is the same as
scoring one by one (each transcript is read on its own); only the wall-clock time changes.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from agent.engines import attempt

if TYPE_CHECKING:
    from agent.models import Scorecard, Transcript

CHUNK = 64  # transcripts a worker reads at once (their texts encoded in one encoder call)
MIN_PER_WORKER = 150  # below this a worker's start-up (loading the model) costs more than it saves


def workers_for(count: int) -> int:
    """How many processes a batch of `count` transcripts is worth: 1 means score in this process."""
    if not sys.platform.startswith("linux"):  # fork is the cheap start; elsewhere stay in one process
        return 1
    override = os.environ.get("MOCK_INTERVIEW_WORKERS", "")
    cores = int(override) if override.isdigit() and int(override) > 0 else len(os.sched_getaffinity(0))
    return max(1, min(cores, count // MIN_PER_WORKER))


def _score_chunk(chunk: Sequence[Transcript]) -> list[Scorecard | Exception]:
    from agent.listening import prepare
    from agent.offline.scorer import score

    with contextlib.suppress(Exception):  # a failure shows again, per transcript, when it is scored
        prepare(chunk)
    return [attempt(score, transcript) for transcript in chunk]


def score_all(transcripts: Sequence[Transcript]) -> Iterator[Scorecard | Exception]:
    """Each transcript's card, or the exception that stopped it, in input order."""
    chunks = [transcripts[i : i + CHUNK] for i in range(0, len(transcripts), CHUNK)]
    workers = workers_for(len(transcripts))
    if workers == 1:
        for chunk in chunks:
            yield from _score_chunk(chunk)
        return
    from agent.listening import model

    # Loaded once here, the model is shared by the forked workers; the tokenizer's own threads stay off,
    # since threads don't survive a fork (its output is the same either way).
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    with contextlib.suppress(model.ModelFileError):  # reported per transcript, by each worker
        model.encoder()
        model.heads()
    with multiprocessing_pool(workers) as pool:  # a worker that dies raises BrokenProcessPool, never hangs
        for results in pool.map(_score_chunk, chunks):
            yield from results


def multiprocessing_pool(workers: int) -> Any:
    """Forked workers (the seam a test counts)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
