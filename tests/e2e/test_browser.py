"""The page in real headless Chromium (Debian's `chromium`, driven by Playwright): sign in, pick the
board member, set the company, answer, show that typed HTML stays inert text, end the interview, see the
scorecard and its chart. Every request off the local server is blocked and recorded: there must be none.
Screenshots go to `artifacts/browser/` (git-ignored)."""

from __future__ import annotations

# isort: off
import tests.e2e.appenv  # noqa: F401  (first: Chainlit must not touch the repository)

# isort: on
import os
import shutil
from pathlib import Path

import pytest

from tests.e2e.support import ROOT, USERS, Server
from tests.helpers import TEN_LINES

pytestmark = [pytest.mark.browser, pytest.mark.server]

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = ROOT / "artifacts" / "browser"
HOSTILE = '<script>window.__pwned = 1</script><img src="x" onerror="window.__pwned = 2"> <b>bold?</b> **stars**'


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"chromium not found at {CHROMIUM} (`make test` installs it with apt-get; it could not here)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def server(tmp_path: Path):
    srv = Server(tmp_path / "app").start()
    yield srv
    srv.stop()


def _assistant_count(page) -> int:
    return page.locator('[data-step-type="assistant_message"]').count()


_IDLE = """n => document.querySelectorAll('[data-step-type="assistant_message"]').length > n
    && !document.querySelector('#stop-button') && !!document.querySelector('#chat-submit')"""


def _wait_idle(page, before: int, timeout: float = 20_000) -> None:
    """A new assistant message has arrived and the server's task is over: the send button is back in
    place of the stop button (checked twice, so a gap between two streamed messages doesn't count)."""
    for _ in range(2):
        page.wait_for_function(_IDLE, arg=before, timeout=timeout)
        page.wait_for_timeout(150)
    page.wait_for_function(_IDLE, arg=before, timeout=timeout)


def _say(page, text: str) -> None:
    page.wait_for_function(_IDLE, arg=-1)
    before = _assistant_count(page)
    page.fill("#chat-input", text)
    page.keyboard.press("Enter")
    _wait_idle(page, before)


def test_interview_in_the_browser(browser, server: Server, tmp_path: Path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    outside: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})

    def guard(route):
        if route.request.url.startswith(server.base) or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(server.base + "/")
    page.fill("#email", "alice")
    page.fill("#password", USERS["alice"])
    page.click("button:has-text('Sign In')")
    page.wait_for_selector("#chat-profiles")

    # pick the board member; the landing page introduces them and says which engine is live
    page.click("#chat-profiles")
    page.get_by_role("option", name="The board member").click()
    page.wait_for_selector("text=Richard Okafor, Chair of the Audit Committee")
    page.wait_for_selector("text=Engine: offline.")
    page.screenshot(path=str(SHOTS / "01-landing.png"))

    # the settings: company and role
    page.click("#chat-settings-open-modal")
    page.fill("#company", "Alder Freight")
    page.fill("#role", "COO")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_selector("#company", state="detached")
    page.wait_for_timeout(500)  # the new settings travel over the socket; a person is never this quick

    before = _assistant_count(page)
    page.click("#starter-start-the-interview")
    _wait_idle(page, before)
    opening = page.locator('[data-step-type="assistant_message"]').last.inner_text()
    assert "Alder Freight" in opening

    for line in TEN_LINES[:3]:
        _say(page, line)
    page.screenshot(path=str(SHOTS / "02-interview.png"))

    # typed HTML is shown as the text it is: nothing runs, nothing is added to the page
    scripts, images = page.locator("script").count(), page.locator("img").count()
    _say(page, HOSTILE)
    mine = page.locator('[data-step-type="user_message"]').last
    assert mine.inner_text().strip() == HOSTILE
    assert mine.locator("*").evaluate_all("nodes => nodes.filter(n => /^(SCRIPT|IMG|B|STRONG)$/.test(n.tagName))") == []
    assert page.evaluate("window.__pwned") is None
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator("script").count() == scripts and page.locator("img").count() <= images + 1  # +1: avatar
    mine.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "03-html-is-inert.png"))

    # reload mid-interview: the thread resumes with every turn, and the End button comes back
    said = page.locator('[data-step-type="user_message"]').all_inner_texts()
    page.reload()
    page.wait_for_function(
        "n => document.querySelectorAll('[data-step-type=\"user_message\"]').length >= n", arg=len(said)
    )
    assert page.locator('[data-step-type="user_message"]').all_inner_texts() == said
    page.get_by_role("button", name="End interview and score").last.wait_for(timeout=10_000)
    assert page.locator("#chat-profiles").inner_text().strip() == "The board member"
    assert page.evaluate("window.__pwned") is None

    # end now: a visible scoring step, then the scorecard with its chart and downloads
    before = _assistant_count(page)
    page.get_by_role("button", name="End interview and score").last.click()
    page.wait_for_selector("text=Your scorecard", timeout=30_000)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)  # a slow CI box parses plotly slowly
    page.wait_for_selector("#stop-button", state="detached", timeout=30_000)
    assert _assistant_count(page) > before
    cards = page.locator('[data-step-type="assistant_message"]', has_text="Your scorecard").count()
    assert cards == 1, (page.locator("[data-step-type]").all_inner_texts(), server.log())
    page.get_by_text("Scoring the interview").first.wait_for(timeout=15_000)  # the visible scoring step
    for name in ("interview-report.md", "transcript.json", "scorecard.json"):
        page.get_by_text(name).first.wait_for(timeout=15_000)
    page.get_by_role("button", name="Practice again").first.wait_for(timeout=15_000)
    card = page.locator('[data-step-type="assistant_message"]', has_text="Your scorecard").last
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "04-scorecard.png"))
    page.locator(".js-plotly-plot").last.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "05-chart.png"))
    page.set_viewport_size({"width": 1280, "height": 2400})  # the whole scorecard in one picture
    page.wait_for_timeout(500)
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "06-scorecard-tall.png"))

    # progress over time, charted from the saved scorecards
    page.set_viewport_size({"width": 1280, "height": 900})
    before = _assistant_count(page)
    page.get_by_role("button", name="My progress over time").last.click()
    page.wait_for_selector("text=Your progress over 1 scored interview", timeout=20_000)
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 2", timeout=20_000)
    assert _assistant_count(page) > before
    page.screenshot(path=str(SHOTS / "07-progress.png"))

    assert page.evaluate("window.__pwned") is None
    assert not outside, f"the page tried to reach outside: {outside}"
    assert not errors, errors
    context.close()
