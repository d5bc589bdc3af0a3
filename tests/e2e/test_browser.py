"""The page in real headless Chromium (Debian's `chromium`, driven by Playwright): sign in, pick the
board member, set the company, answer, show that typed HTML stays inert text, end the interview, see the
scorecard and its chart. Every request off the local server is blocked and recorded: there must be none.
Screenshots go to `artifacts/browser/` (git-ignored)."""

from __future__ import annotations

# isort: off
import tests.e2e.appenv  # noqa: F401  (first: Chainlit must not touch the repository)

# isort: on
import os
import re
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


def _guarded_page(context, server: Server):
    """A page that may fetch only from the app (anything else is aborted and listed), and its JS errors."""
    outside: list[str] = []
    errors: list[str] = []

    def guard(route):
        if route.request.url.startswith(server.base) or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, outside, errors


def test_interview_in_the_browser(browser, server: Server, tmp_path: Path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page, outside, errors = _guarded_page(context, server)

    page.goto(server.base + "/")
    page.fill("#email", "alice")
    page.fill("#password", USERS["alice"])
    page.click("button:has-text('Sign In')")
    page.wait_for_selector("#chat-profiles")

    # pick the board member; the landing page introduces them and says which engine is live
    page.click("#chat-profiles")
    page.get_by_role("option", name="The board member").click()
    page.wait_for_selector("text=Practise the interview that decides an executive hire")
    assert page.get_by_text("LLMs can make mistakes").count() == 0
    page.screenshot(path=str(SHOTS / "01-landing.png"))

    # the settings: company and role
    page.click("#chat-settings-open-modal")
    page.fill("#company", "Alder Freight")
    page.fill("#role", "COO")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_selector("#company", state="detached")
    page.wait_for_timeout(500)  # the new settings travel over the socket; a person is never this quick

    before = _assistant_count(page)
    page.get_by_role("button", name="Start the interview").last.click()
    _wait_idle(page, before)
    opening = page.locator('[data-step-type="assistant_message"]').last.inner_text()
    assert page.locator('[data-step-type="user_message"]').count() == 0  # no fake "I'm ready" bubble
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
    assert page.get_by_text("Used Scoring").count() == 0
    for suffix in (".html", ".md", "-transcript.json", "-scorecard.json"):
        page.get_by_text(re.compile(r"interview-alder-freight-coo-\d{4}-\d\d-\d\d" + re.escape(suffix))).first.wait_for(
            timeout=15_000
        )
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
    page.wait_for_selector("text=ended before the close", timeout=20_000)
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 2", timeout=20_000)
    assert _assistant_count(page) > before
    page.screenshot(path=str(SHOTS / "07-progress.png"))

    assert page.evaluate("window.__pwned") is None
    assert not outside, f"the page tried to reach outside: {outside}"
    assert not errors, errors
    context.close()


def _login(page, server: Server) -> None:
    page.goto(server.base + "/")
    page.fill("#email", "alice")
    page.fill("#password", USERS["alice"])
    page.click("button:has-text('Sign In')")
    page.wait_for_selector("#chat-profiles")


def _click_and_wait(page, name: str, timeout: float = 30_000) -> None:
    page.wait_for_function(_IDLE, arg=-1)
    before = _assistant_count(page)
    page.get_by_role("button", name=name).last.click()
    _wait_idle(page, before, timeout)


_CHART_COLOURS = """() => {
  const text = document.querySelector('.js-plotly-plot .main-svg .ytick text, .js-plotly-plot .main-svg text');
  let el = text.closest('.js-plotly-plot'), bg = 'rgba(0, 0, 0, 0)';
  while (el && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent')) {
    bg = getComputedStyle(el).backgroundColor; el = el.parentElement;
  }
  if (bg === 'rgba(0, 0, 0, 0)') bg = getComputedStyle(document.body).backgroundColor;
  return [getComputedStyle(text).fill, bg];
}"""


def _rgb(css: str) -> tuple[float, ...]:
    return tuple(float(v) for v in re.findall(r"[\d.]+", css)[:3])


def _contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    def lum(c):
        ch = [v / 255 for v in c]
        ch = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in ch]
        return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_practice_loop_settings_incomplete_reports_and_dark_mode(browser, server: Server, tmp_path: Path):
    """One walk for issue 10: settings carried into a second interview; an interview ended early shown as
    incomplete and kept apart in progress; an answer redone from the review with before/after; the HTML
    report downloaded and opened offline; dark mode with a legible chart; a clean server log."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark", accept_downloads=True)
    context.add_init_script("localStorage.setItem('vite-ui-theme', 'dark')")
    page, outside, errors = _guarded_page(context, server)
    _login(page, server)
    page.wait_for_selector("text=Practise the interview that decides an executive hire")

    # settings, confirmed
    page.click("#chat-settings-open-modal")
    page.fill("#company", "Alder Freight")
    page.fill("#role", "COO")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_selector("#company", state="detached")
    page.wait_for_selector("text=Settings saved for COO at Alder Freight", timeout=15_000)
    page.screenshot(path=str(SHOTS / "10-settings-saved.png"))

    # a short interview, ended early: incomplete, "close not reached"
    _click_and_wait(page, "Short practice (2 topics)")
    _say(page, TEN_LINES[0])
    page.get_by_role("button", name="End interview and score").last.click()
    page.wait_for_selector("text=Incomplete interview", timeout=30_000)
    page.wait_for_selector("text=Answer by answer", timeout=30_000)
    page.wait_for_selector("#stop-button", state="detached", timeout=30_000)
    assert page.get_by_text("close not reached").count() >= 1
    card = page.locator('[data-step-type="assistant_message"]', has_text="Your scorecard").last
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "11-incomplete-scorecard.png"))

    # dark mode: the chart's text is legible against what is behind it
    page.wait_for_selector(".js-plotly-plot .main-svg text", timeout=60_000)
    assert page.evaluate("document.documentElement.classList.contains('dark')")
    fill, bg = page.evaluate(_CHART_COLOURS)
    assert _contrast(_rgb(fill), _rgb(bg)) >= 4.5, (fill, bg)
    assert page.locator(".modebar-container:visible").count() == 0  # no Plotly toolbar
    page.locator(".js-plotly-plot").last.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "12-dark-chart.png"))

    # the HTML report, downloaded and opened with the network cut off
    with page.expect_download() as dl:
        page.get_by_text(re.compile(r"interview-alder-freight-coo-.*\.html$")).first.click()
    report = tmp_path / dl.value.suggested_filename
    dl.value.save_as(report)
    assert re.fullmatch(r"interview-alder-freight-coo-\d{4}-\d\d-\d\d\.html", report.name)
    offline = browser.new_context(offline=True, color_scheme="dark")
    fetched: list[str] = []
    offline.route("**/*", lambda r: (fetched.append(r.request.url), r.continue_()))
    rp = offline.new_page()
    rp.goto(report.as_uri())
    assert rp.locator("h1").inner_text().startswith("Mock interview: COO at Alder Freight")
    assert rp.get_by_text("close not reached").count() >= 1 and rp.locator("svg rect").count() == 3
    assert [u for u in fetched if not u.startswith("file:")] == []
    rp.screenshot(path=str(SHOTS / "13-html-report-offline.png"), full_page=True)
    offline.close()

    # redo an answer from the review: the question again, the new answer, before and after side by side
    _click_and_wait(page, "Try answer 1 again")
    page.wait_for_selector("text=Let's take that one again.")
    _say(
        page,
        "I'd stay because the work matters: at Corvid I stayed six years, and my team deserves the credit "
        "for what we built together. I'd want to learn how the board sees the next five years.",
    )
    page.wait_for_selector("text=Before and after", timeout=20_000)
    table = page.locator('[data-step-type="assistant_message"]', has_text="Before and after").last
    assert "Before" in table.inner_text() and "After" in table.inner_text()
    table.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "14-before-after.png"))

    # progress: the cut-short interview is kept apart
    _click_and_wait(page, "My progress over time")
    page.wait_for_selector("text=ended before the close", timeout=20_000)
    page.screenshot(path=str(SHOTS / "15-progress-apart.png"))

    # a second interview, from "Practice again": a new thread with the same settings
    first_url = page.url
    page.get_by_role("button", name="Practice again").last.click()
    page.wait_for_selector("text=You are set up for COO at Alder Freight", timeout=20_000)
    assert page.url != first_url or "/thread/" not in page.url
    page.click("#chat-settings-open-modal")
    assert page.input_value("#company") == "Alder Freight" and page.input_value("#role") == "COO"
    page.keyboard.press("Escape")
    _click_and_wait(page, "Start the interview")
    assert "Alder Freight" in page.locator('[data-step-type="assistant_message"]').last.inner_text()
    page.screenshot(path=str(SHOTS / "16-second-interview.png"))

    # the sidebar names interviews by persona, company and date
    assert (
        page.get_by_text(re.compile(r"The board member · Alder Freight · \d")).count() >= 1
        or page.get_by_text(re.compile(r"The CEO · Alder Freight · \d")).count() >= 1
    )

    assert not outside, outside
    assert not errors, errors
    context.close()
    log = (server.app_root / "server.log").read_text(errors="replace")
    bad = [line for line in log.splitlines() if re.search(r"WARNING|Traceback|ERROR|not found", line, re.I)]
    assert not bad, "\n".join(bad[:20])
