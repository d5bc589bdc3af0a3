"""The browser app's plain modules: Markdown views, charts, sign-in, settings and the offline page.
None of these import Chainlit."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import plotly.graph_objects as go
import pytest

from agent.models import Evidence, Scorecard, Transcript
from agent.offline.scorer import score
from agent.plan import load_persona
from agent.web import auth, charts, offline_page, settings, views
from tests.conftest import ROOT
from tests.helpers import run_interview

HOSTILE = (
    '<script>alert("x")</script> <img src=x onerror=alert(1)> ![t](http://evil.test/p.png) [l](http://evil.test) # H'
)


def _card_and_transcript(lines: list[str] | None = None) -> tuple[Scorecard, Transcript]:
    convo = run_interview("board_member", lines)
    transcript = convo.transcript()
    return score(transcript), transcript


def test_inert_text_cannot_make_html_links_images_or_headings():
    out = views.inert(HOSTILE)
    assert "<" not in out.replace("\\<", "")
    assert "![" not in out and "](" not in out.replace("\\](", "")
    assert out.startswith("\\<script\\>")
    assert "\\#" in out
    # every escaped character is ASCII punctuation, which CommonMark shows literally after a backslash
    assert re.sub(r"\\(.)", r"\1", out) == HOSTILE


def test_scorecard_has_three_criteria_evidence_deal_breakers_worries_and_coaching():
    card, transcript = _card_and_transcript()
    md = views.scorecard_markdown(card, transcript)
    for label in ("Humility", "Curiosity", "Asked for the job"):
        assert f"| {label} |" in md and f"**{label}: " in md
    assert "| Criterion | Score | Note |" in md  # every column has a header
    assert "### Deal-breakers" in md and "### The interviewer's worries" in md and "### Coaching" in md
    assert "(turn " in md  # evidence is tied to turns
    assert f"{card.criteria.humility.score}/5" in md
    assert views.OUTCOMES[card.criteria.asked_for_job.outcome] in md
    assert "Alder Freight" in md and load_persona("board_member").name in md


def test_candidate_html_in_evidence_is_escaped_in_the_scorecard():
    lines = [
        "At Corvid my team rebuilt planning and the credit goes to them. " + HOSTILE,
        "Would you feel confident recommending me for the next conversation?",
    ]
    card, transcript = _card_and_transcript(lines)
    card.criteria.humility.evidence.insert(0, Evidence(turn=1, quote=HOSTILE))
    md = views.scorecard_markdown(card, transcript)
    quoted = next(line for line in md.splitlines() if "script" in line)
    inner = quoted[quoted.index("“") + 1 : quoted.rindex("”")]
    assert re.search(r"(?<!\\)[<>\[\]!#]", inner) is None  # every markup character is escaped
    assert re.sub(r"\\(.)", r"\1", inner) == HOSTILE  # and the reader still sees exactly what was typed


def test_profile_description_speaks_to_the_candidate_and_operator_detail_goes_to_the_settings_help():
    persona = load_persona("ceo")
    text = views.profile_description(persona)
    assert persona.name in text and "OPENAI_API_KEY" not in text and "make run" not in text
    assert "nothing you type leaves" in views.operator_help(settings.EngineInfo("offline", None))
    assert "language model" in views.operator_help(settings.EngineInfo("openai", "m"))


def test_engine_line_says_how_to_switch_both_ways(monkeypatch):
    assert settings.engine_info().engine == "offline"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("MOCK_INTERVIEW_MODEL", "gpt-test")
    info = settings.engine_info()
    assert info.is_llm and "gpt-test" in info.describe() and "Unset `OPENAI_API_KEY`" in info.describe()


def test_database_url_defaults_to_sqlite_under_home_and_honours_overrides(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("MOCK_INTERVIEW_DB", raising=False)
    monkeypatch.setenv("MOCK_INTERVIEW_HOME", str(tmp_path))
    assert settings.database_url() == f"sqlite+aiosqlite:///{tmp_path / 'mock-interview.db'}"
    monkeypatch.setenv("MOCK_INTERVIEW_DB", str(tmp_path / "other.db"))
    assert settings.database_url().endswith("/other.db")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/mi")
    assert settings.database_url() == "postgresql+asyncpg://u:p@db:5432/mi"


def test_progress_summary_and_figures():
    rows = [
        {
            "createdAt": "2026-01-01T00:00:00",
            "persona": "ceo",
            "company": "A",
            "humility": 2,
            "curiosity": 3,
            "askedForJob": 1,
        },
        {
            "createdAt": "2026-02-01T00:00:00",
            "persona": "board_member",
            "company": "B",
            "humility": 4,
            "curiosity": 3,
            "askedForJob": 5,
        },
    ]
    text = views.progress_markdown(rows)
    assert "2 complete interviews" in text and "humility 2→4 (+2)" in text and "asking for the job 1→5 (+4)" in text
    assert "No scored interviews yet" in views.progress_markdown([])
    fig = charts.progress_figure(rows)
    assert [t.name for t in fig.data] == ["Humility", "Curiosity", "Asked for the job"]
    assert list(fig.data[0].y) == [2, 4]
    assert list(fig.data[0].x) == ["2026-01-01T00:00:00", "2026-02-01T00:00:00"]  # by date, not by count
    assert fig.layout.xaxis.type == "date"
    assert "Board member" in fig.data[0].customdata[1] or "board member" in fig.data[0].customdata[1]


def test_scorecard_figure_plots_the_three_scores_on_the_rubric_scale():
    card, _ = _card_and_transcript()
    fig = charts.scorecard_figure(card)
    bars = dict(zip(fig.data[0].y, fig.data[0].x, strict=True))
    assert bars == {
        "Humility": card.criteria.humility.score,
        "Curiosity": card.criteria.curiosity.score,
        "Asked for the job": card.criteria.asked_for_job.score,
    }
    assert tuple(fig.layout.xaxis.tickvals) == (0, 1, 2, 3, 4, 5)
    assert "http" not in json.dumps(fig.to_plotly_json(), default=str)  # nothing to fetch
    # The page gets the spec as built (not re-validated); Plotly accepts every property of it as it is.
    spec = charts.scorecard_spec(card)
    assert json.loads(json.dumps(spec)) == spec
    assert go.Figure(spec, skip_invalid=False).to_plotly_json()["layout"]["height"] == 260


def test_users_from_env_and_file_check_passwords(tmp_path):
    path = tmp_path / "users.txt"
    path.write_text(f"# team\ncarol:{auth.hash_password('c-pw', iterations=1000)}\n\n")
    users = auth.load_users({"MOCK_INTERVIEW_USERS": "alice:a-pw, bob:b:pw", "MOCK_INTERVIEW_USERS_FILE": str(path)})
    assert users is not None
    assert users.check("alice", "a-pw") and not users.check("alice", "b-pw")
    assert users.check("bob", "b:pw")  # a password may hold a colon
    assert users.check("carol", "c-pw") and not users.check("carol", "nope")
    assert not users.check("mallory", "a-pw") and not users.check("alice", "é")
    assert auth.load_users({}) is None


def test_bad_users_config_names_the_entry_but_never_the_password(tmp_path):
    with pytest.raises(auth.AuthConfigError) as err:
        auth.parse_users("alice:secret-one,justaname")
    assert "entry 2" in str(err.value) and "secret-one" not in str(err.value)
    with pytest.raises(auth.AuthConfigError, match="cannot read"):
        auth.load_users({"MOCK_INTERVIEW_USERS_FILE": str(tmp_path / "missing")})


def test_oauth_domain_allowlist():
    assert auth.oauth_domain_allowed("a@x.com", {})
    env = {"MOCK_INTERVIEW_OAUTH_DOMAINS": "example.com, @corp.test"}
    assert auth.oauth_domain_allowed("a@corp.test", env) and not auth.oauth_domain_allowed("a@x.com", env)


def test_auth_secret_is_generated_once_into_a_private_file(monkeypatch, tmp_path):
    monkeypatch.delenv("CHAINLIT_AUTH_SECRET", raising=False)
    first = auth.ensure_auth_secret(tmp_path / "var")
    path = tmp_path / "var" / auth.SECRET_FILE
    assert len(first) >= 40 and path.read_text().strip() == first
    assert path.stat().st_mode & 0o077 == 0
    monkeypatch.delenv("CHAINLIT_AUTH_SECRET")
    assert auth.ensure_auth_secret(tmp_path / "var") == first  # stable across restarts: sessions survive
    monkeypatch.setenv("CHAINLIT_AUTH_SECRET", "from-env")
    assert auth.ensure_auth_secret(tmp_path / "elsewhere") == "from-env"


def test_hash_command_reads_stdin_and_prints_a_checkable_hash():
    proc = subprocess.run(
        [sys.executable, "-m", "agent.web.auth", "hash"], input="pw\n", capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0
    assert auth.Users({"u": proc.stdout.strip()}).check("u", "pw")


def test_offline_page_drops_every_external_link():
    html = (
        '<head><link rel="preconnect" href="https://fonts.googleapis.com" />\n'
        '<link\n  href="https://fonts.googleapis.com/css2?family=Inter"\n  rel="stylesheet"\n/>\n'
        '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/katex@0.16.22/dist/katex.min.css" />\n'
        '<link rel="stylesheet" crossorigin href="/assets/index.css"></head>'
    )
    out = offline_page.strip_external(html)
    assert "https://" not in out and 'href="/assets/index.css"' in out


def test_the_web_package_does_not_import_chainlit():
    code = (
        "import sys; import agent.web.views, agent.web.charts, agent.web.auth, agent.web.settings, "
        "agent.web.persistence, agent.web.history, agent.web.offline_page, agent.web.files; "
        "print('chainlit' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "False", proc.stderr


def test_every_speaker_has_a_local_picture():
    from agent.models import PERSONAS
    from tests.conftest import ROOT

    for name in [load_persona(p).name for p in PERSONAS] + ["Coach"]:
        assert (ROOT / views.avatar_url(name).lstrip("/")).is_file(), name
    theme = json.loads((ROOT / "public" / "theme.json").read_text())
    assert theme["custom_fonts"] == []  # no web-font link in the page


def test_config_keeps_candidate_text_inert():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]

    from tests.conftest import ROOT

    config = tomllib.loads((ROOT / ".chainlit" / "config.toml").read_text())
    features = config["features"]
    assert features["unsafe_allow_html"] is False and features["user_message_markdown"] is False
    assert features["latex"] is False and features["auto_tag_thread"] is False
    assert config["meta"]["generated_by"] == "2.12.0"


def test_one_interview_is_not_progress_and_interviews_cut_short_are_kept_apart():
    one = [{"createdAt": "2026-01-01T00:00:00", "persona": "ceo", "humility": 2, "curiosity": 2, "askedForJob": 2}]
    text = views.progress_markdown(one)
    assert "2→2" not in text and "One complete interview" in text and "trend" in text
    rows = [
        {"createdAt": f"2026-01-0{d}T00:00:00", "persona": "ceo", "role": "COO", "company": "A",
         "humility": h, "curiosity": 3, "askedForJob": a, "complete": c}
        for d, h, a, c in ((1, 2, 2, True), (2, 3, 1, False), (3, 3, 4, True), (4, 4, 5, True))
    ]
    text = views.progress_markdown(rows)
    assert "3 complete interviews" in text and "1 interview ended before the close" in text
    assert "asking for the job 2→5" in text  # the early-ended 1/5 is not part of the trend
    fig = charts.progress_figure(rows)
    names = [t.name for t in fig.data]
    assert "ended early (not in the trend)" in names
    hollow = next(t for t in fig.data if t.name == "ended early (not in the trend)")
    assert list(hollow.x) == ["2026-01-02T00:00:00"]
    trends = [t for t in fig.data if (t.name or "").endswith("trend") and t.line.dash == "dash"]
    assert len(trends) == 3  # one per criterion
    humility = next(t for t in fig.data if t.name == "Humility")
    assert list(humility.y) == [2, 3, 4]


def test_charts_read_in_both_themes_and_have_no_toolbar():
    card, _ = _card_and_transcript()
    fig = charts.scorecard_figure(card)
    assert fig.layout.font.color == charts.NEUTRAL and fig.data[0].textposition == "outside"
    assert fig.layout.paper_bgcolor == "rgba(0,0,0,0)"
    css = (ROOT / "public" / "mock-interview.css").read_text()
    assert "hsl(var(--foreground))" in css and ".modebar-container" in css


def test_an_empty_setup_says_what_it_will_use_instead():
    from agent.models import Context

    assert views.stand_ins(Context()) == ["company", "industry", "role"]
    values = {"role": "VP", "company": "H", "industry": "i"}
    header = views.interview_header(load_persona("ceo"), values, 3, ["company"])
    assert "No company set" in header and "stand-in" in header
    welcome = views.welcome(load_persona("ceo"), {})
    assert "No company or role set" in welcome and "Halden" in welcome
    assert "Alder" in views.welcome(load_persona("ceo"), {"company": "Alder", "role": "COO"})
