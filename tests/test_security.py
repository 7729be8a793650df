"""Security: user text never becomes SQL, data text never becomes HTML, no secrets are committed.

- The DuckDB sandbox (files outside the snapshot, extensions, ATTACH, configuration, COPY, CALL,
  several statements) is tested in tests/test_sandbox.py; exports neutralising spreadsheet
  formulas in tests/test_exports.py; the dependency audit is `make audit` (needs the network).
- No user text reaches SQL text: every SQL string handed to DuckDB is recorded (a recording
  wrapper around `duckdb.connect`) while every query runs with a unique sentinel in every field of
  `Filters` (enumerated from the dataclass, so a new filter cannot slip past) and in every
  parameter of every function in `msprogress.data`; then again through the real app (AppTest)
  with a hostile value in every URL key and in the Explore search box. Every statement must be a
  committed `queries/*.sql` text (or the fixed sandbox set-up), no sentinel may appear in any SQL
  text, and every sentinel must arrive as a bound parameter.
- Titles holding HTML render as text: a member-grants file whose title carries a script tag is
  built into a snapshot; the Explore page holds the literal text and never passes it to markdown
  with HTML allowed. A source scan checks that every HTML-allowing call in the app renders a
  constant string, never one built from data.
- No secrets in the repository: tracked and new (not ignored) files are scanned for private
  keys, AWS/GitHub/Slack tokens and password/API-key assignments.
"""

from __future__ import annotations

import ast
import contextlib
import http.server
import importlib.util
import inspect
import re
import shutil
import subprocess
import threading
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
import streamlit as st

from msprogress import changes, data, filters, paths, queries
from msprogress.filters import Filters
from msprogress.ingest.build import build
from msprogress.page import VIEW_KEYS
from msprogress.snapshot import SnapshotError
from tests import url_keys
from tests.conftest import FIXTURE_RAW, REPO
from tests.test_member_grants import good_alliance_rows, write_csv
from tests.test_pages import PAGES, _app

# ---------------------------------------------------------------------------------------------
# Recording every SQL string handed to DuckDB


@dataclass(frozen=True)
class Sent:
    method: str
    sql: str
    params: Any


SQL_METHODS = {"execute", "executemany", "sql", "query", "extract_statements"}


class Recorder:
    """A DuckDB connection or cursor that logs every call taking SQL text, then forwards it.
    Any other method fails loudly, so a new way of running SQL cannot go unrecorded."""

    def __init__(self, target: Any, log: list[Sent]):
        self._target, self._log = target, log

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if name == "cursor":
            return lambda *a, **kw: Recorder(attr(*a, **kw), self._log)
        if name in SQL_METHODS:

            def call(*args: Any, **kw: Any) -> Any:
                params = args[1] if len(args) > 1 else kw.get("parameters", kw.get("params"))
                self._log.append(Sent(name, str(args[0] if args else kw.get("query")), params))
                return attr(*args, **kw)

            return call
        if name == "close":
            return attr
        raise AssertionError(
            f"msprogress.db used DuckDB's .{name}: add it to the Recorder (does it take SQL?)"
        )


@pytest.fixture()
def sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Sent]]:
    """Every statement sent to DuckDB by connections opened during the test; caches emptied so
    the app opens its connection (and runs its queries) again."""
    log: list[Sent] = []
    real = duckdb.connect
    monkeypatch.setattr(duckdb, "connect", lambda *a, **kw: Recorder(real(*a, **kw), log))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield log
    st.cache_data.clear()
    st.cache_resource.clear()


_COLUMN = (
    r'(?:"[a-z_0-9]+"|cast\(null as [a-z]+\) as "[a-z_0-9]+"|try_cast\("[a-z_0-9]+" as [a-z]+\) as "[a-z_0-9]+"'
    r'|cast\("[a-z_0-9]+" as [a-z]+(?:\[\])?\) as "[a-z_0-9]+")'
)
SETUP = re.compile(  # msprogress/db.py's fixed sandbox set-up: identifiers from the schema, snapshot paths
    r"SET allowed_paths=\[[^\]]*\]|SET enable_external_access=false|SET lock_configuration=true"
    rf"|create (?:view|table) [a-z_]+ as select {_COLUMN}(?:, {_COLUMN})* from (?:read_parquet\('[^']*'\)|\(select 1\) where false"
    r"|serve_[a-z_]+_of\(snap := '(?:prev_)?'\))"  # a serving table computed from the canonical ones
)


