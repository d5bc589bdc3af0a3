"""The scorecard's chart and downloads, in one fixed order, named after the interview.

`interview-<company>-<role>-<date>.html` (self-contained, opens offline), the same as `.md`, then the
transcript and scorecard as JSON. The date is the interview's own (its first turn's), so a resumed or
rebuilt scorecard names its files the same way.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from agent.models import Scorecard, Transcript
from agent.report import file_stem, render_markdown
from agent.report_html import render_html

CHART = "scores"


def file_names(transcript: Transcript, when: date | datetime | None = None) -> list[str]:
    """The element names a scorecard message carries, in the order they are shown."""
    stem = file_stem(transcript, when)
    return [CHART, f"{stem}.html", f"{stem}.md", f"{stem}-transcript.json", f"{stem}-scorecard.json"]


def downloads(
    card: Scorecard, transcript: Transcript, when: date | datetime | None = None
) -> list[tuple[str, bytes, str]]:
    """(name, bytes, mime) for each download, in order."""
    _, html_name, md_name, t_name, c_name = file_names(transcript, when)
    t_json = json.dumps(transcript.model_dump(mode="json", exclude_none=True), ensure_ascii=False, indent=2)
    c_json = json.dumps(card.to_json_dict(), ensure_ascii=False, indent=2)
    return [
        (html_name, render_html(card, transcript, when=when).encode("utf-8"), "text/html"),
        (md_name, render_markdown(card, transcript, when=when).encode("utf-8"), "text/markdown"),
        (t_name, (t_json + "\n").encode("utf-8"), "application/json"),
        (c_name, (c_json + "\n").encode("utf-8"), "application/json"),
    ]


@lru_cache(maxsize=1)
def _chart_class() -> type:
    """Chainlit's Plotly element for a chart already in Plotly JSON (`charts.scorecard_spec`): the stock
    element takes a `go.Figure` and validates it again."""
    import chainlit as cl
    from chainlit.element import Element

    class Chart(cl.Plotly):
        def __post_init__(self) -> None:
            self.mime = "application/json"
            Element.__post_init__(self)

    return Chart


def elements(card: Scorecard, transcript: Transcript, *, dark: bool = False, when: Any = None) -> list[Any]:
    import chainlit as cl

    from agent.web import charts

    spec = json.dumps(charts.scorecard_spec(card))
    out: list[Any] = [_chart_class()(name=CHART, content=spec, display="inline", size="medium")]
    for name, data, mime in downloads(card, transcript, when):
        out.append(cl.File(name=name, content=data, mime=mime, display="inline"))
    return out
