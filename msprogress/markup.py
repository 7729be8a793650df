"""Text from data or links, made safe for the two markups the app draws with.

NOTE: Streamlit renders captions, notices, table cells (`st.table`) and `st.markdown` as
Markdown: a typed search like `![x](http://host/p.png)` would become an image fetched from
the internet, a link a clickable one. Every piece of user or source text that goes into
Markdown passes through `md_escape` (each ASCII punctuation mark backslash-escaped, which
CommonMark shows as the mark itself); a value from a link is shown as code (`md_code`), the one
form GFM never turns into a link. Plotly text is HTML-like: `plotly_text` escapes it.
"""

from __future__ import annotations

import html
import re

MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def md_escape(text: str) -> str:
    """`text` as Markdown that renders as typed: no image, HTML, emphasis or maths.

    NOTE: GFM still turns a bare address (http://…, www.…) into a link after parsing, escaped
    or not; text a link can carry (the search) is therefore shown with `md_code` instead."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


def plotly_text(text: str) -> str:
    """`text` for a plotly title or annotation, whose pseudo-HTML would draw `<a href>` links."""
    return html.escape(text, quote=False)


def md_code(text: str, limit: int = 40) -> str:
    """A value echoed back to the user: clipped to `limit` characters, shown as inline code."""
    clipped = text if len(text) <= limit else text[: limit - 1] + "…"
    clipped = clipped.replace("`", "'").replace("\n", " ")
    return f"`{clipped}`" if clipped.strip() else "(empty)"
