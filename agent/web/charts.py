"""Plotly figures for the scorecard and for progress over time.

Plain functions returning `go.Figure`s (tested without a browser). Figures use the system font stack and
no map or math features, so the browser fetches nothing from outside to draw them. Text and grid colours
follow the page's light or dark theme through `public/mock-interview.css` (Plotly writes them inline, the
stylesheet sets them from the theme's variables); the colours set here are a mid grey that reads on
both backgrounds wherever that stylesheet is absent. No toolbar: `displayModeBar` is off.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from agent.models import Scorecard
from agent.plan import load_persona
from agent.report import ask_note

if TYPE_CHECKING:
    import plotly.graph_objects as go

NEUTRAL = "#7d8790"  # readable on white and on near-black alike
_FONT = dict(family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size=13, color=NEUTRAL)
_COLORS = {"humility": "#2f8f94", "curiosity": "#d08a3a", "asked_for_job": "#7a6fd0"}
_LABELS = {"humility": "Humility", "curiosity": "Curiosity", "asked_for_job": "Asked for the job"}
_ROW_KEYS = {"humility": "humility", "curiosity": "curiosity", "asked_for_job": "askedForJob"}
_SYMBOLS = {"ceo": "circle", "board_member": "diamond"}
GRID = "rgba(128,128,128,0.25)"


_LAYOUT = {
    "font": _FONT,
    "margin": {"l": 10, "r": 20, "t": 50, "b": 30},
    "paper_bgcolor": "rgba(0,0,0,0)",
    "plot_bgcolor": "rgba(0,0,0,0)",
    "modebar": {"remove": ["zoom", "pan", "select", "lasso", "zoomIn", "zoomOut", "autoScale", "resetScale"]},
}


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(title=dict(text=title, x=0, font=dict(size=15, color=NEUTRAL)), height=height, **_LAYOUT)
    fig.update_xaxes(gridcolor=GRID, zerolinecolor=GRID, linecolor=GRID)
    fig.update_yaxes(gridcolor=GRID, zerolinecolor=GRID, linecolor=GRID)
    return fig


def scorecard_spec(card: Scorecard) -> dict:
    """The scorecard chart as plain Plotly JSON: the three criteria as horizontal bars on the rubric's 1-5
    scale, the score beside each bar. Built as data, not through `go.Figure`: Plotly's validation was most
    of what scoring cost a worker (every interview ends with this chart); a test checks Plotly accepts it."""
    keys = ["asked_for_job", "curiosity", "humility"]  # bottom to top: humility reads first
    crits = card.criteria
    scores = [getattr(crits, k).score for k in keys]
    text = [f"{s}/5" for s in scores]
    text[0] += f" ({ask_note(card)})"
    title = "Scores (1-5)" + (" · incomplete interview" if card.complete is False else "")
    axis = {"gridcolor": GRID, "zerolinecolor": GRID, "linecolor": GRID}
    return {
        "data": [
            {
                "type": "bar",
                "x": scores,
                "y": [_LABELS[k] for k in keys],
                "orientation": "h",
                "marker": {"color": [_COLORS[k] for k in keys]},
                "text": text,
                "textposition": "outside",
                "cliponaxis": False,
                "hovertemplate": "%{y}: %{x}/5<extra></extra>",
            }
        ],
        "layout": {
            **_LAYOUT,
            "title": {"text": title, "x": 0, "font": {"size": 15, "color": NEUTRAL}},
            "height": 260,
            "autosize": True,
            "xaxis": {**axis, "range": [0, 7.2], "tickvals": [0, 1, 2, 3, 4, 5], "title": {"text": None}},
            "yaxis": axis,
        },
    }


def scorecard_figure(card: Scorecard) -> go.Figure:
    import plotly.graph_objects as go  # only here and in progress_figure: the scorecard's page needs no Plotly

    return go.Figure(scorecard_spec(card))


def _day(row: dict) -> str:
    return str(row.get("createdAt") or "")[:19]


def _who(row: dict) -> str:
    persona = load_persona(row["persona"]).label if row.get("persona") in _SYMBOLS else str(row.get("persona"))
    role = row.get("role") or "role not set"
    company = row.get("company") or ""
    return f"{persona} · {role}" + (f" at {company}" if company else "")


def trend(xs: list[float], ys: list[float]) -> tuple[float, float] | None:
    """Least-squares slope and intercept, or None with fewer than two distinct x."""
    if len(set(xs)) < 2:
        return None
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    var = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var
    return slope, my - slope * mx


def _ts(row: dict) -> float:
    try:
        return datetime.fromisoformat(str(row["createdAt"]).replace("Z", "+00:00")).timestamp()
    except (KeyError, ValueError):
        return 0.0


def progress_figure(rows: list[dict]) -> go.Figure:
    """Scores by date, one line per criterion over complete interviews, a dashed trend per criterion
    (from three complete interviews on), and interviews ended before the close as hollow markers apart."""
    done = [r for r in rows if r.get("complete") is not False]
    cut = [r for r in rows if r.get("complete") is False]
    import plotly.graph_objects as go

    fig = go.Figure()
    for key, label in _LABELS.items():
        col = _ROW_KEYS[key]
        fig.add_trace(
            go.Scatter(
                x=[_day(r) for r in done],
                y=[r[col] for r in done],
                mode="lines+markers",
                name=label,
                legendgroup=key,
                line=dict(color=_COLORS[key], width=2),
                marker=dict(size=9, symbol=[_SYMBOLS.get(r["persona"], "circle") for r in done]),
                customdata=[_who(r) for r in done],
                hovertemplate=f"{label}: %{{y}}/5<br>%{{x|%d %b %Y}}<br>%{{customdata}}<extra></extra>",
            )
        )
        fit = trend([_ts(r) for r in done], [float(r[col]) for r in done]) if len(done) >= 3 else None
        if fit:
            slope, icpt = fit
            ends = [done[0], done[-1]]
            fig.add_trace(
                go.Scatter(
                    x=[_day(r) for r in ends],
                    y=[min(5.0, max(1.0, slope * _ts(r) + icpt)) for r in ends],
                    mode="lines",
                    name=f"{label} trend",
                    legendgroup=key,
                    showlegend=False,
                    line=dict(color=_COLORS[key], width=1.5, dash="dash"),
                    hoverinfo="skip",
                )
            )
        if cut:
            fig.add_trace(
                go.Scatter(
                    x=[_day(r) for r in cut],
                    y=[r[col] for r in cut],
                    mode="markers",
                    name="ended early (not in the trend)",
                    legendgroup=key,
                    showlegend=key == "humility",
                    marker=dict(size=9, color="rgba(0,0,0,0)", line=dict(color=_COLORS[key], width=2)),
                    customdata=[_who(r) for r in cut],
                    hovertemplate=f"{label}: %{{y}}/5 (ended before the close)<br>%{{x|%d %b %Y}}<br>"
                    "%{customdata}<extra></extra>",
                )
            )
    fig.update_xaxes(title=None, type="date", tickformat="%d %b")
    fig.update_yaxes(range=[0.5, 5.5], dtick=1, title="score")
    fig.update_layout(legend=dict(orientation="h", y=-0.2))
    return _layout(fig, "Your scores over time", 340)
