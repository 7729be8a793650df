"""The NIH readers (RePORTER exports, ExPORTER weekly files) on rows cut verbatim from the real files.

Fixtures (tests/fixtures/raw/nih_reporter/, nih_exporter/): FY1993 and FY1999 RePORTER rows and
the FY2017 and FY2018 ExPORTER files, with the tricky rows: ALS, tuberous, systemic and
hippocampal sclerosis (false friends), EAE and remyelination, progressive MS (the FY1999 T-cell
vaccine trial, R21AI127354), a project in both years, a co-funded application split over four
rows (2822123), program projects with and without costed subprojects, contracts without a type
digit, intramural rows, VA awards with no TOTAL_COST, and ExPORTER's schema drift.

Expected values are read from the fixture files with the csv module, never typed in. Quirks the
real files do not contain (a blank last row, the same APPLICATION_ID in both ExPORTER series,
a Windows-1252 byte, a broken row) are made in a temporary copy from the real rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from msprogress import schema, style
from msprogress.ingest import nih_common, nih_exporter, nih_overlap, nih_reporter, toolkit
from msprogress.ingest.base import SourceError, SourceResult

RAW = Path(__file__).parent / "fixtures" / "raw"
REPORTER_FILES = sorted((RAW / "nih_reporter").glob("*.csv"))
EXPORTER_FILES = sorted((RAW / "nih_exporter").glob("*.csv"))
FY1999 = RAW / "nih_reporter" / "reporter_ninds_fy1999.csv"
EXP17 = RAW / "nih_exporter" / "exporter_prj_c_fy2017_weekly_rows_fy2017.csv"
EXP18 = RAW / "nih_exporter" / "exporter_prj_c_fy2018_weekly_rows_fy2018.csv"


def raw_rows(path: Path, normalise: bool = True) -> list[dict[str, str]]:
    """A fixture's data rows with (whitespace-normalised) headers, read with the csv module."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = [toolkit.normalise_header(h) if normalise else h for h in next(reader)]
        return [dict(zip(header, row, strict=False)) for row in reader]


def all_rows(files: list[Path]) -> list[dict[str, str]]:
    return [row for f in files for row in raw_rows(f)]


@pytest.fixture(scope="module")
def reporter() -> SourceResult:
    return nih_reporter.read(RAW)


@pytest.fixture(scope="module")
def exporter() -> SourceResult:
    return nih_exporter.read(RAW)


@pytest.fixture(scope="module")
def settled(reporter: SourceResult, exporter: SourceResult) -> dict[str, SourceResult]:
    """Both sources after the build's NIH step (shared projects, ExPORTER places)."""
    return {r.source_id: r for r in nih_overlap.settle([reporter, exporter])}


@pytest.fixture()
def raw_copy(tmp_path: Path) -> Path:
    shutil.copytree(RAW / "nih_reporter", tmp_path / "nih_reporter")
    shutil.copytree(RAW / "nih_exporter", tmp_path / "nih_exporter")
    return tmp_path


def grant(result: SourceResult, application_id: str) -> dict:
    g = result.tables["grants"]
    rows = g[g["grant_id"] == f"nih:{application_id}"].to_dict("records")
    assert len(rows) == 1, application_id
    return rows[0]


# --- row accounting -------------------------------------------------------------------------


@pytest.mark.parametrize("module,files", [(nih_reporter, REPORTER_FILES), (nih_exporter, EXPORTER_FILES)])
def test_every_row_is_read_and_accounted_for(module, files: list[Path]) -> None:
    result = module.read(RAW)
    by_path = {f.path: f for f in result.files}
    assert len(by_path) == len(files)
    for path in files:
        fr = by_path[f"{path.parent.name}/{path.name}"]
        assert fr.rows_read == len(raw_rows(path))
        assert fr.rows_read == fr.rows_kept + fr.rows_rejected
        assert fr.rows_rejected == 0  # every fixture row is a real, usable row
    id_col = "Application ID" if module is nih_reporter else "APPLICATION_ID"
    app_ids = {r[id_col] for r in all_rows(files)}
    assert set(result.tables["grants"]["grant_id"]) == {f"nih:{a}" for a in app_ids}


