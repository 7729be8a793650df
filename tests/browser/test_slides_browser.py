"""Every page as slides on a 1920×1080 projector, and every page's labels at 1440×900.

The presenter walk starts on the Overview and presses → until the last slide of the last page:
each slide must fit the screen without scrolling and no visible text (HTML or chart SVG) may be
smaller than `presenter.MIN_FONT` px. At 1440×900, in the light and the dark theme, no control
label (widget labels, segmented-control and other buttons, tabs, page links, metric labels,
expander titles) may be cut with an ellipsis or clipped. Screenshots of every slide and page go
to `test-artifacts/slides/` and `test-artifacts/pages/`.
"""

from __future__ import annotations

import re

import pytest

from msprogress.presenter import MIN_FONT
from tests.browser.conftest import ARTIFACTS, offline_context_page, settle

pytestmark = pytest.mark.browser

PAGES = ("overview", "map", "funding", "pipeline", "changed", "explore", "about")
BAR = ".st-key-msp_slidebar"
READY = """(sel) => !document.querySelector('[data-testid=stSkeleton]')
  && ![...document.querySelectorAll('[data-stale=true]')].length && !!document.querySelector(sel)"""
LABEL_JS = "() => (document.querySelector('.st-key-msp_slidenumber [data-testid=stMarkdownContainer]') || {}).innerText?.trim() || ''"
# The smallest visible text: every text node's element, chart SVG text included; icon ligatures
# (material icon names drawn as glyphs) and hover boxes are not text a hall reads.
SMALLEST_JS = """() => {
  const shown = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const small = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const text = (n.textContent || '').trim(); const el = n.parentElement;
    if (!text || !el || !shown(el)) continue;
    if (el.closest('script, style, .hoverlayer, [data-testid=stIconMaterial], [data-testid=stTooltipContent]')) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < MIN) small.push(`${size}px: ${text.slice(0, 40)}`);
  }
  return small;
}""".replace("MIN", str(MIN_FONT))
HEIGHT_JS = """() => { const main = document.querySelector('[data-testid=stMain]') || document.scrollingElement;
  return [main.scrollHeight, main.clientHeight, innerHeight]; }"""
CUT_JS = """() => {
  const roots = ['[data-testid=stWidgetLabel]', '[data-testid=stButtonGroup] button', '[data-baseweb=tab]',
    '[data-testid^=stBaseButton]', '[data-testid=stPageLink]', '[data-testid=stExpander] summary',
    '[data-testid=stMetricLabel]', '[data-testid=stPopover] button'].join(', ');
  const cut = [];
  for (const root of document.querySelectorAll(roots)) {
    for (const el of [root, ...root.querySelectorAll('*')]) {
      if (!el.clientWidth || !(el.textContent || '').trim()) continue;
      const s = getComputedStyle(el);
      const clips = s.textOverflow === 'ellipsis' || ['hidden', 'clip', 'auto', 'scroll'].includes(s.overflowX);
      if (clips && el.scrollWidth > el.clientWidth + 1) { cut.push((el.textContent || '').trim().slice(0, 60)); break; }
    }
  }
  // a row of buttons wider than its column is clipped by the column, not by itself
  for (const group of document.querySelectorAll('[data-testid=stButtonGroup]')) {
    const col = group.closest('[data-testid=stColumn]') || group.parentElement;
    const buttons = [...group.querySelectorAll('button')];
    const last = buttons[buttons.length - 1];
    if (last && col && last.getBoundingClientRect().right > col.getBoundingClientRect().right + 1) {
      cut.push((last.textContent || '').trim().slice(0, 60));
    }
  }
  return [...new Set(cut)];
}"""


def _settle(page, selector: str) -> None:
    page.wait_for_function(READY, arg=selector, timeout=120_000)
    settle(page)  # plotly and deck.gl finish drawing


def _slide_number(label: str) -> tuple[str, str]:
    """'Overview · 1 / 3' → ('1', '3')."""
    m = re.search(r"(\d+) / (\d+)", label)
    assert m, label
    return m.group(1), m.group(2)


def test_every_presenter_slide_fits_the_screen_and_reads_from_the_back(server, browser):
    """→ from the first slide of the Overview to the last slide of the last page: every slide
    fits 1920×1080 without scrolling, and no text on it is under MIN_FONT px."""
    folder = ARTIFACTS / "slides"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    seen: list[str] = []
    with offline_context_page(browser, 1920, 1080) as page:
        page.goto(server + "/?present=1&relevance=progressive")
        while True:
            _settle(page, BAR)
            label = page.evaluate(LABEL_JS)  # "Funding over time · 2 / 4"
            found = re.fullmatch(r"(.+) · (\d+) / (\d+)", label.strip())
            assert found, f"slide bar says {label!r}"
            name = f"{len(seen):02d}-{found[1].lower().replace(' ', '-')}-{found[2]}"
            page.screenshot(path=str(folder / f"{name}.png"))
            seen.append(label)
            scroll, client, inner = page.evaluate(HEIGHT_JS)
            assert client == inner == 1080 and scroll <= client + 1, f"{label}: {scroll} px tall"
            small = page.evaluate(SMALLEST_JS)
            assert not small, f"{label}: text under {MIN_FONT} px: {small[:6]}"
            following = page.locator(BAR).get_by_text("▶")
            if following.count() == 0:
                break
            page.keyboard.press("ArrowRight")
            page.wait_for_function(f"(l) => ({LABEL_JS})() !== l", arg=label, timeout=60_000)
    pages = list(dict.fromkeys(label.split(" · ")[0] for label in seen))
    assert len(pages) == len(PAGES), f"the walk saw {pages}"
    for title in pages:  # each page's slides in order, 1 … n
        numbers = [_slide_number(s) for s in seen if s.startswith(title + " ·")]
        assert [int(a) for a, _ in numbers] == list(range(1, int(numbers[0][1]) + 1)), title


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_control_label_is_cut_at_1440(server, browser, scheme):
    folder = ARTIFACTS / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    cut: dict[str, list[str]] = {}
    with offline_context_page(browser, 1440, 900) as page:
        page.emulate_media(color_scheme=scheme)
        for name in PAGES:
            page.goto(server + ("/" if name == "overview" else f"/{name}") + "?relevance=progressive")
            _settle(page, "[data-testid=stSidebar] [data-testid=stWidgetLabel]")
            page.screenshot(path=str(folder / f"{name}-1440-{scheme}.png"))
            if found := page.evaluate(CUT_JS):
                cut[name] = found
    assert not cut, f"labels cut at 1440 px ({scheme}): {cut}"
