"""Make Chainlit's page load with no internet.

Chainlit's built `index.html` links Google Fonts (dropped by `"custom_fonts": []` in
`public/theme.json`), preconnects to the fonts hosts, and loads a KaTeX stylesheet from a CDN even
when LaTeX is off. Offline, that stylesheet would hold the first paint until the request fails.
`strip_external` removes every such link; `install` wraps Chainlit's page builder with it.
The browser test checks that the page makes no request off the local server.
"""

from __future__ import annotations

import re
from typing import Any

# <link ...> tags (possibly spread over several lines) whose href is off-site.
_EXTERNAL_LINK = re.compile(r"<link\b[^>]*\bhref=\"https?://[^\"]*\"[^>]*/?>\s*", re.IGNORECASE | re.DOTALL)


def strip_external(html: str) -> str:
    return _EXTERNAL_LINK.sub("", html)


def install() -> None:
    import chainlit.server as server

    original = server.get_html_template
    if getattr(original, "_offline", False):
        return

    def offline_html_template(*args: Any, **kwargs: Any) -> str:
        return strip_external(original(*args, **kwargs))

    offline_html_template._offline = True  # type: ignore[attr-defined]
    server.get_html_template = offline_html_template
