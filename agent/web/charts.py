"""Plotly figures for the scorecard and for progress over time.

Plain functions returning `go.Figure`s (tested without a browser). Figures use the system font
stack and no map or math features, so the browser fetches nothing from outside to draw them.
"""

from __future__ import annotations

import plotly.graph_objects as go

from agent.models import Scorecard

_FONT = dict(family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size=13)
_COLORS = {"humility": "#2f6f73", "curiosity": "#c77d2e", "asked_for_job": "#5a4fb0"}
_LABELS = {"humility": "Humility", "curiosity": "Curiosity", "asked_for_job": "Asked for the job"}
_ROW_KEYS = {"humility": "humility", "curiosity": "curiosity", "asked_for_job": "askedForJob"}


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, x=0, font=dict(size=15)),
        font=_FONT,
        height=height,
        margin=dict(l=10, r=20, t=50, b=30),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
    )
    return fig


def scorecard_figure(card: Scorecard) -> go.Figure:
    """The three criteria as horizontal bars on the rubric's 1-5 scale."""
    keys = ["asked_for_job", "curiosity", "humility"]  # bottom to top: humility reads first
    crits = card.criteria
    scores = [getattr(crits, k).score for k in keys]
    text = [f"{s}/5" for s in scores]
    text[0] += f" ({crits.asked_for_job.outcome.replace('_', ' ')})"
    fig = go.Figure(
        go.Bar(
            x=scores,
            y=[_LABELS[k] for k in keys],
            orientation="h",
            marker_color=[_COLORS[k] for k in keys],
            text=text,
            textposition="auto",
            hovertemplate="%{y}: %{x}/5<extra></extra>",
        )
    )
    fig.update_xaxes(range=[0, 5], dtick=1, title=None, gridcolor="rgba(128,128,128,0.25)")
    return _layout(fig, "Scores (1-5)", 260)


def progress_figure(rows: list[dict]) -> go.Figure:
    """One line per criterion across the user's scored interviews, oldest first."""
    x = list(range(1, len(rows) + 1))
    hover = [f"{r['createdAt'][:10]} · {r['persona'].replace('_', ' ')} · {r.get('company') or ''}" for r in rows]
    fig = go.Figure()
    for key, label in _LABELS.items():
        fig.add_trace(
            go.Scatter(
                x=x,
                y=[r[_ROW_KEYS[key]] for r in rows],
                mode="lines+markers",
                name=label,
                line=dict(color=_COLORS[key], width=2),
                customdata=hover,
                hovertemplate=f"{label}: %{{y}}/5<br>%{{customdata}}<extra></extra>",
            )
        )
    fig.update_xaxes(title="interview", dtick=1)
    fig.update_yaxes(range=[0.5, 5.5], dtick=1, title="score")
    fig.update_layout(legend=dict(orientation="h", y=-0.25))
    return _layout(fig, "Your scores over time", 320)
