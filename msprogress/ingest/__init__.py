"""Ingest: readers for each raw source, classification, and the atomic snapshot writer.

Each reader module exposes `read(raw_dir) -> SourceResult`; `build.py` runs them all,
validates the combined tables against `msprogress.schema`, and writes a snapshot.
"""
