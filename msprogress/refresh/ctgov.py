"""What to ask ClinicalTrials.gov API v2 for, and how to check its pages.

`GET /api/v2/studies?query.cond=multiple sclerosis&pageSize=1000&countTotal=true&pageToken=…`:
every study whose conditions, titles or keywords match the condition search, 1,000 per page
(the maximum), the next page named by the response's `nextPageToken` (absent on the last
page). `fields=protocolSection,hasResults` leaves out the results and derived sections, which
the readers do not use and which would make the pages several times larger; the site list
(`contactsLocationsModule.locations[]` with `geoPoint`) is in `protocolSection`.

An incremental pull (`since`) adds `filter.advanced=AREA[LastUpdatePostDate]RANGE[<since>,MAX]`:
only studies whose record was updated on or after that date.
"""

from __future__ import annotations

from typing import Any

from msprogress.ingest.api_pages import dig
from msprogress.refresh.http import Client

SOURCE_ID = "ctgov_api"
BASE_URL = "https://clinicaltrials.gov/api/v2"
CONDITION = "multiple sclerosis"
MAX_PAGE_SIZE = 1000
MIN_INTERVAL = 1.2  # seconds between requests: the API asks for about 50 requests a minute at most


class CtgovStudies:
    """The `pull.Source` of ClinicalTrials.gov studies."""

    source_id = SOURCE_ID
    unit = "study"

    def __init__(self, page_size: int = MAX_PAGE_SIZE, since: str | None = None):
        self.since = since
        self.query: dict[str, Any] = {
            "query.cond": CONDITION,
            "pageSize": min(page_size, MAX_PAGE_SIZE),
            "countTotal": "true",
            "fields": "protocolSection,hasResults",
            "format": "json",
        }
        if since:
            self.query["filter.advanced"] = f"AREA[LastUpdatePostDate]RANGE[{since},MAX]"
        self.first_cursor: dict[str, Any] = {"pageToken": None}

    def fetch(self, client: Client, cursor: dict[str, Any]) -> bytes:
        return client.get_bytes("studies", {**self.query, "pageToken": cursor.get("pageToken")})

    def check(self, data: Any) -> str | None:
        if not isinstance(data, dict):
            return f"expected a JSON object with 'studies', got a {type(data).__name__}"
        studies = data.get("studies")
        if not isinstance(studies, list):
            return "no 'studies' list in the response"
        token = data.get("nextPageToken")
        if token is not None and not (isinstance(token, str) and token):
            return f"'nextPageToken' is not a token: {token!r}"
        for i, study in enumerate(studies, start=1):
            if not isinstance(dig(study, "protocolSection.identificationModule.nctId"), str):
                return f"study {i} has no protocolSection.identificationModule.nctId"
        return None

    def records(self, data: Any) -> int:
        return len(data["studies"])

    def next_cursor(self, data: Any, cursor: dict[str, Any]) -> dict[str, Any] | None:
        token = data.get("nextPageToken")
        return {"pageToken": token} if token else None

    def total(self, data: Any) -> int | None:
        value = data.get("totalCount")
        return value if isinstance(value, int) else None

    def describe(self, cursor: dict[str, Any]) -> str:
        return "first page" if not cursor.get("pageToken") else f"pageToken {cursor['pageToken'][:12]}"
