"""Named SQL queries: one file per query in `queries/`, each opening with a header comment.

Header format (parsed here, checked by tests):

    -- purpose: one line
    -- params:
    --   $f  STRUCT  the filter state (see msprogress/filters.py)
    -- columns:
    --   name  TYPE  description

Only `$named` parameters are used; the text of a query never contains a user's value.
`queries/_macros.sql` holds the shared filter macros and is loaded once per connection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from msprogress.paths import QUERIES

_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
COMPARING_PREFIX = "diff_"


@dataclass(frozen=True)
class Query:
    name: str
    sql: str
    purpose: str
    params: tuple[str, ...]
    columns: tuple[tuple[str, str, str], ...]  # (name, type, description)

    @property
    def column_names(self) -> list[str]:
        return [c[0] for c in self.columns]

    @property
    def compares(self) -> bool:
        """A `diff_*` query compares two snapshots: it reads the earlier one's `prev_*` views and runs
        only on a database opened with an earlier snapshot (see msprogress/db.py)."""
        return self.name.startswith(COMPARING_PREFIX)


def _parse(name: str, sql: str) -> Query:
    purpose, section = "", None
    columns: list[tuple[str, str, str]] = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        body = line[2:].strip()
        if body.startswith("purpose:"):
            purpose = body.split(":", 1)[1].strip()
        elif body in ("params:", "columns:"):
            section = body[:-1]
        elif section == "columns" and body:
            parts = body.split(None, 2)
            columns.append((parts[0], parts[1] if len(parts) > 1 else "", parts[2] if len(parts) > 2 else ""))
    params = tuple(sorted(set(_PARAM.findall(sql))))
    return Query(name, sql, purpose, params, tuple(columns))


@cache
def get(name: str) -> Query:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise KeyError(name)
    path = QUERIES / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"no query named {name!r} in {QUERIES}")
    return _parse(name, path.read_text())


def names() -> list[str]:
    return sorted(p.stem for p in QUERIES.glob("*.sql") if not p.stem.startswith("_"))


def macros_sql() -> str:
    return (QUERIES / "_macros.sql").read_text()
