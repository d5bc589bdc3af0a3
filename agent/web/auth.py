"""Who may sign in. History needs a signed-in user, so the app always has one:

* password login when users are configured (`MOCK_INTERVIEW_USERS="alice:pw,bob:pw"` or a file named
  by `MOCK_INTERVIEW_USERS_FILE`, one `name:password` a line; a password may be stored hashed as
  `pbkdf2_sha256$iterations$salt$hexdigest`, see `python -m agent.web.auth hash`);
* Chainlit's OAuth when a provider is configured (`OAUTH_GITHUB_CLIENT_ID`, ...), optionally limited
  to e-mail domains in `MOCK_INTERVIEW_OAUTH_DOMAINS`;
* otherwise a single local user, signed in automatically: the right default for `make run` on your
  own machine, and the wrong one for a shared server (configure users there).

Passwords are compared in constant time and never logged. Hashes are checked in a worker thread, never on
the event loop (PBKDF2 takes tens of milliseconds), and an unknown name costs the same as a known one: it
is checked against a dummy hash of the same strength, so timing does not tell which names exist. Failed
sign-ins are throttled per client and per name (`agent.web.throttle`). Chainlit signs its session cookie with
CHAINLIT_AUTH_SECRET (or the file MOCK_INTERVIEW_AUTH_SECRET_FILE names, shared by every worker); when neither
is set, `ensure_auth_secret` creates one in a git-ignored file.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import secrets
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from agent.web.throttle import LoginThrottle

SECRET_FILE = "auth_secret"
_HASH_PREFIX = "pbkdf2_sha256$"


class AuthConfigError(ValueError):
    """A users list or file that can't be read; the message never holds a password."""


# PBKDF2 runs here, a few at a time: a flood of sign-ins can't take every thread or the event loop.
_VERIFY_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="password-check")


@dataclass(frozen=True)
class Users:
    passwords: dict[str, str]

    @cached_property
    def dummy(self) -> str:
        """What an unknown name is checked against: a hash as strong as the strongest stored one, or
        (when no password is stored hashed) a plain string, so both cost what a known name costs."""
        rounds = [_iterations(p) for p in self.passwords.values() if p.startswith(_HASH_PREFIX)]
        rounds = [r for r in rounds if r]
        if rounds:
            return hash_password(secrets.token_urlsafe(16), iterations=max(rounds))
        return secrets.token_urlsafe(16)

    def check(self, username: str, password: str) -> bool:
        """Blocking (PBKDF2); the app calls `verify`, which runs this off the event loop."""
        stored = self.passwords.get(username)
        known = stored is not None
        candidate = stored if stored is not None else self.dummy
        if candidate.startswith(_HASH_PREFIX):
            ok = _check_hash(candidate, password)
        else:
            ok = hmac.compare_digest(candidate.encode("utf-8"), password.encode("utf-8"))
        return ok and known

    async def verify(self, username: str, password: str) -> bool:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(_VERIFY_POOL, self.check, username, password)


async def sign_in(users: Users, throttle: LoginThrottle, username: str, password: str, client: str) -> bool:
    """A password sign-in: refused at once (`TooManyAttempts`) while the client or the name is throttled,
    else verified off the loop; the outcome is counted."""
    await throttle.check(client, username)
    ok = await users.verify(username, password)
    if ok:
        await throttle.succeeded(client, username)
    else:
        await throttle.failed(client, username)
    return ok


def hash_password(password: str, *, iterations: int = 240_000, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt.encode("ascii"), iterations).hex()
    return f"{_HASH_PREFIX}{iterations}${salt}${digest}"


def _iterations(stored: str) -> int:
    try:
        return int(stored.split("$")[1])
    except (IndexError, ValueError):
        return 0


def _check_hash(stored: str, password: str) -> bool:
    try:
        _, iterations, salt, digest = stored.split("$")
        expected = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt.encode("ascii"), int(iterations))
    except ValueError:
        return False
    return hmac.compare_digest(expected.hex(), digest)


