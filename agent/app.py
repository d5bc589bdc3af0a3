"""The browser app: `chainlit run agent/app.py`. Thin Chainlit handlers only.

The interview flow lives in `agent.web.room`, persistence in `agent.web.persistence`, sign-in in
`agent.web.auth`; each handler here just hands over. Importing this module configures the server:
the data layer (SQLite under `var/` unless DATABASE_URL is set), how users sign in, a generated
CHAINLIT_AUTH_SECRET when none is set, and a page that loads nothing from outside.
"""

from __future__ import annotations

from typing import Any

import chainlit as cl
from chainlit.server import app as server_app

from agent.web import auth, chrome, feedback, files, offline_page, persistence, practice, room, serving, store, throttle
from agent.web.settings import database_url, files_dir, home

try:
    store.check(home(), files_dir(), database_url())
except store.StoreError as exc:
    store.refuse_to_start(exc)
_USERS = auth.load_users()
_STORAGE = persistence.make_storage(files_dir(), database_url())
try:
    auth.ensure_auth_secret(home())
except auth.AuthConfigError as exc:
    store.refuse_to_start(store.StoreError(str(exc)))
offline_page.install()
chrome.install()
files.mount(server_app, _STORAGE)
feedback.mount(server_app)
serving.use_own_files_dir()
serving.apply_cookie_policy()
serving.config_without_profile_overrides()
_THROTTLE = throttle.LoginThrottle.from_env()
server_app.add_middleware(throttle.LoginGuard)


@cl.data_layer
def _data_layer() -> Any:
    return persistence.make_data_layer(database_url(), _STORAGE)


@cl.on_app_startup
async def _startup() -> None:
    from chainlit.data import get_data_layer

    store.private_umask()
    engine = get_data_layer().engine
    try:
        await persistence.ensure_schema(engine)
        await store.probe_database(engine)
        if engine.dialect.name == "postgresql":  # several workers may share it: count failures there
            _THROTTLE.store = throttle.DatabaseAttempts(engine)
    except store.StoreError as exc:
        store.refuse_to_start(exc, running=True)
    except Exception as exc:
        store.refuse_to_start(store.StoreError(f"the database cannot be prepared: {exc}"), running=True)


if _USERS is not None:

    @cl.password_auth_callback
    async def _password_login(username: str, password: str) -> cl.User | None:
        assert _USERS is not None
        try:
            ok = await auth.sign_in(_USERS, _THROTTLE, username, password, throttle.current_client())
        except throttle.TooManyAttempts as exc:
            throttle.refuse(exc)  # answered 429 "too many attempts, try again in N s"
            return None
        return cl.User(identifier=username, metadata={"provider": "password"}) if ok else None


if auth.oauth_providers():

    @cl.oauth_callback
    async def _oauth_login(
        provider: str, token: str, raw: dict, user: cl.User, id_token: str | None = None
    ) -> cl.User | None:
        return user if auth.oauth_domain_allowed(user.identifier) else None


if _USERS is None and not auth.oauth_providers():

    @cl.header_auth_callback
    async def _local_login(headers: Any) -> cl.User | None:
        return cl.User(identifier=auth.local_user_name(), metadata={"provider": "local"})


@cl.set_chat_profiles
async def _profiles(user: cl.User | None = None, language: str | None = None) -> list[cl.ChatProfile]:
    return await room.profiles_for(user)


@cl.on_chat_start
async def _start() -> None:
    await room.start_chat()


@cl.on_message
async def _message(message: cl.Message) -> None:
    await room.candidate_says(message.content)


@cl.on_settings_update
async def _settings(settings: dict) -> None:
    await room.settings_changed(settings)


@cl.action_callback(room.END)
async def _end(action: cl.Action) -> None:
    await room.end_now()


@cl.action_callback(room.RETRY)
async def _retry(action: cl.Action) -> None:
    await room.retry((action.payload or {}).get("what"))


@cl.action_callback(room.START)
async def _begin(action: cl.Action) -> None:
    await room.begin_from_button((action.payload or {}).get("length"))


@cl.action_callback(practice.ACTION)
async def _try_again(action: cl.Action) -> None:
    await practice.ask_again((action.payload or {}).get("turn"))


@cl.action_callback(room.AGAIN)
async def _again(action: cl.Action) -> None:
    await room.practice_again()


@cl.action_callback(room.PROGRESS)
async def _progress(action: cl.Action) -> None:
    await room.show_progress((action.payload or {}).get("persona"))


@cl.on_chat_resume
async def _resume(thread: Any) -> None:
    await room.resume(thread)