def committed_sql() -> dict[str, str]:
    """SQL text → its name, for every query file and the macros."""
    return {queries.get(n).sql: n for n in queries.names()} | {
        queries.macros_sql(): "_macros",
        queries.serving_sql(): "_serving",
    }


def assert_only_committed_sql(log: list[Sent], *snapshot_dirs: Path) -> set[str]:
    """Every statement is a committed query file or the sandbox set-up over `snapshot_dirs` (the
    served snapshot, and the earlier one of a pair); return the query names."""
    known, names = committed_sql(), set()
    for s in log:
        if s.sql in known:
            names.add(known[s.sql])
        else:
            assert SETUP.fullmatch(s.sql), f"SQL not from queries/: {s.sql[:200]!r}"
            assert s.params is None
            for path in re.findall(r"'([^']*)'", re.sub(r"snap := '[a-z_]*'", "", s.sql)):
                assert Path(path).parent in {d.resolve() for d in snapshot_dirs}, path
    return names


def bound_values(params: Any) -> Iterator[Any]:
    """Every leaf value of a parameter dict (structs and lists included)."""
    if isinstance(params, dict):
        for v in params.values():
            yield from bound_values(v)
    elif isinstance(params, list | tuple):
        for v in params:
            yield from bound_values(v)
    else:
        yield params


# ---------------------------------------------------------------------------------------------
# Sentinels for every filter field and every data-function parameter


def text_sentinel(name: str) -> str:
    return f"zz_sentinel_{name}'; drop view trials; --"


INT_SENTINEL_BASE = 7_340_000  # never a number in a query file
SLUG_MAPS = (
    filters.GAP_SLUGS,
    filters.POPULATION_SLUGS,
    filters.PHASE_SLUGS,
    filters.STATUS_SLUGS,
    filters.RELEVANCE_SLUGS,
)
# Fields that reach SQL only as a fixed value derived from them (never as text).
REDUCED = {"relevance": ("progressive", "progressive_only")}  # field -> (value, struct key set True)


def sentinel_for(name: str, type_: Any, index: int) -> Any:
    """A unique value of the annotated type; text wherever the type allows text."""
    if type_ is str or type_ == str | None:
        return text_sentinel(name)
    if type_ == tuple[str, ...]:
        return (text_sentinel(name),)
    if type_ in (int, int | None):
        return INT_SENTINEL_BASE + index
    if type_ is bool:
        return True
    raise AssertionError(f"no sentinel for {name}: {type_}; teach tests/test_security.py this type")


FIELD_TYPES = {str: str, tuple: tuple[str, ...], type(None): int | None}  # default's type → value type


def sentinel_filters(monkeypatch: pytest.MonkeyPatch) -> Filters:
    """A Filters with a sentinel in every field of the spec table; the slug maps learn the
    sentinels (mapped to themselves), so the text travels as far as the code lets any value travel."""
    values = {
        name: sentinel_for(name, FIELD_TYPES[type(default)], i)
        for i, (name, default) in enumerate(filters.DEFAULTS.items())
    }
    for value in values.values():
        for text in value if isinstance(value, tuple) else (value,):
            if isinstance(text, str):
                for slugs in SLUG_MAPS:
                    monkeypatch.setitem(slugs, text, text)
    return Filters(**values)


