"""Who may sign in. History needs a signed-in user, so the app always has one:

* password login when users are configured (`MOCK_INTERVIEW_USERS="alice:pw,bob:pw"` or a file named
  by `MOCK_INTERVIEW_USERS_FILE`, one `name:password` a line; a password may be stored hashed as
  `pbkdf2_sha256$iterations$salt$hexdigest`, see `python -m agent.web.auth hash`);
* Chainlit's OAuth when a provider is configured (`OAUTH_GITHUB_CLIENT_ID`, ...), optionally limited
  to e-mail domains in `MOCK_INTERVIEW_OAUTH_DOMAINS`;
* otherwise a single local user, signed in automatically: the right default for `make run` on your
  own machine, and the wrong one for a shared server (configure users there).

Passwords are compared in constant time and never logged. Chainlit signs its session cookie with
CHAINLIT_AUTH_SECRET; when it is unset, `ensure_auth_secret` creates one in a git-ignored file.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

SECRET_FILE = "auth_secret"
_HASH_PREFIX = "pbkdf2_sha256$"


class AuthConfigError(ValueError):
    """A users list or file that can't be read; the message never holds a password."""


@dataclass(frozen=True)
class Users:
    passwords: dict[str, str]

    def check(self, username: str, password: str) -> bool:
        stored = self.passwords.get(username)
        if stored is None:
            hmac.compare_digest(password.encode("utf-8"), password.encode("utf-8"))  # no timing hint
            return False
        if stored.startswith(_HASH_PREFIX):
            return _check_hash(stored, password)
        return hmac.compare_digest(stored.encode("utf-8"), password.encode("utf-8"))


def hash_password(password: str, *, iterations: int = 240_000, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt.encode("ascii"), iterations).hex()
    return f"{_HASH_PREFIX}{iterations}${salt}${digest}"


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
    """CHAINLIT_AUTH_SECRET from the environment, else from (or newly written to) `folder/auth_secret`."""
    existing = os.environ.get("CHAINLIT_AUTH_SECRET")
    if existing:
        return existing
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