def test_header_normalisation_and_trailing_empty_column() -> None:
    raw_header = next(csv.reader(FY1999.open(encoding="utf-8", newline="")))
    assert "Administering  IC" in raw_header and "Program Official Information " in raw_header
    assert raw_header[-1] == ""  # RePORTER's trailing empty column
    cf = toolkit.read_csv(FY1999, RAW, nih_reporter.REQUIRED, aliases=nih_reporter.ALIASES)
    assert "Administering IC" in cf.header and "Contact PI Person ID" in cf.header
    assert "Program Official Information" in cf.header and "Subproject Number" in cf.header
    assert len(cf.header) == len(raw_header) - 1 and all(cf.header)


@pytest.mark.parametrize(
    "text,near,expected",
    [
        ("23-SEP-1993", 1993, dt.date(1993, 9, 23)),
        ("1-APR-1985", 1993, dt.date(1985, 4, 1)),
        ("23-SEP-93", 1993, dt.date(1993, 9, 23)),  # two-digit year: the century nearest the FY
        ("30-JUN-05", 2001, dt.date(2005, 6, 30)),
        ("01-OCT-99", 2001, dt.date(1999, 10, 1)),
        ("09/23/1993", 1993, dt.date(1993, 9, 23)),
        ("9/3/93", 1993, dt.date(1993, 9, 3)),
        ("1993-09-23", 1993, dt.date(1993, 9, 23)),
        ("2017-08-01T00:00:00", 2017, dt.date(2017, 8, 1)),
    ],
)
def test_every_date_layout_of_the_exports(text: str, near: int, expected: dt.date) -> None:
    assert toolkit.parse_date(text, "d", near=near) == expected


def test_unreadable_date_is_an_error_naming_the_value() -> None:
    with pytest.raises(toolkit.RowError, match="'sometime in 1993'") as err:
        toolkit.parse_date("sometime in 1993", "Award Notice Date")
    assert err.value.column == "Award Notice Date"


def test_reporter_budget_dates_give_grant_years(reporter: SourceResult) -> None:
    for row in all_rows(REPORTER_FILES):
        g = grant(reporter, row["Application ID"])
        if row["Budget Start Date"]:
            assert g["start_year"] == int(row["Budget Start Date"][-4:])


def test_blank_last_row_is_skipped_not_counted(raw_copy: Path) -> None:
    path = raw_copy / "nih_reporter" / FY1999.name
    n_cells = len(raw_rows(FY1999)[0])
    with path.open("ab") as fh:
        fh.write(b"," * (n_cells - 1) + b"\r\n" + b"\r\n")
    result = nih_reporter.read(raw_copy)
    fr = next(f for f in result.files if f.path.endswith(FY1999.name))
    assert fr.rows_read == len(raw_rows(FY1999)) and fr.rows_rejected == 0
    assert "2 blank rows skipped" in " ".join(result.notes)


def test_bad_row_is_a_rejection_with_file_row_and_column(raw_copy: Path) -> None:
    path = raw_copy / "nih_reporter" / FY1999.name
    lines = path.read_bytes().split(b"\r\n")
    app_id = raw_rows(FY1999)[2]["Application ID"].encode()
    lines[3] = lines[3].replace(b"," + app_id + b",", b",not-an-id,", 1)  # data row 3 = file row 4
    path.write_bytes(b"\r\n".join(lines))
    result = nih_reporter.read(raw_copy)
    (rej,) = result.rejections
    assert (rej.file, rej.row, rej.column) == (f"nih_reporter/{FY1999.name}", 4, "Application ID")
    fr = next(f for f in result.files if f.path == rej.file)
    assert (fr.rows_read, fr.rows_rejected) == (len(raw_rows(FY1999)), 1)
    assert fr.rows_read == fr.rows_kept + fr.rows_rejected


def test_cp1252_file_is_read_and_said_so(raw_copy: Path) -> None:
    path = raw_copy / "nih_reporter" / FY1999.name
    path.write_bytes(path.read_bytes().replace(b"MULTIPLE SCLEROSIS", b"MULTIPLE SCL\xc9ROSIS", 1))
    result = nih_reporter.read(raw_copy)
    assert any("cp1252" in n and FY1999.name in n for n in result.notes)
    assert result.tables["grants"]["title"].str.contains("SCLÉROSIS").any()


