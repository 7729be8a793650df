"""Data code never imports the UI framework (checked in a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys

CORE = [
    "msprogress.ingest.build",
    "msprogress.db",
    "msprogress.queries",
    "msprogress.filters",
    "msprogress.charts",
    "msprogress.changes",
]


def test_core_does_not_import_streamlit():
    code = "import sys\n" + "".join(f"import {m}\n" for m in CORE) + "print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_pages_contain_no_sql():
    from pathlib import Path

    for page in Path(__file__).resolve().parent.parent.joinpath("pages").glob("*.py"):
        text = page.read_text()
        assert "duckdb" not in text and "select " not in text.lower(), page.name


def test_pages_draw_charts_and_tables_the_shared_way():
    """Charts go through page.chart (offline config, presenter look, image downloads) and tables
    through page.table (hall-sized in presenter mode); a page calling Streamlit's own would
    escape both."""
    from pathlib import Path

    for page in Path(__file__).resolve().parent.parent.joinpath("pages").glob("*.py"):
        text = page.read_text()
        assert "st.dataframe(" not in text and "st.plotly_chart(" not in text, page.name
