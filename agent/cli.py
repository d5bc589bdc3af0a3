"""`mock-interview`: the command-line contract of shared/spec/CLI.md. Thin: parse, dispatch, print.

Bad input exits 2 with one line on standard error; no traceback ever reaches the user.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from agent.models import PERSONAS, Context
from agent.transcripts import InputError

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1


def _err(message: str) -> None:
    """One line on stderr: keys redacted, bytes that were not text shown as U+FFFD, never a second line."""
    from agent.fileio import tolerant_text
    from agent.redact import redact

    line = redact(" ".join(tolerant_text(message).split()))
    print(f"mock-interview: {line}", file=sys.stderr)


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit 2 like every other bad input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        _err(f"{message} (see 'mock-interview {self.prog.split()[-1]} --help')" if " " in self.prog else message)
        raise SystemExit(EXIT_BAD_INPUT)


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mock-interview", description="Practise an executive interview and score it.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    score = sub.add_parser("score", help="score transcripts (.json, .jsonl, or - for stdin)")
    score.add_argument("path")
    score.add_argument("--engine", help="offline or openai (default: openai when configured, else offline)")
    score.add_argument("--model", help="the judge model (LLM engine)")
    score.add_argument(
        "--format",
        choices=("auto", "json", "text"),
        default="auto",
        help="json (one scorecard a line), text (readable, for a terminal); auto: text in a terminal, else json",
    )

    iv = sub.add_parser("interview", help="a live mock interview (stdin lines are candidate messages when piped)")
    iv.add_argument("--persona", required=True, help="ceo or board_member")
    iv.add_argument("--engine", help="offline or openai (default: openai when configured, else offline)")
    iv.add_argument("--model", help="the interviewer model (LLM engine)")
    iv.add_argument("--company")
    iv.add_argument("--industry")
    iv.add_argument("--role")
    iv.add_argument("--job-description", help="a short job description to weave in")
    iv.add_argument("--length", type=int, default=6, help="how many plan topics to cover (1-6, default 6)")
    iv.add_argument("--seed", type=int, default=0, help="seed for the offline interviewer's phrasing")
    iv.add_argument("--transcript-out", metavar="FILE")
    iv.add_argument("--score", action="store_true", help="print the scorecard JSON as the last output")

    ev = sub.add_parser("eval", help="run the eval suites and gate them on evals/thresholds.yaml")
    ev.add_argument("suites", nargs="*", help="judge_agreement, evidence, injection, bias, conformance (default: all)")
    ev.add_argument("--engine", help="offline or openai (default: openai when configured, else offline)")
    ev.add_argument("--model")
    ev.add_argument("--concurrency", type=int, default=4, help="model calls in flight at once (default 4)")
    ev.add_argument("--junit-xml", metavar="PATH")
    ev.add_argument("--report", metavar="PATH", help="Markdown report (HTML if PATH ends in .html)")
    ev.add_argument("--results", metavar="PATH", help="results JSON (default: beside --report)")
    ev.add_argument("--baseline", metavar="PATH", help="an earlier results JSON to compare with")
    ev.add_argument("--dataset", action="append", default=[], metavar="JSONL", help="labeled dataset (repeatable)")
    ev.add_argument("--limit", type=int, help="at most this many cases per dataset-driven suite")
    ev.add_argument("--persona", action="append", default=[], help="self-play with this persona (repeatable)")
    ev.add_argument("--length", type=int, help="plan topics per self-play interview (default 6)")
    ev.add_argument("--replay", metavar="CASSETTE", help="answer every model call from a recorded cassette")
    ev.add_argument("--record", metavar="CASSETTE", help="record model calls into a cassette")
    ev.add_argument("--upstream", metavar="URL", help="the model server to record from (default OPENAI_BASE_URL)")
    return parser


def cmd_score(args: argparse.Namespace) -> int:
    """Score every transcript in order. A bad one is a line on stderr and exit 2; the rest still print.

    A scorer that fails on one transcript (a bug, or a model call that failed for good) is reported for
    that transcript and the batch goes on, exit 1, unless the failure can only repeat (a refused key).
    """
    from agent.engines import get_scorer
    from agent.llm.resilience import LLMError
    from agent.transcripts import load

    scorer = get_scorer(args.engine, args.model)
    status = 0
    out = sys.stdout
    as_text = args.format == "text" or (args.format == "auto" and out.isatty())
    items = list(load(args.path))
    for item, outcome in zip(items, _outcomes(items, scorer), strict=True):
        if item.error or item.transcript is None:
            _err(f"{item.where}: {item.error}")
            status = EXIT_BAD_INPUT
            continue
        if isinstance(outcome, LLMError) and not outcome.retryable:
            raise LLMError(f"{item.where}: {outcome}", kind=outcome.kind, retryable=False) from None
        if isinstance(outcome, InputError):
            _err(f"{item.where}: {outcome}")
            status = EXIT_BAD_INPUT
            continue
        if isinstance(outcome, Exception):  # a model call that failed for good, or a bug: this transcript is lost
            _err(f"{item.where}: {_one_line(outcome)}")
            status = status or EXIT_FAILED
            continue
        if as_text:
            from agent.terminal import print_scorecard

            print_scorecard(outcome, item.transcript, file=out)
        else:
            out.write(json.dumps(outcome.to_json_dict(), ensure_ascii=False) + "\n")
        out.flush()
    return status


def _outcomes(items: list[Any], scorer: Any) -> Iterator[Any]:
    """Each item's scorecard, or the exception that stopped it (None for an item that didn't parse).

    A scorer with `score_all` (offline) takes the whole batch at once; any other is called lazily, one
    transcript at a time, so a refused key stops the batch before another call is made.
    """
    from agent.engines import attempt
    from agent.llm.resilience import LLMError

    score_all = getattr(scorer, "score_all", None)
    if score_all is not None:
        cards = iter(score_all([item.transcript for item in items if item.transcript is not None]))
        for item in items:
            yield None if item.transcript is None else next(cards)
        return
    for item in items:
        yield None if item.transcript is None else attempt(scorer.score, item.transcript, keep=(LLMError,))


def _one_line(exc: BaseException, limit: int = 300) -> str:
    from agent.redact import redact

    text = redact(" ".join(str(exc).split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cmd_interview(args: argparse.Namespace) -> int:
    from agent.engines import get_interviewer, get_scorer
    from agent.interview import Conversation

    if args.persona not in PERSONAS:
        raise InputError(f"unknown persona '{args.persona}' (choose one of: {', '.join(PERSONAS)})")
    if not 1 <= args.length <= 6:
        raise InputError(f"--length must be between 1 and 6, got {args.length}")
    if args.transcript_out is not None:
        if not args.transcript_out.strip():
            raise InputError("--transcript-out: the file name is empty")
        out_path = Path(args.transcript_out)
        if out_path.is_dir():
            raise InputError(f"{args.transcript_out}: is a directory, expected a file name")
        if not out_path.resolve().parent.is_dir():
            raise InputError(f"{args.transcript_out}: its folder does not exist")
    context = Context(
        company=_arg(args.company),
        industry=_arg(args.industry),
        role=_arg(args.role),
        job_description=_arg(args.job_description),
    )
    interviewer = get_interviewer(args.engine, args.model)
    convo = Conversation.start(args.persona, context, interviewer, seed=args.seed, length=args.length)
    live = sys.stdin.isatty()
    out: TextIO = sys.stdout
    speaker = convo.speaker_label()
    if live:
        out.write(convo.banner() + "\n\n")
    out.write(f"{speaker}: {convo.last_interviewer_text()}\n")
    out.flush()
    failure: Exception | None = None
    try:
        while not convo.closed:
            line = _read_line(live)
            if line is None:
                break
            if live and line.strip().lower() in ("/end", "/quit", "/exit"):
                break
            if convo.session.awaiting_interviewer:  # the last turn failed to word: any line retries it
                reply = _llm_guard(convo.retry, live)
            elif not line.strip():
                continue
            else:
                reply = _llm_guard(partial(convo.reply, line.rstrip("\n")), live)
            if reply is not None:
                out.write(f"{speaker}: {reply}\n")
                out.flush()
    except KeyboardInterrupt:
        out.write("\n")
    except Exception as exc:  # piped input and the model failed: keep the transcript, report once
        failure = exc
    finally:
        if not convo.closed and failure is None:
            try:
                out.write(f"{speaker}: {convo.end()}\n")
            except Exception as exc:  # the close could not be worded: the transcript is still written
                failure = exc
        if args.transcript_out:
            from agent.fileio import write_text_atomic

            doc = convo.transcript().model_dump(mode="json", exclude_none=True)
            write_text_atomic(args.transcript_out, json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    if failure is not None:
        raise failure
    ledger = getattr(interviewer, "ledger", None)  # the LLM engine counts its tokens
    if ledger is not None and live:
        out.write(f"\nTokens used by the interviewer: {ledger.line()}\n")
    if live or args.score:
        card = get_scorer(args.engine, None).score(convo.transcript())
        if ledger is not None:
            card.interview_usage = ledger.summary()  # type: ignore[attr-defined]
        if live:
            from agent.terminal import print_scorecard

            out.write("\n")
            print_scorecard(card, convo.transcript(), file=out)
        if args.score:
            out.write(json.dumps(card.to_json_dict(), ensure_ascii=False) + "\n")
    out.flush()
    return 0


def _llm_guard(action: Callable[[], str], live: bool) -> str | None:
    """Run one interviewer turn. A model failure is one line on stderr, never a traceback; the session
    is untouched, so in a terminal the next Enter tries the same turn again. Piped input stops."""
    try:
        return action()
    except Exception as exc:
        from agent.llm.resilience import LLMError

        if not isinstance(exc, LLMError):
            raise
        if not live:
            raise
        _err(f"{exc} (press Enter to try again, or /end to finish)")
        return None


def _arg(value: str | None) -> str | None:
    """A command-line value as text: bytes that were not UTF-8 (surrogate escapes) become U+FFFD."""
    from agent.fileio import tolerant_text

    return None if value is None else tolerant_text(value)


def _read_line(live: bool) -> str | None:
    """The next candidate message. Input that is not UTF-8 costs only its bad bytes (shown as U+FFFD),
    never the interview: piped input is read as bytes and decoded with replacement."""
    from agent.fileio import tolerant_text

    if live:
        try:
            return tolerant_text(input("You: "))
        except EOFError:
            return None
    stream = getattr(sys.stdin, "buffer", None)
    if stream is not None:
        raw: bytes = stream.readline()
        return raw.decode("utf-8", "replace") if raw else None
    line = sys.stdin.readline()
    return tolerant_text(line) if line else None


def cmd_eval(args: argparse.Namespace) -> int:
    from agent.evals.runner import main as eval_main

    return eval_main(
        args.suites, engine=args.engine, model=args.model, concurrency=args.concurrency, junit=args.junit_xml,
        report=args.report, baseline=args.baseline, results=args.results, datasets=args.dataset, limit=args.limit,
        replay=args.replay, record=args.record, upstream=args.upstream, personas=args.persona, length=args.length,
    )


def main(argv: Sequence[str] | None = None) -> int:
    from agent.redact import install_log_redaction

    install_log_redaction()
    args = _build_parser().parse_args(argv)
    handlers = {"score": cmd_score, "interview": cmd_interview, "eval": cmd_eval}
    try:
        return handlers[args.command](args)
    except InputError as exc:
        _err(str(exc))
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug or an outside failure: one line, never a traceback
        from agent.llm.resilience import LLMError

        if isinstance(exc, LLMError):  # the model failed after retries: its message is already one line
            _err(str(exc))
            return EXIT_FAILED
        _err(f"failed: {type(exc).__name__}: {_one_line(exc)}")
        return EXIT_FAILED


if __name__ == "__main__":
    raise SystemExit(main())