def query_functions() -> dict[str, Callable[..., Any]]:
    """The public functions of msprogress.data that run a named query."""
    # NOTE: msprogress.figures.pipeline_figure builds its cached figure from data.pipeline_markers
    # and pipeline_trials (both covered here); its own `size` only picks a column from a fixed dict,
    # so a sentinel there is a KeyError in Python, never SQL.
    # The pair helpers open the database of two snapshots or read manifests; the diff_* functions
    # that run the pair's queries are covered.
    infra = {"database", "serving_notice", "snapshot", "run", "no_snapshot"} | {
        "earlier_snapshots", "pair_database", "run_pair", "earlier_manifest", "pair_notes", "snapshot_created",
    }  # fmt: skip
    return {
        name: fn
        for name, fn in inspect.getmembers(data, inspect.isfunction)
        if fn.__module__ == data.__name__ and not name.startswith("_") and name not in infra
    }


# Parameters whose values come from a fixed list checked before any SQL runs (the window lengths,
# the snapshot ids on this server): given a valid value here, never a sentinel;
# test_fixed_choices_are_checked_before_any_sql shows the check.
FIXED: dict[str, Callable[[], Any]] = {
    "months": lambda: changes.WINDOWS[0],
    "since": lambda: data.earlier_snapshots()[0],
}


def call_with_sentinels(fn: Callable[..., Any], f: Filters, offset: int) -> dict[str, Any]:
    """Call `fn` with a sentinel for each parameter (a valid value for FIXED ones); return the
    sentinels given."""
    hints = typing.get_type_hints(fn)
    kwargs, fixed = {}, {}
    for i, p in enumerate(inspect.signature(fn).parameters):
        if p in FIXED:
            fixed[p] = FIXED[p]()
        else:
            kwargs[p] = f if hints[p] is Filters else sentinel_for(p, hints[p], offset + i)
    fn(**kwargs, **fixed)
    return kwargs


def test_fixed_choices_are_checked_before_any_sql(pair_data: Path, app_on, sent: list[Sent]) -> None:
    app_on(pair_data)
    with pytest.raises(ValueError, match="not a window"):
        data.changes_window_counts(Filters(), INT_SENTINEL_BASE)
    for since in (text_sentinel("since"), "../" + data.earlier_snapshots()[0], data.snapshot().snapshot_id):
        with pytest.raises(SnapshotError):
            data.diff_trials(Filters(), since)
    assert not [s for s in sent if text_sentinel("since") in s.sql]


def test_no_user_text_reaches_sql_text(pair_data: Path, app_on, sent: list[Sent], monkeypatch) -> None:
    """Every data function with a sentinel in every value a user can set, on a server with two
    snapshots (so the queries comparing them run too)."""
    app_on(pair_data)
    f = sentinel_filters(monkeypatch)
    given = {f"Filters.{name}": getattr(f, name) for name in filters.DEFAULTS}
    for i, (name, fn) in enumerate(query_functions().items()):
        for p, v in call_with_sentinels(fn, f, 100 * (i + 1)).items():
            if v is not f:
                given[f"data.{name}({p})"] = v
    earlier = [paths.snapshots_dir() / sid for sid in data.earlier_snapshots()]
    ran = assert_only_committed_sql(sent, data.snapshot().path, *earlier)
    assert ran >= set(queries.names()), (
        f"queries never run through msprogress.data: {set(queries.names()) - ran}"
    )
    texts = [s.sql for s in sent]
    bound = [v for s in sent for v in bound_values(s.params)]
    for where, value in given.items():
        for leaf in value if isinstance(value, tuple) else (value,):
            if isinstance(leaf, bool):
                continue
            assert not any(str(leaf) in t for t in texts), f"{where}: {leaf!r} reached SQL text"
            if where.removeprefix("Filters.") in REDUCED:
                assert leaf not in bound, f"{where} should reach SQL only as a fixed value"
            else:
                assert leaf in bound, f"{where}: {leaf!r} never arrived as a bound parameter"


def test_reduced_fields_still_filter() -> None:
    """A field that reaches SQL only as a derived value does set it (so REDUCED hides nothing)."""
    for field, (value, key) in REDUCED.items():
        reduced: dict[str, Any] = {field: value}
        assert Filters(**reduced).as_struct()[key] is True
        assert Filters().as_struct()[key] is False


