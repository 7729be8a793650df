"""Markup payloads through every URL key, every text column of a member file and a registry export,
on every page and in every export, in a real browser (issue 14, point 1).

One data folder for the module: the fixture sources plus `tests/bad_inputs/member_grants/
markup_payloads.csv` (three real awards whose grant id, funder, programme, title, investigator and
organisation each hold every payload of `tests/bad_inputs/payloads.csv`) and
`tests/bad_inputs/ctgov/ctgov_markup_payloads_2025-09-21.csv` (a real progressive-MS trial with the
payloads in its titles, sponsor and city), built by the real CLI and served by one server.

Each page is opened twice: once on a view that shows the payload rows (the payload funder chosen as
a filter, a payload typed as the search, the member series picked), once with a payload in every URL
key the app knows (filters, every page's view keys, snapshot, presenter: tests/url_keys.py) and in an
unknown key's name.
After each visit:
- no request left localhost (the page fixture fails the test otherwise);
- the DOM has no link or image pointing at the payloads' host (a link to one of the app's pages may
  carry a payload, URL-encoded, in its query string), no element made from a payload tag
  (<b>, <strong>, <script>, a bold plotly tspan), and `window.__payload` is unset;
- every string of every plotly figure (traces, layout, customdata) holds the payloads escaped, never
  raw (`<b>B1`, `%{x} $`, `$\\href`, a raw entity …), and every chart's hover label, drawn by plotly
  itself for the first point of each trace, shows a payload as typed (`%{customdata[0]}` literally).
Exports: the funding chart's SVG (no SVG link, no bold payload, the template text literal), the PNG,
the slide deck (no hyperlink in any slide), the Explore CSV and Excel files (no cell a spreadsheet
would run as a formula, no hyperlink).
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import openpyxl
import pyarrow.parquet as pq
import pytest

from msprogress.ingest.__main__ import main as cli
from msprogress.localserver import serve
from tests import url_keys
from tests.browser.conftest import offline_context_page, screenshot, wait_for_app
from tests.conftest import FIXTURE_RAW

pytestmark = pytest.mark.browser

CORPUS = Path(__file__).resolve().parents[1] / "bad_inputs"
MEMBER_FILE = CORPUS / "member_grants" / "markup_payloads.csv"
CTGOV_FILE = CORPUS / "ctgov" / "ctgov_markup_payloads_2025-09-21.csv"
HOST = "evil.example"
PAGES = ("", "map", "funding", "pipeline", "explore", "changed", "about")


def _payloads() -> list[str]:
    with (CORPUS / "payloads.csv").open(encoding="utf-8", newline="") as fh:
        return [r["payload"] for r in csv.DictReader(fh)]


PAYLOADS = _payloads()
# What a payload turns into when drawn as markup; none may appear in a plotly string.
RAW_IN_FIGURE = ("<b>B1", "<a href", "<img", "Y1<br>Y2", "<script", "%{x} $", "$\\href", "&lt;b&gt;B3")

DOM_JS = r"""(host) => {
  const bad = [];
  for (const a of document.querySelectorAll('a')) {
    // a live link that leaves: to the payloads' host, or mailto:/javascript:. A link to one of the
    // app's own pages may carry a payload in its query string (a member series id): it stays here.
    const href = a.getAttribute('href') || a.getAttribute('xlink:href') || '';
    let url = null;
    try { url = new URL(href, document.baseURI); } catch (e) { bad.push('link ' + href); continue; }
    if (url.hostname.includes(host) || ['mailto:', 'javascript:'].includes(url.protocol)) bad.push('link ' + href);
  }
  for (const el of document.querySelectorAll('img, image, iframe, video, audio, source')) {
    const src = el.getAttribute('src') || el.getAttribute('href') || el.getAttribute('xlink:href') || '';
    if (src.includes(host)) bad.push(el.tagName + ' ' + src);
  }
  for (const el of document.querySelectorAll('b, strong, em, h1, h2, h3, h4, script, tspan')) {
    const t = el.textContent || '';
    const marked = /B1|B3|E1|__payload/.test(t);
    // a chart title's own weight bolds its whole line (the app's theme): that is not markup; a
    // payload's <b> would bold only its own words inside a line
    const titleLine = el.tagName === 'tspan' && el.closest('.gtitle') && el.parentNode && el.parentNode.textContent === t;
    const bold = !titleLine && (el.tagName !== 'tspan' || /bold|italic/.test(el.getAttribute('style') || ''));
    if (marked && bold && !t.includes('<b>B1</b>')) bad.push(el.tagName + ' ' + t.slice(0, 80));
  }
  if (window.__payload) bad.push('script ran');
  if (document.querySelectorAll('[data-testid=stException]').length) bad.push('exception');
  return bad;
}"""

FIGURE_JS = r"""() => {
  const out = [];
  const walk = (v, depth) => {
    if (depth > 6 || v == null) return;
    if (typeof v === 'string') { out.push(v); return; }
    if (Array.isArray(v)) { v.slice(0, 400).forEach((x) => walk(x, depth + 1)); return; }
    if (typeof v === 'object') for (const k of Object.keys(v)) if (!k.startsWith('_')) walk(v[k], depth + 1);
  };
  for (const gd of document.querySelectorAll('.js-plotly-plot')) { walk(gd.data, 0); walk(gd.layout, 0); }
  return out;
}"""

# Plotly draws a hover label for the first point of every trace, and we read what it shows.
HOVER_JS = r"""async () => {
  const texts = [];
  for (const gd of document.querySelectorAll('.js-plotly-plot')) {
    for (let i = 0; i < (gd.data || []).length; i++) {
      // the drawn trace: a numpy column arrives base64-encoded in gd.data, decoded in _fullData
      const t = (gd._fullData || [])[i] || gd.data[i];
      const n = (t.x || t.locations || t.lat || t.y || []).length;
      if (!n || t.hoverinfo === 'skip') continue;
      const subplot = t.geo || (t.xaxis ? t.xaxis + t.yaxis : undefined);  // a map trace hovers on its geo
      try { window.Plotly.Fx.hover(gd, [{curveNumber: i, pointNumber: 0}], subplot); } catch (e) { continue; }
      await new Promise((r) => setTimeout(r, 30));
      const layer = gd.querySelector('.hoverlayer');
      if (layer) texts.push(layer.textContent || '');
      window.Plotly.Fx.unhover(gd);
    }
  }
  return texts;
}"""


@pytest.fixture(scope="module")
def payload_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("payloads")
    shutil.copytree(FIXTURE_RAW, root / "raw")
    (root / "raw" / "member_grants").mkdir(exist_ok=True)
    shutil.copy(MEMBER_FILE, root / "raw" / "member_grants" / MEMBER_FILE.name)
    shutil.copy(CTGOV_FILE, root / "raw" / "ctgov" / CTGOV_FILE.name)
    assert cli(["build", "--raw", str(root / "raw"), "--snapshots", str(root / "snapshots")]) == 0
    return root


@pytest.fixture(scope="module")
def payload_server(payload_data: Path) -> Iterator[str]:
    with serve(payload_data) as url:
        yield url


@pytest.fixture(scope="module")
def member(payload_data: Path) -> dict[str, str]:
    """The payload funder's name, its series id and a payload text that every payload title holds."""
    snaps = payload_data / "snapshots"
    sid = (snaps / "CURRENT").read_text().strip()
    grants = pq.read_table(snaps / sid / "grants.parquet").to_pandas()
    mine = grants[grants["source"] == "member_grants"].sort_values("title")
    assert len(mine) == 3 and all(HOST in t for t in mine["title"])
    return {"funder": mine["funder"].iloc[0], "series": mine["series_id"].iloc[0], "q": "<b>B1</b> Y1<br>Y2"}


