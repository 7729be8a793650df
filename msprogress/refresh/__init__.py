"""Refreshing the raw data from the live registries (ClinicalTrials.gov API v2, NIH RePORTER API v2).

`python -m msprogress.refresh` (or `make refresh`) pulls every multiple-sclerosis study and
project page by page into `data/raw/<source>/<YYYY-MM-DD>/`, with a `progress.json` checkpoint
so that an interrupted pull resumes where it stopped, then builds a new snapshot from the raw
folder with `msprogress.ingest.build.build`. The readers of the stored pages are
`msprogress.ingest.ctgov_api` and `msprogress.ingest.reporter_api`.

- `http`: the client (pacing, retries with backoff, `Retry-After`, "no network").
- `pull`: pages, checkpoint and resume, shared by both registries.
- `ctgov`, `reporter`: what to ask each registry and how to check its pages.
"""
