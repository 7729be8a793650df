"""The one escaping mechanism (msprogress/markup.py) on the payload corpus of tests/bad_inputs/
payloads.csv: what each function returns keeps every payload as text. The browser test
(tests/browser/test_payloads_browser.py) checks the same payloads as a browser renders them."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

from msprogress.charts import funding, pipeline
from msprogress.markup import WORD_JOINER, md_code, md_escape, plotly_text, plotly_texts

CORPUS = Path(__file__).parent / "bad_inputs"
with (CORPUS / "payloads.csv").open(encoding="utf-8", newline="") as fh:
    PAYLOADS = {r["id"]: r["payload"] for r in csv.DictReader(fh)}
# GFM's post-parse autolink patterns (mdast-util-gfm-autolink-literal)
AUTOLINK = re.compile(r"(https?://|www(?=\.))[-.\w]+|[-.\w+]+@[-\w]+(\.[-\w]+)+", re.IGNORECASE)


@pytest.mark.parametrize("pid", PAYLOADS)
def test_md_escape_leaves_no_markup_and_no_autolink(pid: str) -> None:
    out = md_escape(PAYLOADS[pid])
    unescaped = re.sub(r"\\(.)", r"\1", out)  # what CommonMark shows
    assert unescaped.replace(WORD_JOINER, "") == PAYLOADS[pid]  # shown as typed
    assert not AUTOLINK.search(unescaped), out
    assert not re.search(r"(?<!\\)[\[\]()<>*_`!$]", out), out


@pytest.mark.parametrize("pid", PAYLOADS)
def test_plotly_text_leaves_no_tag_template_or_latex(pid: str) -> None:
    out = plotly_text(PAYLOADS[pid])
    assert "<" not in out and ">" not in out and "%{" not in out and "$" not in out
    # plotly turns the entities back into the characters typed
    shown = out.replace("&lt;", "<").replace("&gt;", ">").replace("&#37;", "%").replace("&#36;", "$")
    assert shown.replace("&amp;", "&") == PAYLOADS[pid]


def test_md_code_is_one_inline_code_span() -> None:
    out = md_code("a`b\nc" + "x" * 100)
    assert out.count("`") == 2 and "\n" not in out and out.endswith("…`")


def test_chart_builders_escape_names_from_files() -> None:
    """A funder named with every payload: the legend, hover and customdata hold it escaped."""
    name = " ".join(PAYLOADS.values())
    money = pd.DataFrame(
        {"year": [2016], "grp": [name], "amount": [1e6], "amount_flagged": [0.0], "awards": [1]}
    )
    status = funding.year_status(
        pd.DataFrame({"year": [2016], "coverage": ["partial"], "basis": ["b"]}), money
    )
    fig = funding.annual_bars(money, status, "EUR", "funder", "t", "s", spread=False)
    texts = _strings(fig)
    assert plotly_text(name) in texts
    assert not [t for t in texts if "<b>B1" in t or "%{x} $" in t or "$\\href" in t]


def test_pipeline_timeline_escapes_registry_titles() -> None:
    title = " ".join(PAYLOADS.values())
    trials = pd.DataFrame(
        {
            "trial_id": ["NCT03523858"],
            "items": ["<b>B1</b> agent"],
            "brief_title": [title],
            "phase": ["Phase 3"],
            "population": ["PPMS"],
            "status_group": ["Recruiting"],
            "start_date": [pd.Timestamp("2018-05-28")],
            "completion_date": [pd.Timestamp("2026-12-04")],
        }
    )
    fig = pipeline.timeline_figure(trials, as_of=pd.Timestamp("2025-09-25").date(), title="t", subtitle="s")
    texts = _strings(fig)
    assert plotly_text(title) in texts and not [t for t in texts if "<b>B1" in t]
    escaped = plotly_texts(pd.Series(["<b>", None]))
    assert escaped[0] == "&lt;b&gt;" and escaped.isna()[1]  # missing stays missing


def _strings(fig: go.Figure) -> list[str]:
    out: list[str] = []

    def walk(v: object) -> None:
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list | tuple):
            for x in v:
                walk(x)

    walk(fig.to_plotly_json())
    return out