def _views(member: dict[str, str]) -> dict[str, dict[str, str]]:
    """A URL per page whose view shows the payload rows."""
    pick = {"q": member["q"]}  # NOTE: the funder's name is longer than a link may carry: picked below
    return {
        "": pick,
        "map": pick | {"metric": "funding", "country_view": "ITA"},
        "funding": pick | {"series": member["series"], "group": "funder"},
        "pipeline": {"q": PAYLOADS[3] + " " + PAYLOADS[4]},  # the payload trial's title holds these
        "explore": pick,
        "changed": pick | {"window": "12"},
        "about": {},
    }


def _hostile() -> dict[str, str]:
    """A payload in every URL key the app knows (tests/url_keys.py: filters, the app's own keys and
    every page's view keys, which tests/test_security.py checks against what the pages register),
    and a payload as an unknown key's name."""
    params = {k: PAYLOADS[i % len(PAYLOADS)] for i, k in enumerate(url_keys.ALL_KEYS)}
    params[PAYLOADS[1]] = PAYLOADS[7]
    return params


def _pick_funder(page) -> None:
    """Choose the payload funder in the sidebar's funder filter (its name is typed, then picked)."""
    box = page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").filter(has_text="Funder")
    box.locator("input").fill("L1")
    page.get_by_role("option").filter(has_text="[funder 1]").first.click()
    page.keyboard.press("Escape")
    page.wait_for_timeout(500)