def test_every_query_parameter_is_fed_by_a_data_function() -> None:
    """Each query's parameters are the data functions' parameters (so the sentinel run above
    covers every page-level value that reaches a query)."""
    declared = {p for fn in query_functions().values() for p in inspect.signature(fn).parameters}
    used = {p for n in queries.names() for p in queries.get(n).params} - {"f"}
    assert used <= declared


def test_app_sends_only_committed_sql_whatever_the_url(app_env: Path, sent: list[Sent]) -> None:
    """Every page through the real app, with a hostile value in every URL key and the search box.
    The keys are tests/url_keys.py's, and every page registers exactly the view keys listed there."""
    params: dict[str, str | list[str]] = {k: text_sentinel(f"url_{k}") for k in url_keys.ALL_KEYS}
    for page in PAGES:
        at = _app(params, page=page)
        assert not at.exception, (page, at.exception)
        registered = at.session_state[VIEW_KEYS] if VIEW_KEYS in at.session_state else []
        assert tuple(registered) == url_keys.PAGE_KEYS[page], page  # tests/url_keys.py is complete
        if page == "explore":
            at.text_input(key="explore_search").set_value(text_sentinel("search_box")).run()
            assert not at.exception
    assert_only_committed_sql(sent, data.snapshot().path)
    assert not any("zz_sentinel" in s.sql for s in sent)
    bound = {v for s in sent for v in bound_values(s.params)}
    assert text_sentinel("url_q") in bound and text_sentinel("search_box") in bound


# ---------------------------------------------------------------------------------------------
# HTML in data renders as text

HOSTILE = "<script>alert(1)</script><b>x</b>"


@pytest.fixture(scope="module")
def html_data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Fixture sources plus a member-grants file: one real Alliance award re-shaped into the
    template (tests/test_member_grants.py), its title prefixed with a script tag."""
    root = tmp_path_factory.mktemp("html")
    shutil.copytree(FIXTURE_RAW, root / "raw")
    row = next(r for r in good_alliance_rows().values() if r["record_type"] == "award" and r["amount"])
    title = f"{HOSTILE} {row['title']}"
    write_csv(root / "raw" / "member_grants" / "hostile_title.csv", [{**row, "title": title}])
    build(root / "raw", root / "snapshots")
    return root, title


def _nodes(at: Any) -> Iterator[Any]:
    """Every element of the page (main area and sidebar, inside tabs, columns and expanders)."""

    def walk(node: Any) -> Iterator[Any]:
        yield node
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    yield from walk(at.main)
    yield from walk(at.sidebar)


def test_title_with_html_is_shown_as_text(html_data, app_on) -> None:
    root, title = html_data
    app_on(root)
    at = _app({"q": "<script>alert(1)</script>"}, page="explore")  # user text with HTML too
    assert not at.exception, at.exception
    titles = [set(df.value[c]) for df in at.dataframe for c in df.value.columns if c == "Title"]
    assert sum(title in t for t in titles) == 2, "the grant and its project hold the literal title"
    with_tags = [n for n in _nodes(at) if hasattr(n.proto, "allow_html") and "<script" in n.proto.body]
    assert with_tags, "the page search / filter text with the tag is shown somewhere (as text)"
    for n in with_tags:
        assert not n.proto.allow_html, f"{n.type} renders HTML: {n.proto.body[:200]}"
    for el in at.get("html"):
        assert "alert(1)" not in el.proto.body


SOURCES = [
    REPO / "app.py",
    *sorted((REPO / "pages").glob("*.py")),
    *sorted((REPO / "msprogress").rglob("*.py")),
]
HTML_FLAGS = {"unsafe_allow_html", "unsafe_allow_javascript"}


def _constant_strings(tree: ast.Module) -> set[str]:
    """Module-level names bound once, to a string literal, and never rebound anywhere."""
    stores: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            stores[node.id] = stores.get(node.id, 0) + 1
    return {
        t.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        for t in node.targets
        if isinstance(t, ast.Name) and stores[t.id] == 1
    }


def html_sinks(path: Path) -> Iterator[tuple[int, ast.expr | None]]:
    """(line, rendered expression) of every call that renders HTML: st.html / components.html,
    any call with unsafe_allow_html/unsafe_allow_javascript, and a pydeck tooltip's "html"."""
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            flagged = any(
                k.arg in HTML_FLAGS and not (isinstance(k.value, ast.Constant) and k.value.value is False)
                for k in node.keywords
            )
            is_html = isinstance(node.func, ast.Attribute) and node.func.attr == "html"
            if flagged or is_html:
                body = (
                    node.args[0]
                    if node.args
                    else next((k.value for k in node.keywords if k.arg == "body"), None)
                )
                yield node.lineno, body
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "html":
                    yield node.lineno, value


