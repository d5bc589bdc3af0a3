"""Security of the browser app's own code (issue 8): saved files only to their owner, whatever the key
spells; logins throttled and verified off the event loop; the store checked at start; private files;
feedback refused on other users' steps; a secure cookie behind HTTPS."""

from __future__ import annotations

# isort: off
import tests.e2e.appenv  # noqa: F401  (first: Chainlit must not touch the repository)

# isort: on
from pathlib import Path

import pytest

from agent.web import files

# --- item 1: saved files ------------------------------------------------------------------------

ALICE, BOB = "a11ce000-0000-4000-8000-000000000001", "b0b00000-0000-4000-8000-000000000002"


@pytest.fixture
def store(tmp_path: Path) -> Path:
    root = tmp_path / "files"
    for user in (ALICE, BOB):
        (root / user / "e1").mkdir(parents=True)
        (root / user / "e1" / "transcript.json").write_text(f"{user}'s transcript")
    return root


def test_own_file_resolves(store: Path):
    key = f"{ALICE}/e1/transcript.json"
    path = files.resolve_owned(store, ALICE, key, f"/interview-files/{key}")
    assert path.read_text() == f"{ALICE}'s transcript"


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        (f"{ALICE}/../{BOB}/e1/transcript.json", f"/interview-files/{ALICE}/../{BOB}/e1/transcript.json"),
        (f"{ALICE}/../{BOB}/e1/transcript.json", f"/interview-files/{ALICE}/%2e%2e/{BOB}/e1/transcript.json"),
        (f"{ALICE}/../{BOB}/e1/transcript.json", f"/interview-files/{ALICE}/..%2f{BOB}/e1/transcript.json"),
        (f"{ALICE}/x/../../{BOB}/e1/transcript.json", f"/interview-files/{ALICE}/x/../../{BOB}/e1/transcript.json"),
        (f"{ALICE}/./../{BOB}/e1/transcript.json", ""),
        (f"{ALICE}//{BOB}/e1/transcript.json", ""),
        (f"{ALICE}/e1/transcript.json", f"/interview-files/{ALICE}%2fe1/transcript.json"),
        (f"{ALICE}/e1\\..\\..\\{BOB}/e1/transcript.json", ""),
        (f"{BOB}/e1/transcript.json", f"/interview-files/{BOB}/e1/transcript.json"),
        (f"/{BOB}/e1/transcript.json", ""),
        (f"{ALICE}", ""),
        ("", ""),
    ],
)
def test_other_users_files_and_odd_keys_are_refused(store: Path, key: str, raw: str):
    with pytest.raises(files.Refused):
        files.resolve_owned(store, ALICE, key, raw)


def test_a_symlink_out_of_the_users_folder_is_refused(store: Path):
    (store / ALICE / "link").symlink_to(store / BOB)
    with pytest.raises(files.Refused):
        files.resolve_owned(store, ALICE, f"{ALICE}/link/e1/transcript.json")


@pytest.mark.parametrize("user", ["", ".", "..", "a/b"])
def test_a_user_without_a_proper_id_gets_nothing(store: Path, user: str):
    with pytest.raises(files.Refused):
        files.resolve_owned(store, user, f"{ALICE}/e1/transcript.json")