def _check(page, where: str) -> list[str]:
    """The checks of the module docstring; returns the hover texts that showed a payload."""
    wait_for_app(page, ".js-plotly-plot, [data-testid=stDataFrame], [data-testid=stTable]", timeout=120_000)
    assert page.evaluate(DOM_JS, HOST) == [], where
    raw = [s for s in page.evaluate(FIGURE_JS) for r in RAW_IN_FIGURE if r in s]
    assert raw == [], (where, raw[:3])
    shown = [t for t in page.evaluate(HOVER_JS) if HOST in t]
    assert all("%{customdata[0]}" in t or "…" in t for t in shown), (where, shown[:3])
    assert page.evaluate(DOM_JS, HOST) == [], where + " (with hover labels drawn)"
    return shown


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p or "overview")
def test_payloads_render_as_typed_on_every_page(payload_server, browser, member, path) -> None:
    with offline_context_page(browser, 1600, 2400) as page:
        view = _views(member)[path]
        page.goto(f"{payload_server}/{path}?{urlencode(view)}")
        hovers = _check(page, f"{path or 'overview'} (payload rows shown)")
        if path == "pipeline":  # the payload trial's title, in the timeline's hover
            assert hovers, "no hover label showed a payload"
        if "q" in view:
            assert page.get_by_text(view["q"]).count() >= 1, "the search is shown as typed"
        if path in ("funding", "map", "explore"):  # the payload funder chosen in the sidebar
            _pick_funder(page)
            hovers = _check(page, f"{path} (payload funder chosen)")
            assert hovers or path == "explore", "no hover label showed a payload"
            assert page.get_by_text(re.compile(re.escape("%{customdata[0]}"))).count() >= 1
        screenshot(page, f"payloads-{path or 'overview'}")
        page.goto(f"{payload_server}/{path}?{urlencode(_hostile())}")
        _check(page, f"{path or 'overview'} (payload in every URL key)")


def test_payloads_in_presenter_tables(payload_server, browser, member) -> None:
    """Presenter mode draws tables as Markdown (st.table): the payload cells stay text."""
    with offline_context_page(browser, 1920, 1080) as page:
        for path in ("funding", "explore", "map"):
            page.goto(f"{payload_server}/{path}?{urlencode(_views(member)[path] | {'present': '1'})}")
            _check(page, f"presenter {path}")


def _download(page, button, tmp_path: Path) -> bytes:
    with page.expect_download(timeout=120_000) as info:
        button.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path.read_bytes()


def test_payloads_in_chart_exports(payload_server, browser, member, tmp_path) -> None:
    """SVG and PNG of the funding chart, and the slide deck: text stays text, nothing links out."""
    with offline_context_page(browser, 1600, 2400) as page:
        page.goto(f"{payload_server}/funding?{urlencode(_views(member)['funding'])}")
        wait_for_app(page, timeout=120_000)
        svg = _download(page, page.get_by_role("button", name="SVG image").first, tmp_path).decode()
        assert "%{customdata[0]}" in svg.replace("&#37;", "%") and HOST in svg  # shown, as text
        assert not re.search(r"<a\b[^>]*href", svg), "a live link in the SVG"
        assert not re.search(r"font-weight:\s*bold[^>]*>[^<]*B1", svg), "a payload drawn bold"
        png = _download(page, page.get_by_role("button", name="PNG image").first, tmp_path)
        assert png.startswith(b"\x89PNG")
        page.goto(f"{payload_server}/funding?{urlencode(_views(member)['funding'] | {'present': '1'})}")
        wait_for_app(page, timeout=120_000)
        deck = _download(page, page.get_by_role("button", name="Download slides"), tmp_path)
    with zipfile.ZipFile(io.BytesIO(deck)) as z:
        rels = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".rels"))
        slides = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("ppt/slides/slide"))
    assert "hyperlink" not in rels and HOST not in rels, "a hyperlink in the deck"
    assert "<a:hlinkClick" not in slides


def test_payloads_in_table_exports(payload_server, browser, member, tmp_path) -> None:
    """The Explore grants table as CSV and Excel: payload cells are text, never formulas or links."""
    with offline_context_page(browser, 1600, 2400) as page:
        page.goto(f"{payload_server}/explore?{urlencode(_views(member)['explore'])}")
        wait_for_app(page, "[data-testid=stDataFrame]", timeout=120_000)
        page.get_by_role("tab", name="Grants").click()
        page.wait_for_timeout(500)
        buttons = page.locator("[data-testid=stDownloadButton] button:visible")
        data_csv = _download(page, buttons.filter(has_text="Download CSV").first, tmp_path)
        data_xlsx = _download(page, buttons.filter(has_text="Download Excel").first, tmp_path)
    rows = list(csv.reader(io.StringIO(data_csv.decode("utf-8-sig"))))
    cells = [c for r in rows[1:] for c in r]
    assert any(HOST in c for c in cells), "the payload rows are in the CSV"
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))]
    wb = openpyxl.load_workbook(io.BytesIO(data_xlsx))
    for ws in wb.worksheets:
        assert not ws._hyperlinks, "a hyperlink in the workbook"
        formulas = [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
        assert formulas == [], formulas
    assert any(HOST in str(c.value) for row in wb["data"].iter_rows() for c in row)