def runtime_html(path: Path) -> list[int]:
    """Lines where HTML is rendered from anything but a literal or a constant module-level string."""
    constants = _constant_strings(ast.parse(path.read_text(), str(path)))
    return [
        line
        for line, body in html_sinks(path)
        if not (isinstance(body, ast.Constant) and isinstance(body.value, str))
        and not (isinstance(body, ast.Name) and body.id in constants)
    ]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_html_is_rendered_only_from_constant_strings(path: Path) -> None:
    """HTML the app renders is written in the code, never built from data or user input (a
    pydeck tooltip's {field} placeholders are filled and HTML-escaped by Streamlit itself)."""
    assert runtime_html(path) == [], f"{path.relative_to(REPO)} renders HTML built at run time"


def test_html_scan_catches_a_data_string(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import streamlit as st\n"
        'CSS = "<b>ok</b>"\n'
        "st.html(CSS)\n"
        "t = title_from_data()\n"
        'st.markdown(f"<b>{t}</b>", unsafe_allow_html=True)\n'
        'st.markdown("<b>fixed</b>", unsafe_allow_html=True)\n'
        'deck(tooltip={"html": "<b>" + t})\n'
        'LATER = "<i>x</i>"\n'
        "LATER = t\n"
        "st.html(LATER)\n"
    )
    assert sorted(runtime_html(bad)) == [5, 7, 10]


# ---------------------------------------------------------------------------------------------
# No secrets in the repository

# (pattern, substrings of which one must occur in the lower-cased text first: a cheap pre-filter)
SECRETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "private key": (r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----", ("private key",)),
    "AWS access key id": (r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", ("akia", "asia")),
    "AWS secret key": (r"(?i)aws_secret_access_key\s*[:=]\s*['\"]?[A-Za-z0-9/+=]{40}", ("aws_secret",)),
    "GitHub token": (
        r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    ),
    "Slack token": (r"\bxox[abposr]-[A-Za-z0-9-]{10,}", ("xox",)),
    "Slack webhook": (r"hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]+", ("hooks.slack",)),
    "password or API key assignment": (
        r"(?i)\b(?:password|passwd|pwd|api[_-]?key|apikey|secret[_-]?key|client[_-]?secret|access[_-]?token"
        r"|auth[_-]?token)\b\s*[:=]\s*['\"][^'\"\s]{6,}['\"]",
        ("pass", "pwd", "key", "secret", "token"),
    ),
    "secret in an environment file": (
        r"(?m)^\s*(?:export\s+)?[A-Z0-9_]*(?:PASSWORD|PASSWD|API_KEY|APIKEY|SECRET|TOKEN)[A-Z0-9_]*\s*=\s*[^\s'\"$]{8,}",
        ("pass", "key", "secret", "token"),
    ),
}
COMPILED = {kind: (re.compile(p), needles) for kind, (p, needles) in SECRETS.items()}


def find_secrets(text: str) -> list[tuple[str, str]]:
    lower = text.lower()
    return [
        (kind, m.group(0)[:60])
        for kind, (rx, needles) in COMPILED.items()
        if any(n in lower for n in needles)
        for m in rx.finditer(text)
    ]


def repository_files() -> list[Path]:
    """Tracked files and new files git would add (ignored ones left out)."""
    out = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    ).stdout
    return [REPO / f for f in sorted(set(out.decode().split("\0"))) if f and (REPO / f).is_file()]


