"""The interview room: the flow behind the Chainlit handlers in `agent/app.py`.

Each function reads the interview from Chainlit's user session, moves it on through the engine
from `agent.engines` and shows the result. The interview state is plain JSON kept under
`STATE_KEYS` in the user session; after every change it is also written to the thread's
metadata, so a restarted server resumes exactly where the interview stopped (Chainlit itself
only saves the user session when the browser disconnects cleanly).

A model call that fails commits nothing (the `Interviewer` contract), so the failed step is
remembered in `pending` and a Retry action repeats it with the transcript intact.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from typing import Any

import chainlit as cl
from chainlit.input_widget import Slider, TextInput

from agent.engines import choose, get_interviewer, get_scorer
from agent.models import PERSONAS, Context, Scorecard
from agent.plan import context_values, load_persona
from agent.session import DEFAULT_LENGTH, InterviewSession, Move
from agent.web import charts, faults, history, practice, preferences, rebuild, reports, saving, views
from agent.web.settings import engine_info

log = logging.getLogger(__name__)

# What we keep in the user session (and so in the thread's metadata).
INTERVIEW = "interview"  # InterviewSession.to_dict()
ENGINE = "engine"  # {"engine": ..., "model": ...} used for this interview
SCORECARD = "scorecard"  # Scorecard JSON once scored
PENDING = "pending"  # what Retry repeats: "turn", "end" or "score"
STARTED = "started_on"  # the interview's date (ISO), for the report's file names
STATE_KEYS = (INTERVIEW, ENGINE, SCORECARD, PENDING, STARTED, practice.REDO)

COACH = "Coach"  # the app's own voice (header, scorecard, notices), distinct from the interviewer

END = "end_interview"
RETRY = "retry"
AGAIN = "practice_again"
PROGRESS = "show_progress"
START = "start_interview"  # payload {"length": n} for a short practice


# --- profiles, settings, state -----------------------------------------------------------------


def persona_for_profile(profile: str | None) -> str:
    """Chat profiles are named by the persona's label; the first persona is the default."""
    for pid in PERSONAS:
        if profile in (load_persona(pid).label, pid):
            return pid
    return PERSONAS[0]


def chat_profiles(last_persona: str | None = None) -> list[cl.ChatProfile]:
    """One profile per persona; the one the user last practised with is selected by default."""
    default = last_persona if last_persona in PERSONAS else PERSONAS[0]
    return [
        cl.ChatProfile(
            name=load_persona(pid).label,
            markdown_description=views.profile_description(load_persona(pid)),
            icon=views.avatar_url(load_persona(pid).name),
            default=pid == default,
        )
        for pid in PERSONAS
    ]


async def profiles_for(user: Any) -> list[cl.ChatProfile]:
    prefs = await preferences.current(user) if user is not None else {}
    return chat_profiles(persona_for_profile(prefs["persona"]) if prefs.get("persona") else None)


def settings_widgets(values: dict | None = None) -> list[Any]:
    """The settings panel, showing `values` (a resumed thread's settings) or empty fields."""
    v = values or {}

    def text(key: str) -> str:
        return str(v.get(key) or "")

    widgets: list[Any] = [
        TextInput(
            id="company",
            label="Company",
            initial=text("company"),
            placeholder="e.g. Alder Freight",
            description="Kept for your next interviews until you change it.",
        ),
        TextInput(id="industry", label="Industry", initial=text("industry"), placeholder="e.g. logistics"),
        TextInput(id="role", label="Role you are interviewing for", initial=text("role"), placeholder="e.g. COO"),
        TextInput(
            id="job_description",
            label="Job description (optional)",
            initial=text("job_description"),
            multiline=True,
            placeholder="Paste the duties; the interviewer asks about them and the coaching refers to them.",
        ),
        Slider(
            id="length",
            label="Interview length (topics)",
            initial=length_from(v),
            min=1,
            max=DEFAULT_LENGTH,
            step=1,
        ),
    ]
    info = engine_info()
    if info.is_llm:
        model = text("model") or info.model or ""
        widgets.append(
            TextInput(
                id="model",
                label="Model",
                initial=model,
                placeholder="the server's default model",
                description=views.operator_help(info),
            )
        )
    else:
        widgets[-1].description = views.operator_help(info)
    return widgets


def context_from(settings: dict | None) -> Context:
    s = settings or {}

    def clean(key: str) -> str | None:
        value = str(s.get(key) or "").strip()
        return value[:2000] or None

    return Context(
        company=clean("company"),
        industry=clean("industry"),
        role=clean("role"),
        job_description=clean("job_description"),
    )