@pytest.mark.parametrize(
    "module,folder,column",
    [(nih_reporter, "nih_reporter", "FY"), (nih_exporter, "nih_exporter", "TOTAL_COST")],
)
def test_missing_required_column_names_file_and_column(
    raw_copy: Path, module, folder: str, column: str
) -> None:
    path = sorted((raw_copy / folder).glob("*.csv"))[0]
    header, rest = path.read_bytes().decode("utf-8").split("\r\n", 1)
    cells = header.split(",")
    cells[cells.index(column)] = "RENAMED"
    path.write_text(",".join(cells) + "\r\n" + rest, encoding="utf-8", newline="")
    with pytest.raises(SourceError) as err:
        module.read(raw_copy)
    assert path.name in str(err.value) and column in str(err.value)
    assert err.value.rejection.column == column


# --- keys, grouping, money ------------------------------------------------------------------


def test_project_numbers() -> None:
    assert nih_common.core_project_number("5R01NS022150-07") == "R01NS022150"
    assert nih_common.core_project_number("2P01NS016375-21A1") == "P01NS016375"
    assert nih_common.core_project_number("N01NS022323-002") == "N01NS022323"  # contract: no type digit
    assert nih_common.core_project_number("N01NS082386-5-0-0") == "N01NS082386"  # FY2000 contract layout
    assert nih_common.core_project_number("not a number") is None
    # ExPORTER's contract placeholder core number falls back to the contract number
    assert nih_common.core_from_exporter("N01AI000000", "272201200010C-12-0-4") == "272201200010C"
    assert nih_common.core_from_exporter("R21AI127354", "1R21AI127354-01A1") == "R21AI127354"


def test_project_in_two_fiscal_years_is_one_project_with_two_grants(reporter: SourceResult) -> None:
    by_core: dict[str, dict[str, dict[str, str]]] = {}
    for path in REPORTER_FILES:
        for row in raw_rows(path):
            if not row["Subproject Number"]:
                core = nih_common.core_project_number(row["Project Number"])
                by_core.setdefault(core, {})[row["FY"]] = row
    spanning = {core: years for core, years in by_core.items() if len(years) == 2}
    assert spanning, "the fixtures must hold a project in both fiscal years"
    projects = reporter.tables["projects"].set_index("project_id")
    grants = reporter.tables["grants"]
    for core, years in spanning.items():
        pid = f"nih:{core}"
        apps = {f"nih:{row['Application ID']}" for row in years.values()}
        assert set(grants.loc[grants["project_id"] == pid, "grant_id"]) >= apps
        latest = years[max(years)]
        assert projects.loc[pid, "title"] == latest["Project Title"]


def test_grant_amount_is_the_files_fy_total_cost(reporter: SourceResult) -> None:
    rows = all_rows(REPORTER_FILES)
    per_app = Counter(r["Application ID"] for r in rows)
    single = [r for r in rows if per_app[r["Application ID"]] == 1 and r["FY Total Cost by IC"]]
    assert single
    for row in single:
        g = grant(reporter, row["Application ID"])
        assert g["amount"] == float(row["FY Total Cost by IC"])
        assert (
            g["currency"] == "USD"
            and g["year"] == int(row["FY"])
            and g["amount_usd"] == pytest.approx(g["amount"])
        )


def test_co_funded_application_is_one_award_with_summed_amount(reporter: SourceResult) -> None:
    rows = all_rows(REPORTER_FILES)
    split = [a for a, n in Counter(r["Application ID"] for r in rows).items() if n > 1]
    assert split, "the fixtures must hold an application split over funding ICs"
    for app in split:
        parts = [r for r in rows if r["Application ID"] == app]
        assert len({r["Funding IC"] for r in parts}) == len(parts)
        assert grant(reporter, app)["amount"] == sum(float(r["FY Total Cost by IC"]) for r in parts)


