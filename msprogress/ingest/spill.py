"""Rows kept on disk between reading and the snapshot write, so the build's memory does not grow
with the rows of the member files (issue 14, point 3).

A member file may hold 100,000 rows and there may be many files. Their reader validates a row at a
time and hands its rows to `toolkit.TableChunks`, which casts every chunk of 10,000 rows to the
table's declared Arrow schema (`frame_to_arrow`, the build's own cast) and appends it to a
`Spill`: a parquet file, one row group a chunk. The build never loads a spill whole:

- `assemble` makes a table with spilled parts a `Streamed` table (in-memory parts and spills, in
  source order); `validate` reads it a row group at a time, or only its key columns;
- `write_snapshot` writes it a row group at a time into the snapshot's parquet file.

So the build holds, per member row, only what cannot be streamed: its normalised id (for the
uniqueness check across files) while reading, and its key columns while validating.

Where: `into(folder)` (the build: `snapshots/.tmp-spill-<pid>`, removed when the build ends and
swept after a killed build like any staging folder); outside a build (a test reading member files)
each spill is a temporary file removed when its `Spill` is garbage-collected.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import weakref
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from msprogress import schema
from msprogress.ingest.guard import BuildError, disk_error

_FOLDER: list[Path] = []  # the folder spills go to while a build runs (`into`)
# Row groups of a streamed table are joined up to this many rows before a snapshot write.
WRITE_ROWS = 100_000
# Whole numbers read back as pandas' nullable integers (a missing year stays missing), as readers make them.
_NULLABLE_INTS = {t: pd.Int64Dtype() for t in (pa.int8(), pa.int16(), pa.int32(), pa.int64())}


@contextlib.contextmanager
def into(folder: Path) -> Iterator[Path]:
    """Spills made inside go to `folder` (created, and removed with everything in it at the end)."""
    try:
        folder.mkdir(parents=True)
    except OSError as exc:
        raise disk_error(exc, folder.parent) from exc
    _FOLDER.append(folder)
    try:
        yield folder
    finally:
        _FOLDER.remove(folder)
        shutil.rmtree(folder, ignore_errors=True)


def frame_to_arrow(df: pd.DataFrame, table: str, target: pa.Schema | None = None) -> pa.Table:
    """One partial frame as the table's declared schema: a column it lacks is all nulls."""
    target = (target or schema.arrow_schema(table)).with_metadata(None)
    arrays = [
        to_arrow(df[c], target.field(c).type, table, c)
        if c in df.columns
        else pa.nulls(len(df), target.field(c).type)
        for c in target.names
    ]
    return pa.Table.from_arrays(arrays, schema=target)