def test_no_secrets_in_the_repository() -> None:
    files = repository_files()
    assert len(files) > 50, "git ls-files found too little: is this a git checkout?"
    found = []
    for path in files:
        raw = path.read_bytes()
        if b"\0" in raw[:8192]:  # binary
            continue
        found += [(str(path.relative_to(REPO)), *hit) for hit in find_secrets(raw.decode("utf-8", "replace"))]
    assert found == [], found


def test_secret_patterns_catch_examples() -> None:
    """Each pattern fires on a made-up example (assembled here, so this file holds none)."""
    examples = {
        "private key": "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIE",
        "AWS access key id": "id = AKIA" + "IOSFODNN7EXAMPLE",
        "AWS secret key": "aws_secret_access_key = " + "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "GitHub token": "token: ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
        "Slack token": "xoxb-" + "123456789012-abcdefABCDEF",
        "Slack webhook": "https://hooks.slack.com/services/" + "T000/B000/XXXXXXXX",
        "password or API key assignment": "api_" + 'key = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"',
        "secret in an environment file": "export DB_PASS" + "WORD=correcthorsebattery",
    }
    for kind, text in examples.items():
        assert kind in {k for k, _ in find_secrets(text)}, kind
    assert find_secrets('password = os.environ["DB_PASSWORD"]\ntoken = data.get("nextPageToken")') == []


# ---------------------------------------------------------------------------------------------
# The dependency audit (`make audit` → .ci/audit.py → pip-audit); offline here: local services


def _audit_module() -> Any:
    spec = importlib.util.spec_from_file_location("audit_tool", REPO / ".ci" / "audit.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def _service(status: int, body: bytes) -> Iterator[str]:
    """A local HTTP service answering every request with `status` and `body`."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/pypi"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("status", "body", "words"),
    [
        (None, b"", "cannot reach the pypi vulnerability service"),
        (404, b"", "answered HTTP 404 when asked about pip"),
        (200, b"<html>", "did not answer with JSON"),
        (200, b'{"info": {}}', "answered without vulnerability data"),
    ],
)
def test_audit_says_why_it_cannot_run(monkeypatch, capsys, status, body, words) -> None:
    audit = _audit_module()
    monkeypatch.setattr(audit.subprocess, "run", lambda *a, **kw: pytest.fail("pip-audit must not run"))
    if status is None:  # nothing listens on the discard port: refused at once, no hang
        monkeypatch.setitem(audit.SERVICES, "pypi", "http://127.0.0.1:9/pypi")
        assert audit.main(["--timeout", "5"]) == 2
    else:
        with _service(status, body) as url:
            monkeypatch.setitem(audit.SERVICES, "pypi", url)
            assert audit.main(["--timeout", "5"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("make audit: ") and words in err and "No audit was done" in err


def test_audit_runs_pip_audit_strictly_when_the_service_answers(monkeypatch) -> None:
    audit = _audit_module()
    ran: list[list[str]] = []

    def fake_run(cmd: list[str], **kw: Any) -> subprocess.CompletedProcess:
        ran.append(cmd)
        return subprocess.CompletedProcess(cmd, 1)

    monkeypatch.setattr(audit.subprocess, "run", fake_run)
    with _service(200, b'{"info": {}, "vulnerabilities": []}') as url:
        monkeypatch.setitem(audit.SERVICES, "pypi", url)
        assert audit.main([]) == 1  # pip-audit's own verdict is the exit code
    assert ran and ran[0][1:3] == ["-m", "pip_audit"] and "--strict" in ran[0]


@pytest.mark.parametrize(("args", "address"), [([], "127.0.0.1"), (["HOST=0.0.0.0"], "0.0.0.0")])
def test_make_run_listens_on_localhost_unless_told(args: list[str], address: str) -> None:
    """`make run` serves this machine only unless HOST says otherwise (the dry run shows the command)."""
    if not shutil.which("make"):
        pytest.skip("no make")
    out = subprocess.run(
        ["make", "-n", "-C", str(REPO), "-o", ".venv/.installed", "run", *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"--server.address {address}" in out and "streamlit run app.py" in out
