"""What to ask NIH RePORTER API v2 for, and how to check its pages.

`POST /v2/projects/search` with `criteria.advanced_text_search` for the phrase "multiple
sclerosis" in project titles, abstracts and terms (`search_field: "all"`), one fiscal year at a
time (`criteria.fiscal_years: [FY]`), `offset` paging, `limit` 500 (the maximum). The response
is `{"meta": {"total": …}, "results": [...]}`; the next page of a year starts at `offset` plus
the results received, until `meta.total` is reached, then the next year begins at offset 0.

NOTE: one fiscal year per query because the API returns at most the first 10,000 records of a
search (offset + limit ≤ 10,000 in practice); MS projects number about a thousand a year.
`include_active_projects: false`, otherwise every year's query would add all active projects.
NOTE: RePORTER's published rate limit is one request per second (`MIN_INTERVAL`).
NOTE: an incremental pull (`since`) asks for the fiscal years from the one holding that date to
the current one: a new award, or a changed one, is filed under its fiscal year.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from msprogress.refresh.http import Client

SOURCE_ID = "reporter_api"
BASE_URL = "https://api.reporter.nih.gov/v2"
SEARCH_TEXT = '"multiple sclerosis"'
FIRST_FISCAL_YEAR = 1985  # RePORTER's project data begin with FY1985
MAX_LIMIT = 500
MAX_RECORDS = 10_000  # records one search returns at most
MIN_INTERVAL = 1.0


def fiscal_year(day: dt.date) -> int:
    """NIH fiscal year FY runs 1 October FY-1 to 30 September FY."""
    return day.year + 1 if day.month >= 10 else day.year


def default_years(today: dt.date, since: str | None = None) -> list[int]:
    first = fiscal_year(dt.date.fromisoformat(since)) if since else FIRST_FISCAL_YEAR
    return list(range(first, fiscal_year(today) + 1))


class ReporterProjects:
    """The `pull.Source` of NIH RePORTER projects."""

    source_id = SOURCE_ID
    unit = "project"

    def __init__(self, years: list[int], limit: int = MAX_LIMIT, since: str | None = None):
        if not years:
            raise ValueError("no fiscal years to ask for")
        self.years = sorted(years)
        self.limit = min(limit, MAX_LIMIT)
        self.since = since
        self.criteria: dict[str, Any] = {
            "advanced_text_search": {
                "operator": "advanced",
                "search_field": "all",
                "search_text": SEARCH_TEXT,
            },
            "include_active_projects": False,
        }
        self.query: dict[str, Any] = {
            "criteria": self.criteria,
            "fiscal_years": self.years,
            "limit": self.limit,
        }
        self.first_cursor: dict[str, Any] = {"fiscal_year": self.years[0], "offset": 0}
        self.truncated: dict[int, int] = {}  # fiscal year -> records the search had beyond MAX_RECORDS

    def fetch(self, client: Client, cursor: dict[str, Any]) -> bytes:
        body = {
            "criteria": {**self.criteria, "fiscal_years": [cursor["fiscal_year"]]},
            "offset": cursor["offset"],
            "limit": self.limit,
        }
        return client.post_bytes("projects/search", body)

    def check(self, data: Any) -> str | None:
        if not isinstance(data, dict):
            return f"expected a JSON object with 'meta' and 'results', got a {type(data).__name__}"
        total = data.get("meta", {}).get("total") if isinstance(data.get("meta"), dict) else None
        if not isinstance(total, int):
            return "no 'meta.total' count in the response"
        results = data.get("results")
        if not isinstance(results, list):
            return "no 'results' list in the response"
        for i, res in enumerate(results, start=1):
            if not isinstance(res, dict) or res.get("appl_id") is None:
                return f"result {i} has no appl_id"
        return None

    def records(self, data: Any) -> int:
        return len(data["results"])

    def next_cursor(self, data: Any, cursor: dict[str, Any]) -> dict[str, Any] | None:
        offset = cursor["offset"] + len(data["results"])
        total = data["meta"]["total"]
        if data["results"] and offset < min(total, MAX_RECORDS):
            return {"fiscal_year": cursor["fiscal_year"], "offset": offset}
        if total > MAX_RECORDS:
            self.truncated[cursor["fiscal_year"]] = total - MAX_RECORDS
        later = [y for y in self.years if y > cursor["fiscal_year"]]
        return {"fiscal_year": later[0], "offset": 0} if later else None

    def total(self, data: Any) -> int | None:
        return None  # meta.total is per fiscal year; the pull's total is not known in advance

    def describe(self, cursor: dict[str, Any]) -> str:
        return f"FY{cursor['fiscal_year']} offset {cursor['offset']}"
