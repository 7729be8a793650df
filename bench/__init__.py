"""The performance benchmark (`make bench`): SYNTHETIC data at k× today's rows, timed queries and pages.

Nothing here is used by the app. Synthetic snapshots are written under `bench/synthetic/`
(git-ignored), never into `data/snapshots/`.
"""
