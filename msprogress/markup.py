"""Text from data or links, made safe for the markups the app draws with: the one mechanism.

Every value that comes from a URL, a member file, a registry export or a reference file and is
put into Markdown, HTML or a plotly text passes through one of the functions here, chosen by
where it goes:

- `md_escape`: Markdown (captions, notices, `st.markdown`, metric labels and help, `st.table`
  cells). Streamlit renders these as GitHub-flavoured Markdown: a typed `![x](http://host/p.png)`
  would become an image fetched from the internet, a link a clickable one. Each ASCII
  punctuation mark is backslash-escaped (CommonMark shows it as the mark itself), and the bare
  addresses GFM would turn into links *after* parsing (`http://…`, `www.…`, `name@host.org`)
  get an invisible WORD JOINER (U+2060) that breaks the pattern but not the text a person reads.
- `md_code`: a value echoed back from a link ("Ignored from=`20x5`"): clipped, as inline code,
  the one Markdown form that never becomes a link, an image or HTML.
- `plotly_text`: plotly's pseudo-HTML (titles, legend names, hover texts, tick labels, annotations,
  customdata shown in a hover). `<`, `>`, `&` become
  entities, so `<a href>`, `<b>`, `<br>` show as typed; `%` becomes `&#37;`, so a `%{customdata[0]}`
  typed in a funder's name is never a template substitution (plotly substitutes before it turns
  entities back into characters); `$` becomes `&#36;`, so a value is never typeset as LaTeX.
  `plotly_texts` is the same over a column.
NOTE: a chart builder escapes data when it *puts it into text*, never the DataFrame it is given:
ids that travel back through a selection (customdata) stay as stored, and a label is measured as
typed (charts/textmetrics) and escaped when drawn.
"""

from __future__ import annotations

import html
import re

import pandas as pd

MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")
# GFM's autolink literals (mdast-util-gfm-autolink-literal): a scheme, `www.`, an e-mail address.
_AUTOLINK = re.compile(r"(?i)(https?|ftp|mailto|www)(?=\\[:.])|(?<=@)")
WORD_JOINER = "\u2060"


def md_escape(text: str) -> str:
    """`text` as Markdown that renders as typed: no image, link, HTML, emphasis or maths."""
    escaped = MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
    return _AUTOLINK.sub(lambda m: (m.group(1) or "") + WORD_JOINER, escaped)


def plotly_text(text: object) -> str:
    """`text` for any plotly text (or HTML text content): shown as typed, never markup or template."""
    return html.escape(str(text), quote=False).replace("%", "&#37;").replace("$", "&#36;")


def plotly_texts(values: pd.Series) -> pd.Series:
    """plotly_text over a column; missing values stay missing."""
    return values.map(plotly_text, na_action="ignore")


def md_code(text: str, limit: int = 40) -> str:
    """A value echoed back to the user: clipped to `limit` characters, shown as inline code."""
    clipped = text if len(text) <= limit else text[: limit - 1] + "…"
    clipped = clipped.replace("`", "'").replace("\n", " ").replace("\r", " ")
    return f"`{clipped}`" if clipped.strip() else "(empty)"


def plain(text: str) -> str:
    """Plotly text as plain text for a slide's text box: tags dropped, entities (`&lt;`, `&#37;`)
    turned back into the characters they stand for (a slide's text is not markup)."""
    return html.unescape(re.sub(r"<[^>]+>", "", text.replace("<br>", " "))).strip()