def parse_users(text: str, *, where: str = "MOCK_INTERVIEW_USERS") -> dict[str, str]:
    """`name:password` entries separated by commas or new lines; blank lines and `#` comments skipped."""
    users: dict[str, str] = {}
    for number, raw in enumerate(text.replace(",", "\n").splitlines(), start=1):
        entry = raw.strip()
        if not entry or entry.startswith("#"):
            continue
        name, sep, password = entry.partition(":")
        if not sep or not name.strip() or not password:
            raise AuthConfigError(f"{where}: entry {number} is not 'name:password'")
        users[name.strip()] = password
    return users


def load_users(env: dict[str, str] | None = None) -> Users | None:
    env = dict(os.environ) if env is None else env
    found: dict[str, str] = {}
    if env.get("MOCK_INTERVIEW_USERS"):
        found.update(parse_users(env["MOCK_INTERVIEW_USERS"]))
    path = env.get("MOCK_INTERVIEW_USERS_FILE")
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise AuthConfigError(f"MOCK_INTERVIEW_USERS_FILE: cannot read {path}: {exc.strerror}") from None
        found.update(parse_users(text, where=path))
    return Users(found) if found else None


def oauth_domain_allowed(email: str | None, env: dict[str, str] | None = None) -> bool:
    env = dict(os.environ) if env is None else env
    allowed = [
        d.strip().lower().lstrip("@") for d in env.get("MOCK_INTERVIEW_OAUTH_DOMAINS", "").split(",") if d.strip()
    ]
    if not allowed:
        return True
    domain = (email or "").rpartition("@")[2].lower()
    return domain in allowed


def oauth_providers() -> list[str]:
    """The OAuth providers Chainlit found configured in the environment (none: no OAuth)."""
    from chainlit.oauth_providers import get_configured_oauth_providers

    return list(get_configured_oauth_providers())


def local_user_name(env: dict[str, str] | None = None) -> str:
    env = dict(os.environ) if env is None else env
    return env.get("MOCK_INTERVIEW_LOCAL_USER") or "you"


def ensure_auth_secret(folder: Path) -> str:
    """CHAINLIT_AUTH_SECRET from the environment, else read from the file MOCK_INTERVIEW_AUTH_SECRET_FILE names
    (shared configuration: every worker behind a load balancer must sign and check the session cookie with the
    same secret, or a user moved to another worker is signed out), else from (or newly written to)
    `folder/auth_secret`, which is right for one process only."""
    existing = os.environ.get("CHAINLIT_AUTH_SECRET")
    if existing:
        return existing
    shared = os.environ.get("MOCK_INTERVIEW_AUTH_SECRET_FILE")
    if shared:
        try:
            secret = Path(shared).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise AuthConfigError(f"MOCK_INTERVIEW_AUTH_SECRET_FILE: cannot read {shared}: {exc.strerror}") from None
        if len(secret) < 32:
            raise AuthConfigError(f"MOCK_INTERVIEW_AUTH_SECRET_FILE: {shared} holds no secret of 32 characters or more")
        os.environ["CHAINLIT_AUTH_SECRET"] = secret
        return secret
    if os.environ.get("DATABASE_URL"):
        print(
            "mock-interview: warning: no CHAINLIT_AUTH_SECRET or MOCK_INTERVIEW_AUTH_SECRET_FILE; using one kept in "
            f"{folder / SECRET_FILE}. Several workers need the same secret (docs/deploy.md).",
            file=sys.stderr,
        )
    path = folder / SECRET_FILE
    if path.is_file() and path.read_text().strip():
        secret = path.read_text().strip()
    else:
        folder.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secret + "\n")
    os.environ["CHAINLIT_AUTH_SECRET"] = secret
    return secret


def main(argv: list[str] | None = None) -> int:
    """`python -m agent.web.auth hash`: read a password from stdin, print its stored form."""
    args = sys.argv[1:] if argv is None else argv
    if args != ["hash"]:
        print("usage: python -m agent.web.auth hash  (reads the password on stdin)", file=sys.stderr)
        return 2
    password = sys.stdin.readline().rstrip("\n")
    print(hash_password(password))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
