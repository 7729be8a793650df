"""Layers: the data core never imports Streamlit, pages hold no SQL, and the checks can fail.

The core is one list, the import-linter contract's `source_modules` in pyproject.toml. Two checks
run in `make test`, each with a reason the other cannot cover:
- the contract (import-linter, static): sees every import, one inside a function too, and chains
  through another module (the core importing `msprogress.data`, which imports Streamlit);
- the runtime check: every module of the core, found by walking its packages, imported in a fresh
  interpreter, then `sys.modules` inspected: what really happens at import time.
NOTE: the first version of this test imported five modules whose own imports are lazy, so
`import streamlit` added to `charts/pipeline.py` passed it. Both checks are therefore also run on
a copy of the package with the import planted, where they must fail and name the module.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import REPO

PLANT = "\nimport streamlit  # planted by tests/test_layering.py\n"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# Run in a fresh interpreter: find every module of the core packages, then import each one on its
# own (every msprogress and streamlit module dropped from sys.modules before it), and name those
# after whose import Streamlit is in sys.modules. Prints where `msprogress` came from, every
# module imported, and the importers.
RUNTIME_CHECK = """
import importlib, json, pkgutil, sys
names = []
for name in json.loads(sys.argv[1]):
    module = importlib.import_module(name)
    names.append(name)
    if hasattr(module, "__path__"):
        names += [m.name for m in pkgutil.walk_packages(module.__path__, name + ".")]
package = sys.modules["msprogress"].__file__
importers = []
for name in names:
    for k in [k for k in sys.modules if k.split(".")[0] in ("msprogress", "streamlit")]:
        del sys.modules[k]
    importlib.import_module(name)
    if "streamlit" in sys.modules:
        importers.append(name)
print(json.dumps({"package": package, "modules": names, "importers": importers}))
"""


def core_packages(root: Path = REPO) -> list[str]:
    config = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if "Streamlit" in c["name"]]
    return list(contract["source_modules"])


def core_files(root: Path = REPO) -> dict[str, Path]:
    """Every module of the core, by name, found on disk (not by importing)."""
    out: dict[str, Path] = {}
    for name in core_packages(root):
        path = root / name.replace(".", "/")
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path.with_suffix(".py")]
        for f in files:
            parts = f.relative_to(root).with_suffix("").parts
            out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = f
    return out


def _env(root: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(root)}  # before the editable install's finder


def contract(root: Path = REPO) -> subprocess.CompletedProcess[str]:
    cmd = [str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")]
    return subprocess.run(cmd, cwd=root, env=_env(root), capture_output=True, text=True)


def runtime_check(root: Path = REPO) -> dict:
    cmd = [sys.executable, "-c", RUNTIME_CHECK, json.dumps(core_packages(root))]
    out = subprocess.run(cmd, cwd=root, env=_env(root), capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    assert Path(result["package"]).is_relative_to(root), "the check imported another copy of msprogress"
    return result


@pytest.fixture()
def copy(tmp_path: Path) -> Path:
    """A copy of the package and its config to plant imports in (data folders linked, not copied)."""
    (tmp_path / "pyproject.toml").write_text((REPO / "pyproject.toml").read_text())
    for name in ("msprogress",):
        subprocess.run(["cp", "-r", str(REPO / name), str(tmp_path / name)], check=True)
    for name in ("data", "queries", "static"):
        (tmp_path / name).symlink_to(REPO / name)
    return tmp_path


def plant(root: Path, module: str, text: str = PLANT) -> None:
    path = core_files(root)[module]
    path.write_text(path.read_text() + text)


# --- the real tree ---------------------------------------------------------------------------------------
def test_contract_holds():
    result = contract()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The data core never imports Streamlit KEPT" in result.stdout


def test_importing_every_core_module_leaves_streamlit_out():
    result = runtime_check()
    assert result["importers"] == []
    assert sorted(result["modules"]) == sorted(core_files()), "the walk missed modules on disk"
    assert {"msprogress.charts.pipeline", "msprogress.ingest.classify"} <= set(result["modules"])


# --- planted in a copy: both checks must fail, naming the module -----------------------------------------
def test_contract_fails_wherever_streamlit_is_planted(copy: Path):
    modules = sorted(core_files(copy))
    for module in modules:
        plant(copy, module)
    result = contract(copy)
    assert result.returncode != 0 and "BROKEN" in result.stdout
    missed = [m for m in modules if f"{m} -> streamlit" not in result.stdout]
    assert missed == [], f"the contract did not name {missed}"


@pytest.mark.parametrize(
    ("module", "text"),
    [
        ("msprogress.charts.pipeline", "\n\ndef _lazy() -> None:\n    import streamlit  # noqa: F401\n"),
        ("msprogress.filters", "\nfrom msprogress import data  # noqa: E402,F401\n"),
    ],
    ids=["inside-a-function", "through-msprogress.data"],
)
def test_contract_sees_lazy_and_indirect_imports(copy: Path, module: str, text: str):
    plant(copy, module, text)
    result = contract(copy)
    assert result.returncode != 0, result.stdout
    assert f"{module} -> " in result.stdout and "-> streamlit" in result.stdout


@pytest.mark.parametrize(
    "module",
    # the two modules of issue 13, and a package's __init__ (imported by every module beside it).
    # NOTE: each module importing the planted one imports Streamlit afresh (~1 s): the cases are few.
    ["msprogress.charts.pipeline", "msprogress.ingest.classify", "msprogress.charts"],
)
def test_runtime_check_fails_where_streamlit_is_planted(copy: Path, module: str):
    plant(copy, module)
    result = runtime_check(copy)
    assert module in result["importers"] and "streamlit" not in " ".join(result["importers"])


# --- pages -----------------------------------------------------------------------------------------------
def test_pages_contain_no_sql():
    for page in (REPO / "pages").glob("*.py"):
        text = page.read_text()
        assert "duckdb" not in text and "select " not in text.lower(), page.name


def test_pages_draw_charts_and_tables_the_shared_way():
    """Charts go through page.chart (offline config, presenter look, image downloads) and tables
    through page.table (hall-sized in presenter mode); a page calling Streamlit's own would
    escape both."""
    for page in (REPO / "pages").glob("*.py"):
        text = page.read_text()
        assert "st.dataframe(" not in text and "st.plotly_chart(" not in text, page.name