def length_from(settings: dict | None, override: int | None = None) -> int:
    if override is not None:
        return override
    try:
        value = int(float((settings or {}).get("length", DEFAULT_LENGTH)))
    except (TypeError, ValueError):
        value = DEFAULT_LENGTH
    return min(max(value, 1), DEFAULT_LENGTH)


def current() -> InterviewSession | None:
    data = cl.user_session.get(INTERVIEW)
    return InterviewSession.from_json(data) if data else None


def state_from_thread(thread: dict) -> dict:
    """The app's keys from a thread's metadata (a JSON string on SQLite, a dict on Postgres)."""
    meta = thread.get("metadata") or {}
    if isinstance(meta, str):
        try:
            meta = json.loads(meta)
        except json.JSONDecodeError:
            meta = {}
    return {k: meta.get(k) for k in STATE_KEYS}


async def save(session: InterviewSession | None, **extra: Any) -> None:
    """Keep the state in the user session and write it through to the thread at once."""
    cl.user_session.set(INTERVIEW, session.to_dict() if session else None)
    for key, value in extra.items():
        cl.user_session.set(key, value)
    ctx = cl.context
    layer = _data_layer()
    if not (layer and ctx.session.thread_id and getattr(ctx.session, "has_first_interaction", False)):
        return
    meta = {k: cl.user_session.get(k) for k in STATE_KEYS}
    name = None
    if session and len(session.state.turns) <= 2:  # name the thread after the interview, not the first line
        name = views.thread_name(session, started_on())
    try:
        await layer.update_thread(thread_id=ctx.session.thread_id, name=name, metadata=meta)
    except Exception as exc:  # the interview goes on, and the user is told it is not being saved
        log.exception("could not save the interview to the thread")
        await saving.save_failed("the interview", exc)


def _data_layer() -> Any:
    from chainlit.data import get_data_layer

    return get_data_layer()


@lru_cache(maxsize=8)
def _interviewer(engine: str, model: str | None) -> Any:
    return get_interviewer(engine, model)


def _engine_choice() -> dict:
    stored = cl.user_session.get(ENGINE)
    if stored:
        return stored
    settings = cl.user_session.get("chat_settings") or {}
    engine = choose(None)
    model = (str(settings.get("model") or "").strip() or None) if engine != "offline" else None
    return {"engine": engine, "model": model}


# Sessions with a turn or a scoring under way (a count: scoring runs inside the closing turn). A resume
# that lands meanwhile (the page reconnects the same session when it switches to the thread's profile)
# must leave the work to the task already doing it.
_BUSY: dict[str, int] = {}


@contextlib.contextmanager
def _working() -> Iterator[None]:
    sid = cl.context.session.id
    _BUSY[sid] = _BUSY.get(sid, 0) + 1
    try:
        yield
    finally:
        _BUSY[sid] -= 1
        if not _BUSY[sid]:
            del _BUSY[sid]


def _end_action() -> cl.Action:
    return cl.Action(name=END, payload={}, label="End interview and score", icon="flag")


def after_actions() -> list[cl.Action]:
    return [
        cl.Action(name=AGAIN, payload={}, label="Practice again", icon="rotate-ccw"),
        cl.Action(name=PROGRESS, payload={}, label="My progress over time", icon="chart-line"),
    ]


_after_actions = after_actions


def start_actions() -> list[cl.Action]:
    return [
        cl.Action(name=START, payload={}, label="Start the interview", icon="play"),
        cl.Action(
            name=START,
            payload={"length": views.SHORT_LENGTH},
            label=f"Short practice ({views.SHORT_LENGTH} topics)",
            icon="timer",
        ),
        cl.Action(name=PROGRESS, payload={}, label="My progress over time", icon="chart-line"),
    ]


def started_on() -> date:
    value = cl.user_session.get(STARTED)
    try:
        return date.fromisoformat(str(value)) if value else date.today()
    except ValueError:
        return date.today()


async def _retry(what: str, error: BaseException, pending: str) -> None:
    log.warning("%s failed: %s: %s", what, type(error).__name__, error)
    cl.user_session.set(PENDING, pending)
    await save(current(), **{PENDING: pending})
    await cl.Message(
        author=COACH,
        content=views.retry_line(what, error),
        actions=[cl.Action(name=RETRY, payload={"what": pending}, label="Retry", icon="refresh-cw")],
    ).send()


