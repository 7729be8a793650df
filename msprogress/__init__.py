"""MS Progress: a dashboard of progressive multiple sclerosis research activity.

The package is split so that data code never imports the UI framework:
`msprogress.ingest` builds snapshots from raw sources, `msprogress.db` and
`msprogress.queries` read them, and only `msprogress.data` / `msprogress.ui` touch Streamlit.
"""

__version__ = "0.1.0"
