"""MS Progress: a dashboard of progressive multiple sclerosis research activity.

The write side (`msprogress.ingest` builds snapshots from raw sources, `msprogress.refresh` pulls
the registry APIs) is never imported by the read side: `msprogress.db` and `msprogress.queries`
read a snapshot, `msprogress.data` caches the query results, `msprogress.figures` the figures
worth caching. The data core never imports Streamlit. Both rules are import-linter contracts in
pyproject.toml (tests/test_layering.py).
"""

__version__ = "0.1.0"