# --- the flow ---------------------------------------------------------------------------------


async def start_chat() -> None:
    """A new chat: the user's last settings in the panel, a welcome with Start buttons, and a wait;
    the interview begins with a button or any message (which is not taken as an answer)."""
    for key in STATE_KEYS:
        cl.user_session.set(key, None)
    prefs = await preferences.current()
    await cl.ChatSettings(settings_widgets(prefs)).send()
    persona = load_persona(persona_for_profile(cl.user_session.get("chat_profile")))
    await cl.Message(
        author=COACH,
        content=views.welcome(persona, cl.user_session.get("chat_settings") or {}),
        actions=start_actions(),
    ).send()


async def begin(length: int | None = None) -> None:
    """A new interview with the current profile and settings; the interviewer speaks first."""
    settings = cl.user_session.get("chat_settings") or {}
    persona = persona_for_profile(cl.user_session.get("chat_profile"))
    session = InterviewSession.new(
        persona,
        context_from(settings),
        seed=random.randrange(1_000_000),
        length=length_from(settings, length),
    )
    choice = _engine_choice()
    try:
        _interviewer(choice["engine"], choice["model"])
    except Exception as exc:
        await cl.Message(
            author=COACH,
            content=f"The {choice['engine']} engine could not start ({views.inert(str(exc))}); "
            "this interview uses the offline engine.",
        ).send()
        choice = {"engine": "offline", "model": None}
    cl.user_session.set(STARTED, date.today().isoformat())
    await save(session, **{ENGINE: choice, SCORECARD: None, PENDING: None, practice.REDO: None})
    await preferences.remember({"persona": persona})
    p = load_persona(persona)
    await cl.Message(
        author=COACH,
        content=views.interview_header(
            p, context_values(session.state.context), session.state.length, views.stand_ins(session.state.context)
        ),
    ).send()
    await interviewer_turn(session)


async def begin_from_button(length: Any = None) -> None:
    """The Start buttons: a new interview unless one is already under way."""
    session = current()
    if session is not None and not session.closed:
        await cl.Message(
            author=COACH, content="Your interview is under way: answer the last question, or end it."
        ).send()
        return
    try:
        short = int(length) if length is not None else None
    except (TypeError, ValueError):
        short = None
    await begin(min(max(short, 1), DEFAULT_LENGTH) if short else None)


async def interviewer_turn(session: InterviewSession, move: Move | None = None, pending: str = "turn") -> bool:
    """Stream the interviewer's next turn; on failure keep everything and offer Retry."""
    with _working():
        return await _interviewer_turn(session, move, pending)


async def _interviewer_turn(session: InterviewSession, move: Move | None, pending: str) -> bool:
    choice = _engine_choice()
    persona = load_persona(session.state.persona)
    msg = cl.Message(content="", author=persona.name)
    try:
        interviewer = _interviewer(choice["engine"], choice["model"])
        async for chunk in interviewer.astream(session, move):
            await msg.stream_token(views.inert(chunk))
    except Exception as exc:
        if msg.streaming:
            await msg.remove()
        await _retry("interviewer's turn", exc, pending)
        return False
    await _drop_old_end_action()
    end = _end_action() if not session.closed else None
    msg.actions = [end] if end else []
    await msg.send()
    if end:
        cl.user_session.set("end_action", {"id": end.id, "forId": msg.id})
    await save(session, **{PENDING: None})
    if session.closed:
        await score(session)
    return True


async def _drop_old_end_action() -> None:
    """Only the latest question carries the End button."""
    old = cl.user_session.get("end_action")
    if old:
        await cl.Action(name=END, payload={}, id=old["id"], forId=old["forId"]).remove()
        cl.user_session.set("end_action", None)


async def candidate_says(text: str) -> None:
    """A typed message: a starter or the first words begin the interview (they are not an answer);
    after that each message is one answer, and the interviewer replies with one turn."""
    session = current()
    if text.strip() == views.SHOW_PROGRESS:
        await show_progress()
        return
    if session is None:
        await begin(views.SHORT_LENGTH if text.strip() == views.START_SHORT else None)
        return
    if session.closed and practice.pending() is not None:
        await practice.answer_again(text)
        return
    if session.closed:
        if cl.user_session.get(SCORECARD) is None:
            await score(session)
            return
        await cl.Message(
            author=COACH, content="This interview is over. Start another whenever you like.", actions=_after_actions()
        ).send()
        return
    if session.awaiting_interviewer:
        pending = cl.user_session.get(PENDING) or "turn"
        await cl.Message(
            author=COACH,
            content="The interviewer still owes you a reply to your last answer. Press Retry to hear it.",
            actions=[cl.Action(name=RETRY, payload={"what": pending}, label="Retry", icon="refresh-cw")],
        ).send()
        return
    session.add_candidate(text)
    await save(session)
    await interviewer_turn(session)


