"""Every URL key the app reads, in one list for the tests that send hostile values through all of
them (tests/test_security.py, tests/browser/test_payloads_browser.py): the filters' keys
(`filters.URL_KEYS`), the app's own (`filters.SHARED_KEYS`) and each page's view keys, which the
pages register at run time (`page.View`/`page.Key`). test_security checks `PAGE_KEYS` against
what every page registers, so a new key cannot be left out of the hostile runs."""

from __future__ import annotations

from msprogress import filters

PAGE_KEYS: dict[str, tuple[str, ...]] = {  # page (pages/<name>.py) → its view's URL keys
    "about": (),
    "changed": ("window", "currency", "since"),
    "explore": ("search", "tab", "trials_sort", "projects_sort", "grants_sort"),
    "funding": ("series", "group", "currency", "count", "view"),
    "map": ("metric", "currency", "country_view", "zoom"),
    "overview": ("currency",),
    "pipeline": ("size", "mark", "nondrug", "support", "highlight"),
}
VIEW_KEYS: tuple[str, ...] = tuple(dict.fromkeys(k for keys in PAGE_KEYS.values() for k in keys))
ALL_KEYS: tuple[str, ...] = tuple(dict.fromkeys([*filters.URL_KEYS, *filters.SHARED_KEYS, *VIEW_KEYS]))