def test_parent_of_costed_subprojects_is_a_programme_total(reporter: SourceResult) -> None:
    rows = all_rows(REPORTER_FILES)
    costed = {
        (nih_common.core_project_number(r["Project Number"]), r["FY"])
        for r in rows
        if r["FY Total Cost (Sub Projects)"]
    }
    parents = [r for r in rows if not r["Subproject Number"] and r["Activity"] in ("P01", "P50")]
    assert {(nih_common.core_project_number(r["Project Number"]), r["FY"]) in costed for r in parents} == {
        True,
        False,
    }
    for row in parents:
        g = grant(reporter, row["Application ID"])
        is_total = (nih_common.core_project_number(row["Project Number"]), row["FY"]) in costed
        assert (g["record_type"], g["amount_basis"]) == (
            ("programme", "total") if is_total else ("award", "exact")
        )
    for row in rows:
        if row["Subproject Number"]:
            g = grant(reporter, row["Application ID"])
            core = nih_common.core_project_number(row["Project Number"])
            assert g["project_id"] == f"nih:{core}/{row['Subproject Number']}" and g["record_type"] == "award"
            if row["FY Total Cost (Sub Projects)"]:
                assert g["amount"] == float(row["FY Total Cost (Sub Projects)"])
            else:  # FY1993 subprojects report no cost: missing, not zero
                assert pd.isna(g["amount"]) and pd.isna(g["amount_basis"])


def test_exporter_amount_fallbacks(exporter: SourceResult) -> None:
    rows = all_rows(EXPORTER_FILES)
    kinds = Counter()
    for row in rows:
        g = grant(exporter, row["APPLICATION_ID"])
        by_ic = sum(float(p.split(":")[1]) for p in row["FUNDING_ICs"].split("\\") if p)
        if row["TOTAL_COST"]:
            expected, kind = float(row["TOTAL_COST"]), "total"
        elif row["TOTAL_COST_SUB_PROJECT"]:
            expected, kind = float(row["TOTAL_COST_SUB_PROJECT"]), "subproject"
        else:
            expected, kind = by_ic, "funding ICs"
        assert g["amount"] == expected, row["APPLICATION_ID"]
        kinds[kind] += 1
    assert set(kinds) == {"total", "subproject", "funding ICs"}  # every fallback is exercised


def test_exporter_funder_from_ic_name(exporter: SourceResult) -> None:
    for row in all_rows(EXPORTER_FILES):
        g = grant(exporter, row["APPLICATION_ID"])
        inst = nih_common.IC_NAMES[row["IC_NAME"].upper()]
        assert (g["funder"], g["funder_group"]) == (inst.funder, inst.funder_group)
        if inst.funder_group == "NIH":
            assert g["funder"] == "NIH " + inst.acronym


def test_duplicate_application_id_across_series_counted_once(raw_copy: Path) -> None:
    # NOTE: the real files hold no APPLICATION_ID twice; publish one real FY2017 row again in an
    # FY2018-series file, as the weekly files can.
    header, row = EXP17.read_bytes().decode("utf-8").split("\r\n")[:2]
    later = raw_copy / "nih_exporter" / "exporter_prj_c_fy2018_weekly_rows_fy2017.csv"
    later.write_text(header + "\r\n" + row + "\r\n", encoding="utf-8", newline="")
    app_id = row.split(",")[0]
    result = nih_exporter.read(raw_copy)
    grants = result.tables["grants"]
    assert (grants["grant_id"] == f"nih:{app_id}").sum() == 1
    assert grant(result, app_id)["source_file"] == f"nih_exporter/{later.name}"
    (rej,) = result.rejections
    assert rej.file == f"nih_exporter/{EXP17.name}" and rej.row == 2 and rej.column == "APPLICATION_ID"
    assert rej.reason.startswith(f"duplicate APPLICATION_ID already read from nih_exporter/{later.name}")
    for fr in result.files:
        assert fr.rows_read == fr.rows_kept + fr.rows_rejected
    assert sum(f.rows_read for f in result.files) == len(all_rows(EXPORTER_FILES)) + 1
    assert len(grants) == len({r["APPLICATION_ID"] for r in all_rows(EXPORTER_FILES)})