async def end_now() -> None:
    """The End button: the interviewer closes politely whatever the stage, then scoring runs."""
    log.info("end requested: session %s", cl.context.session.id)
    session = current()
    if session is None or session.closed:
        await cl.Message(author=COACH, content="There is no interview in progress.", actions=_after_actions()).send()
        return
    await interviewer_turn(session, session.end_move(), pending="end")


async def retry(what: str | None = None) -> None:
    """Repeat whatever failed last (a turn, the close or the scoring); nothing was committed by it."""
    session = current()
    pending = cl.user_session.get(PENDING) or what
    if session is None:
        await begin()
    elif pending == "score" or (session.closed and cl.user_session.get(SCORECARD) is None):
        await score(session)
    elif session.closed:
        await cl.Message(
            author=COACH, content="Nothing to retry: this interview is scored.", actions=_after_actions()
        ).send()
    elif pending == "end":
        await interviewer_turn(session, session.end_move(), pending="end")
    elif session.awaiting_interviewer:
        await interviewer_turn(session)
    else:
        await cl.Message(author=COACH, content="Nothing to retry; the interviewer is waiting for your answer.").send()


async def score(session: InterviewSession) -> None:
    """Scoring as a visible step, then the scorecard with its chart, downloads and next actions."""
    with _working():
        await _score(session)


async def _score(session: InterviewSession) -> None:
    choice = _engine_choice()
    transcript = session.transcript()
    log.info(
        "scoring: session %s, thread %s, %d turns",
        cl.context.session.id,
        cl.context.session.thread_id,
        len(transcript.turns),
    )
    try:
        scorer = get_scorer(choice["engine"], None)  # the judge keeps its own model setting
        card = await asyncio.to_thread(scorer.score, transcript)
    except Exception as exc:
        await _retry("scoring", exc, "score")
        return
    faults.crash_point("scored")
    await save(session, **{SCORECARD: card.to_json_dict(), PENDING: None})
    faults.crash_point("saved")
    await _record(card, session)
    faults.crash_point("recorded")
    await cl.Message(
        author=COACH,
        content=views.scorecard_markdown(card, transcript),
        elements=scorecard_elements(card, session),
        actions=card_actions(card, session),
    ).send()
    faults.crash_point("sent")
    await practice.show_review(card, session, COACH)


def card_actions(card: Scorecard, session: InterviewSession) -> list[cl.Action]:
    return [*practice.weakest_action(card, session), *after_actions()]


def scorecard_elements(card: Scorecard, session: InterviewSession) -> list[Any]:
    return reports.elements(card, session.transcript(), when=started_on())


async def _record(card: Scorecard, session: InterviewSession) -> None:
    layer = _data_layer()
    user = cl.context.session.user
    if not (layer and user and hasattr(layer, "engine")):
        return
    row = history.score_row(card, session.transcript(), thread_id=cl.context.session.thread_id, user=user.identifier)
    try:
        await history.record(layer.engine, row)
    except Exception as exc:
        log.exception("could not record the score for progress over time")
        await saving.save_failed("the score", exc)


async def practice_again() -> None:
    """A new interview in a new thread: the page opens a new chat (`public/mock-interview.js`), which
    starts from the same persona and the settings the user keeps."""
    session = current()
    if session is not None and not session.closed:
        await cl.Message(author=COACH, content="Finish or end this interview first.").send()
        return
    await cl.context.emitter.send_window_message({"mockInterview": "new-interview"})


async def show_progress(persona: str | None = None) -> None:
    """The user's scores across their saved interviews by date, a trend per criterion, interviews cut
    short kept apart; `persona` filters to one interviewer."""
    layer = _data_layer()
    user = cl.context.session.user
    if not (layer and user and hasattr(layer, "engine")):
        await cl.Message(
            author=COACH, content="Progress needs saved history (sign in with a data layer configured)."
        ).send()
        return
    every = await history.progress(layer.engine, user.identifier)
    rows = [r for r in every if not persona or r["persona"] == persona]
    elements = (
        [cl.Plotly(name="progress", figure=charts.progress_figure(rows), display="inline", size="large")]
        if rows
        else []
    )
    session = current()
    actions = (
        []
        if session and not session.closed
        else [cl.Action(name=AGAIN, payload={}, label="Practice again", icon="rotate-ccw")]
    )
    personas = sorted({r["persona"] for r in every})
    if len(personas) > 1:
        for pid in (None, *personas):
            if pid != persona:
                label = (
                    "All interviewers"
                    if pid is None
                    else f"Only {load_persona(pid).label[:1].lower()}{load_persona(pid).label[1:]}"
                )
                actions.append(cl.Action(name=PROGRESS, payload={"persona": pid}, label=label, icon="filter"))
    await cl.Message(
        author=COACH, content=views.progress_markdown(rows, persona), elements=elements, actions=actions
    ).send()