def to_arrow(series: pd.Series, type_: pa.DataType, table: str, col: str) -> pa.Array:
    s = series.astype(object).where(series.notna(), None)
    if pa.types.is_date32(type_):
        s = pd.to_datetime(s, errors="raise").dt.date.astype(object).where(s.notna(), None)
    try:
        return pa.array(s.tolist(), type=type_, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as exc:
        raise BuildError(f"table {table}, column {col}: cannot store as {type_}: {exc}") from exc


class Spill:
    """One canonical table's rows in a parquet file, written a chunk (row group) at a time."""

    def __init__(self, table: str):
        self.table = table
        # every column nullable on disk: a missing required value is the build's `validate` to
        # report ("column X has N nulls"), as for rows held in memory
        self.schema = nullable(schema.arrow_schema(table))
        self.rows = 0
        folder = _FOLDER[-1] if _FOLDER else None
        # a write that fails names the snapshots folder in a build (the spill folder is inside it)
        self._shown = folder.parent if folder else Path(tempfile.gettempdir())
        try:
            fd, name = tempfile.mkstemp(prefix=f"{table}-", suffix=".parquet", dir=folder)
            os.close(fd)
            self.path = Path(name)
            if folder is None:  # outside a build: the file lives as long as this object
                weakref.finalize(self, self.path.unlink, missing_ok=True)
            self._writer: pq.ParquetWriter | None = pq.ParquetWriter(
                self.path, self.schema, compression="none"
            )
        except OSError as exc:
            raise disk_error(exc, self._shown) from exc

    def append(self, df: pd.DataFrame) -> None:
        """Cast `df` to the table's schema (as the build does) and write it as one row group."""
        if self._writer is None:
            raise RuntimeError(f"spill of {self.table} is closed")
        part = frame_to_arrow(df, self.table, self.schema)
        try:
            self._writer.write_table(part)
        except OSError as exc:
            raise disk_error(exc, self._shown) from exc
        self.rows += part.num_rows

    def close(self) -> Spill:
        """Finish the file (reading does this first); nothing can be appended after."""
        if self._writer is not None:
            writer, self._writer = self._writer, None
            try:
                writer.close()
            except OSError as exc:
                raise disk_error(exc, self._shown) from exc
        return self

    def batches(self, columns: Sequence[str] | None = None) -> Iterator[pa.Table]:
        """The rows, a row group at a time (only `columns` when given)."""
        self.close()
        pf = pq.ParquetFile(self.path)
        for i in range(pf.num_row_groups):
            yield pf.read_row_group(i, columns=list(columns) if columns is not None else None)

    def frames(self) -> Iterator[pd.DataFrame]:
        """The rows as DataFrames, a row group at a time."""
        for t in self.batches():
            yield t.to_pandas(types_mapper=_NULLABLE_INTS.get)

    def map(self, fn: Callable[[pd.DataFrame], pd.DataFrame]) -> Spill:
        """A new spill of `fn` applied to each row group (a build step that works row by row)."""
        out = Spill(self.table)
        for df in self.frames():
            out.append(fn(df))
        return out.close()

    def frame(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Every row as a DataFrame (for small results and tests: this loads the whole spill)."""
        self.close()
        cols = list(columns) if columns is not None else None
        return pq.read_table(self.path, columns=cols).to_pandas(types_mapper=_NULLABLE_INTS.get)


def nullable(schema_: pa.Schema) -> pa.Schema:
    return pa.schema([f.with_nullable(True) for f in schema_]).with_metadata(None)


class Streamed:
    """A canonical table some of whose parts are spilled: read part by part, never whole.
    `schema` is the table's declared one; what it reads has every column nullable (so `validate`
    can count the nulls a required column must not have); `write` writes the declared schema."""

    def __init__(self, schema_: pa.Schema, parts: list[pa.Table | Spill]):
        self.schema = schema_
        self.parts = parts
        self.num_rows = sum(p.num_rows if isinstance(p, pa.Table) else p.rows for p in parts)
        self._read = nullable(schema_)

    def batches(self, columns: Sequence[str] | None = None) -> Iterator[pa.Table]:
        for p in self.parts:
            if isinstance(p, Spill):
                yield from p.batches(columns)
            elif p.num_rows:
                t = p.cast(self._read)
                yield t.select(list(columns)) if columns is not None else t

    def select(self, columns: Sequence[str]) -> pa.Table:
        """Only `columns`, every row, in memory (keys and the columns a check needs)."""
        sub = pa.schema([self._read.field(c) for c in columns])
        return pa.Table.from_batches([b for t in self.batches(columns) for b in t.to_batches()], schema=sub)

    def column(self, name: str) -> pa.ChunkedArray:
        return self.select([name]).column(name)

    def null_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(self.schema.names, 0)
        for t in self.batches():
            for name in counts:
                counts[name] += t.column(name).null_count
        return counts

    def write(self, path: Path, compression: str = "zstd") -> None:
        """The rows into one parquet file, row groups of up to WRITE_ROWS rows."""
        with pq.ParquetWriter(path, self.schema, compression=compression) as writer:
            pending: list[pa.Table] = []
            n = 0
            for t in self.batches():
                pending.append(t)
                n += t.num_rows
                if n >= WRITE_ROWS:
                    writer.write_table(pa.concat_tables(pending).cast(self.schema))
                    pending, n = [], 0
            if pending:
                writer.write_table(pa.concat_tables(pending).cast(self.schema))