def test_exporter_columns_are_mapped_by_name_not_position(raw_copy: Path, exporter: SourceResult) -> None:
    assert "ORG_IPF_CODE" not in raw_rows(EXP17)[0] and "ORG_IPF_CODE" in raw_rows(EXP18)[0]
    path = raw_copy / "nih_exporter" / EXP18.name
    with EXP18.open(encoding="utf-8", newline="") as fh:
        table = [list(reversed(r)) for r in csv.reader(fh)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(table)
    shuffled = nih_exporter.read(raw_copy).tables["grants"].sort_values("grant_id").reset_index(drop=True)
    original = exporter.tables["grants"].sort_values("grant_id").reset_index(drop=True)
    assert shuffled.drop(columns="source_file").equals(original.drop(columns="source_file"))


def test_exporter_organisation_gets_reporter_coordinates_by_ipf(settled: dict[str, SourceResult]) -> None:
    exporter = settled["nih_exporter"]
    reporter_coords = {
        r["Organization ID (IPF)"]: (float(r["Latitude"]), float(r["Longitude"]))
        for r in all_rows(REPORTER_FILES)
        if r["Organization ID (IPF)"] and r["Latitude"]
    }
    ipfs = {r["ORG_IPF_CODE"] for r in raw_rows(EXP18)} & set(reporter_coords)
    assert ipfs, "the fixtures must share an IPF organisation between RePORTER and ExPORTER"
    orgs = exporter.tables["organisations"].set_index("org_id")
    for ipf in ipfs:
        assert tuple(orgs.loc[f"nih:{ipf}", ["latitude", "longitude"]]) == reporter_coords[ipf]
    places = Counter(
        (r["Organization Name"], r["Organization City"])
        for r in {r["Organization ID (IPF)"]: r for r in all_rows(REPORTER_FILES) if r["Latitude"]}.values()
    )
    by_place = orgs.apply(lambda o: places[(o["name"], o["city"])] == 1, axis=1)
    others = orgs[~orgs.index.isin({f"nih:{i}" for i in reporter_coords}) & ~by_place]
    assert len(others) and others["latitude"].isna().all()  # no coordinates are invented


# --- classification --------------------------------------------------------------------------

FALSE_FRIENDS = (
    "ALS",
    "AMYOTROPHIC",
    "TUBEROUS SCLEROSIS",
    "SYSTEMIC SCLEROSIS",
    "SCLERODERMA",
    "HIPPOCAMPAL SCLEROSIS",
)


@pytest.mark.parametrize("which", ["reporter", "exporter"])
def test_false_friends_are_not_ms(which: str, request: pytest.FixtureRequest) -> None:
    result: SourceResult = request.getfixturevalue(which)
    g = result.tables["grants"]
    titles = g["title"].str.upper()
    hit = g[titles.str.contains("|".join(rf"\b{w}\b" for w in FALSE_FRIENDS))]
    assert len(hit) >= 3
    assert set(hit["ms_relevance"]) == {"Not MS"} and hit["gap_area"].isna().all()


def test_als_grant_is_not_ms(reporter: SourceResult) -> None:
    als = [r for r in all_rows(REPORTER_FILES) if "FAMILIAL ALS" in r["Project Title"]]
    assert als
    for row in als:
        assert grant(reporter, row["Application ID"])["ms_relevance"] == "Not MS"


def test_ms_models_and_progressive_ms(reporter: SourceResult, exporter: SourceResult) -> None:
    for result in (reporter, exporter):
        g = result.tables["grants"]
        models = g[g["title"].str.contains(r"\bEAE\b|REMYELINATION", case=False)]
        assert len(models) and (models["ms_relevance"] != "Not MS").all()
    progressive = [r for r in all_rows(REPORTER_FILES) if "PROGRESSIVE MS" in r["Project Title"]]
    assert progressive
    for row in progressive:
        assert grant(reporter, row["Application ID"])["ms_relevance"] == "Progressive-specific"


def test_grants_of_the_latest_year_carry_their_projects_classification(
    settled: dict[str, SourceResult],
) -> None:
    for result in settled.values():
        g = result.tables["grants"]
        latest = g.groupby("project_id")["year"].transform("max") == g["year"]
        merged = g[latest].merge(result.tables["projects"], on="project_id", suffixes=("", "_p"))
        assert len(merged) > 0.5 * latest.sum()  # the rest: project row in the other source
        assert (merged["ms_relevance"] == merged["ms_relevance_p"]).all()
        assert merged["gap_area"].fillna("").eq(merged["gap_area_p"].fillna("")).all()


def test_a_later_years_file_never_changes_an_earlier_years_grants(
    raw_copy: Path, reporter: SourceResult
) -> None:
    """Stable relevance: a grant is classified from its project's text up to its own fiscal
    year, so the FY1993 grants are the same whether or not the FY1999 file is present."""
    (raw_copy / "nih_reporter" / FY1999.name).unlink()
    alone = nih_reporter.read(raw_copy).tables["grants"].set_index("grant_id")
    both = reporter.tables["grants"].set_index("grant_id")
    early = alone.index
    cols = ["ms_relevance", "gap_area", "amount", "year"]
    pd.testing.assert_frame_equal(alone.loc[early, cols], both.loc[early, cols])
    spanning = set(alone["project_id"]) & set(both.loc[both["year"] == 1999, "project_id"])
    assert spanning, "the fixtures must hold a project in both fiscal years"


def test_new_text_in_a_later_year_reclassifies_that_year_only(raw_copy: Path, reporter: SourceResult) -> None:
    """A project whose FY1999 terms name MS (as R01NS025044's FY2003 terms do in the real files):
    its FY1999 award and its project row become MS research, its FY1993 award stays as it was."""
    g = reporter.tables["grants"]
    spanning = g.groupby("project_id")["year"].agg(set)
    pid = next(
        p
        for p, ys in spanning.items()
        if ys == {1993, 1999} and set(g.loc[g.project_id == p, "ms_relevance"]) == {"Not MS"}
    )
    core = pid.removeprefix("nih:")
    path = raw_copy / "nih_reporter" / FY1999.name
    with FY1999.open(encoding="utf-8", newline="") as fh:
        table = list(csv.reader(fh))
    h = table[0]
    for row in table[1:]:
        if nih_common.core_project_number(row[h.index("Project Number")]) == core:
            row[h.index("Project Terms")] += ";multiple sclerosis;"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(table)
    again = nih_reporter.read(raw_copy)
    mine = again.tables["grants"][again.tables["grants"].project_id == pid].set_index("year")["ms_relevance"]
    assert set(mine.loc[[1993]]) == {"Not MS"} and "Not MS" not in set(mine.loc[[1999]])
    project = again.tables["projects"].set_index("project_id").loc[pid]
    assert {project.ms_relevance} == set(mine.loc[[1999]])


def test_project_in_both_sources_has_one_row_from_the_latest_source(
    settled: dict[str, SourceResult],
) -> None:
    reporter, exporter = settled["nih_reporter"], settled["nih_exporter"]
    rep = {
        f"nih:{nih_common.core_project_number(r['Project Number'])}": int(r["FY"])
        for r in all_rows(REPORTER_FILES)
    }
    exp = {
        f"nih:{r['CORE_PROJECT_NUM']}": int(r["FY"])
        for r in all_rows(EXPORTER_FILES)
        if not r["SUBPROJECT_ID"]
    }
    shared = set(rep) & set(exp)
    assert shared, "the fixtures must hold a project in both sources"
    both = pd.concat([reporter.tables["projects"], exporter.tables["projects"]])
    assert both["project_id"].is_unique
    for pid in shared:
        owner = exporter if exp[pid] >= rep[pid] else reporter
        assert pid in set(owner.tables["projects"]["project_id"])
        assert pid in set(reporter.tables["grants"]["project_id"]) & set(
            exporter.tables["grants"]["project_id"]
        )


# --- contract, as_of, coverage ---------------------------------------------------------------


@pytest.mark.parametrize("which", ["nih_reporter", "nih_exporter"])
def test_tables_follow_the_schema(which: str, settled: dict[str, SourceResult]) -> None:
    result = settled[which]
    for name, df in result.tables.items():
        assert set(df.columns) <= {c.name for c in schema.TABLES[name]}, name
    g, p = result.tables["grants"], result.tables["projects"]
    assert g["grant_id"].is_unique and p["project_id"].is_unique
    assert result.tables["organisations"]["org_id"].is_unique
    others = settled["nih_exporter" if which == "nih_reporter" else "nih_reporter"]
    all_projects = set(p["project_id"]) | set(others.tables["projects"]["project_id"])
    assert set(g["project_id"]) <= all_projects
    assert set(g["record_type"]) <= set(schema.RECORD_TYPES)
    assert set(g["amount_basis"].dropna()) <= set(schema.AMOUNT_BASES)
    assert set(p["ms_relevance"]) <= set(schema.RELEVANCE)
    assert set(p["gap_area"].dropna()) <= set(schema.GAP_AREAS)
    assert set(g["year_convention"]) == {"NIH fiscal year"}
    assert g["url"].str.fullmatch(r"https://reporter\.nih\.gov/project-details/\d+").all()
    assert (g["as_of"] == dt.date.fromisoformat(result.as_of)).all()


def test_as_of(reporter: SourceResult, exporter: SourceResult) -> None:
    newest_fy = max(int(r["FY"]) for r in all_rows(REPORTER_FILES))
    assert reporter.as_of == f"{newest_fy}-09-30"
    notices = [
        dt.datetime.strptime(r["AWARD_NOTICE_DATE"], "%m/%d/%Y").date() for r in all_rows(EXPORTER_FILES)
    ]
    assert exporter.as_of == max(notices).isoformat()


def test_fiscal_years_are_judged_from_award_dates(reporter: SourceResult, exporter: SourceResult) -> None:
    rep_years = {int(r["FY"]) for r in all_rows(REPORTER_FILES)}
    exp_years = {int(r["FY"]) for r in all_rows(EXPORTER_FILES)}
    rep = {(c["series_id"], c["year"]): c for c in reporter.coverage}
    assert {y for _, y in rep} == rep_years
    assert {s for s, _ in rep} == {"nih_reporter:NIH NINDS"}
    for (_, fy), c in rep.items():
        dates = [
            toolkit.parse_date(r["Award Notice Date"] or r["Budget Start Date"], "d")
            for r in all_rows(REPORTER_FILES)
            if int(r["FY"]) == fy and (r["Award Notice Date"] or r["Budget Start Date"])
        ]
        inside = [d for d in dates if d and dt.date(fy - 1, 10, 1) <= d <= dt.date(fy, 9, 30)]
        spans = min(inside) <= dt.date(fy - 1, 12, 31) and max(inside) >= dt.date(fy, 9, 1)
        assert c["coverage"] == ("complete" if spans else "partial"), fy
        assert str(min(inside)) in c["basis"] and str(max(inside)) in c["basis"]
    assert {c["year"]: c["coverage"] for c in exporter.coverage} == dict.fromkeys(
        sorted(exp_years), "partial"
    )
    assert any(style.year_ranges(rep_years) in n for n in reporter.notes)


def test_a_file_cut_before_the_fiscal_year_ended_is_partial(raw_copy: Path) -> None:
    """An export taken mid-year (RePORTER shows the running fiscal year) holds only the awards
    noticed so far: the year is partial, never complete."""
    path = raw_copy / "nih_reporter" / FY1999.name
    with FY1999.open(encoding="utf-8", newline="") as fh:
        table = list(csv.reader(fh))
    notice = table[0].index("Award Notice Date")
    early = [r for r in table[1:] if r[notice] and toolkit.parse_date(r[notice], "d") < dt.date(1999, 4, 1)]
    assert early and len(early) < len(table) - 1
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows([table[0], *early])
    cov = {c["year"]: c for c in nih_reporter.read(raw_copy).coverage}
    assert cov[1999]["coverage"] == "partial" and "part of the fiscal year" in cov[1999]["basis"]


def _other_version(src: Path, dest: Path) -> None:
    """The same real rows as an older/newer RePORTER export would write them: two-digit years,
    month-first slash dates for budget dates, no trailing empty column, no-break spaces in the
    header and in text."""
    with src.open(encoding="utf-8", newline="") as fh:
        table = list(csv.reader(fh))
    header = [h.replace("Administering  IC", "Administering\u00a0IC") for h in table[0][:-1]]
    out = [header]
    for row in table[1:]:
        cells = row[: len(header)]
        for i, h in enumerate(header):
            v = cells[i] if i < len(cells) else ""
            if h.endswith("Date") and len(v) >= 9 and v[-5] == "-":
                d = toolkit.parse_date(v, h)
                v = d.strftime("%m/%d/%Y") if h.startswith("Budget") else v[:-4] + v[-2:]
            if h == "Project Title":
                v = v.replace(" ", "\u00a0", 1)
            if i < len(cells):
                cells[i] = v
        out.append(cells)
    with dest.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(out)


def test_another_export_version_gives_the_same_awards(raw_copy: Path, reporter: SourceResult) -> None:
    for path in REPORTER_FILES:
        _other_version(path, raw_copy / "nih_reporter" / path.name)
    written = (raw_copy / "nih_reporter" / "reporter_ninds_fy1993.csv").read_text(encoding="utf-8")
    assert re.search(r",\d{1,2}-[A-Z]{3}-9\d,", written) and re.search(r",\d\d/\d\d/199\d,", written)
    assert (
        "Administering\u00a0IC" in written
        and "FY Total Cost (Sub Projects)," in written.splitlines()[0] + ","
    )
    again = nih_reporter.read(raw_copy)
    assert again.rows_rejected == 0 and not [r for r in again.rejections if r.row_kept]
    cols = ["grant_id", "year", "amount", "start_year", "end_year", "record_type", "ms_relevance", "funder"]
    a = again.tables["grants"][cols].sort_values("grant_id").reset_index(drop=True)
    b = reporter.tables["grants"][cols].sort_values("grant_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    titles = dict(zip(again.tables["projects"]["project_id"], again.tables["projects"]["title"], strict=True))
    assert all("\u00a0" not in t for t in titles.values() if isinstance(t, str))
    assert again.coverage == reporter.coverage


def test_unreadable_secondary_date_keeps_the_row_and_its_money(
    raw_copy: Path, reporter: SourceResult
) -> None:
    path = raw_copy / "nih_reporter" / FY1999.name
    with FY1999.open(encoding="utf-8", newline="") as fh:
        table = list(csv.reader(fh))
    col = table[0].index("Project End Date")
    app = table[0].index("Application ID")
    row = next(r for r in table[1:] if r[col])
    row[col] = "end of the decade"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(table)
    again = nih_reporter.read(raw_copy)
    assert again.rows_rejected == 0
    (issue,) = again.rejections
    assert issue.row_kept and issue.column == "Project End Date" and "'end of the decade'" in issue.reason
    assert grant(again, row[app])["amount"] == grant(reporter, row[app])["amount"]


def test_contract_written_as_contract_is_kept(raw_copy: Path) -> None:
    """FY2000's export writes three R&D contracts' number as the word 'Contract' (e.g. Application
    ID 6348680, a losigamone trial): done here to a real FY1993 contract row."""
    fy1993 = RAW / "nih_reporter" / "reporter_ninds_fy1993.csv"
    path = raw_copy / "nih_reporter" / fy1993.name
    with fy1993.open(encoding="utf-8", newline="") as fh:
        table = list(csv.reader(fh))
    h = table[0]
    row = next(r for r in table[1:] if r[h.index("Activity")] == "N01")
    row[h.index("Project Number")] = "Contract"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(table)
    g = grant(nih_reporter.read(raw_copy), row[h.index("Application ID")])
    assert g["project_id"] == f"nih:N01NS-appl{row[h.index('Application ID')]}"


def test_grant_award_and_start_dates_are_the_notice_and_budget_start(reporter: SourceResult) -> None:
    """Each award's award_date is its row's Award Notice Date, start_date its Budget Start Date
    (a co-funded application's rows share both)."""
    src = {r["Application ID"]: r for r in all_rows(REPORTER_FILES)}
    g = reporter.tables["grants"]
    assert g["award_date"].notna().any() and g["start_date"].notna().any()
    for gid, award, start in zip(g["grant_id"], g["award_date"], g["start_date"], strict=True):
        r = src[gid.removeprefix("nih:")]
        for got, col in ((award, "Award Notice Date"), (start, "Budget Start Date")):
            want = toolkit.parse_date(r[col], col, near=int(r["FY"])) if r[col] else None
            assert (got == want) if want else pd.isna(got), (gid, col)