async def settings_changed(settings: dict) -> None:
    """Saved for this user's next interviews (confirmed); they restart an interview nobody has answered
    yet, and otherwise wait for the next one."""
    kept = await preferences.remember(settings)
    with contextlib.suppress(Exception):
        await cl.context.emitter.send_toast(
            "Settings saved" + (" for your next interviews." if kept else "."), "success"
        )
    session = current()
    if session and not session.closed and not any(t.speaker == "candidate" for t in session.state.turns):
        await cl.Message(author=COACH, content="New settings: starting over with them.").send()
        await begin()
    elif session and not session.closed:
        await cl.Message(author=COACH, content="Saved. The new settings apply to your next interview.").send()
    else:
        await cl.Message(author=COACH, content=views.settings_saved(settings, kept)).send()


# Chainlit sends the stored thread to the page after on_chat_resume returns, and the page then replaces
# its messages with it: anything shown from inside on_chat_resume would vanish from view (while still
# being saved). So resuming only restores state, and what follows runs a moment later.
RESUME_DELAY = 0.5
_BACKGROUND: set[asyncio.Task] = set()
_RESUMED: set[tuple[str, str]] = set()


def background_tasks() -> set[asyncio.Task]:
    """The follow-ups of resumed threads still running (tests await them)."""
    return set(_BACKGROUND)


async def resume(thread: dict) -> None:
    """Chainlit has restored the user session from the thread; restore the interview and carry on."""
    seen = (cl.context.session.id, str(thread.get("id")))
    if seen in _RESUMED:  # the page reconnected the same session: it still shows everything
        log.info("already resumed: session %s, thread %s", *seen)
        return
    _RESUMED.add(seen)
    log.info("resuming: session %s, thread %s", *seen)
    for key, value in state_from_thread(thread).items():
        if cl.user_session.get(key) is None and value is not None:
            cl.user_session.set(key, value)
    session = current()
    if session is None:
        return
    task = asyncio.create_task(_carry_on(thread))
    _BACKGROUND.add(task)
    task.add_done_callback(_BACKGROUND.discard)


def _last_step(steps: list[dict], test: Any) -> str | None:
    return next((s["id"] for s in reversed(steps) if s.get("type") == "assistant_message" and test(s)), None)


async def _carry_on(thread: dict) -> None:
    """Put back the buttons the page lost (actions are not saved with messages), finish the turn
    a restart interrupted, or rebuild a scorecard view a crash cut short (`rebuild`); add no message
    when none is needed, so history stays clean."""
    steps = thread.get("steps") or []
    await asyncio.sleep(RESUME_DELAY)
    session = current()  # now, not at resume time: a click may have moved it on meanwhile
    if session is None or cl.context.session.id in _BUSY:
        return
    try:
        await cl.ChatSettings(settings_widgets(cl.user_session.get("chat_settings"))).send()
        if session.closed:
            if cl.user_session.get(SCORECARD) is None:
                await score(session)
                return
            card = Scorecard.model_validate(cl.user_session.get(SCORECARD))
            await rebuild.restore(thread, session, cl.user_session.get(SCORECARD), actions=card_actions(card, session))
            return
        if session.awaiting_interviewer:
            pending = cl.user_session.get(PENDING)
            move = session.end_move() if pending == "end" else None
            await interviewer_turn(session, move, pending="end" if pending == "end" else "turn")
            return
        name = load_persona(session.state.persona).name
        last = _last_step(steps, lambda s: s.get("name") == name)
        end = _end_action()
        if last:
            await end.send(for_id=last)
            cl.user_session.set("end_action", {"id": end.id, "forId": last})
        else:
            await cl.Message(author=COACH, content="The interviewer is waiting for your answer.", actions=[end]).send()
    except Exception:
        log.exception("could not carry on after resuming the thread")
