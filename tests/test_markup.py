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
from msprogress.charts import overview as overview_charts
from msprogress.markup import WORD_JOINER, md_code, md_escape, plotly_text, plotly_texts
from tests.test_pipeline import _markers, _trials

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


def test_pipeline_grid_escapes_names_and_registry_values(db) -> None:
    """Agent names, classes, origin notes (reference files) and trial ids (registries) holding the
    payloads: the grid's labels and hover texts show them as typed, never as markup or template."""
    payload = " ".join(PAYLOADS.values())
    markers, trials = _markers(db), _trials(db)
    first = markers.index[0]
    for col in ("label", "mechanism_class", "origin_note"):
        markers.loc[first, col] = f"{col} {payload}"
    marker_id = markers.loc[first, "marker_id"]
    trials.loc[trials["marker_id"] == marker_id, "trial_id"] = f"NCT {payload}"
    fig = pipeline.pipeline_figure(markers, trials, size_by="trials", title="t", subtitle="s")
    texts = _strings(fig)
    assert any(plotly_text(f"label {payload}") in t for t in texts)  # the label beside the marker
    hover = next(t for t in texts if plotly_text(f"mechanism_class {payload}") in t)
    assert plotly_text(f"origin_note {payload}") in hover and plotly_text(f"NCT {payload}") in hover
    assert not [t for t in texts if "<b>B1" in t or "%{x} $" in t or "$\\href" in t or "<a href" in t]


def test_overview_findings_escape_funders_and_countries() -> None:
    """The Overview's panel titles name a funder (a member file's) and countries: as plotly text."""
    who = " ".join(PAYLOADS.values())
    trend = pd.DataFrame(
        {"year": [2020, 2021], "status": ["partial"] * 2, "ms_amount": [1e6, 2e6]}
        | {"progressive_amount": [1e5, 2e5], "share": [float("nan")] * 2}
    )
    headline, detail = overview_charts.trend_finding(trend, who, "MS research", "EUR")
    assert plotly_text(who) in detail and "<b>B1" not in detail + headline and "%{" not in detail
    metrics = pd.DataFrame(
        {"iso3": ["ITA", "FRA"], "country": [who, "France"], "progressive_trials": [3, 1], "trials": [4, 1]}
    )
    _, most = overview_charts.map_finding(metrics)
    assert plotly_text(who) in most and "<b>B1" not in most


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
        elif hasattr(v, "tolist"):  # a numpy array (trace columns)
            walk(v.tolist())

    walk(fig.to_plotly_json())
    return out
