"""Profile one page's server-side run (Streamlit AppTest) with pyinstrument, cold and warm.

    python -m bench.profile pipeline                 # on the real snapshot
    python -m bench.profile pipeline --scale 100     # on the SYNTHETIC 100x snapshot (bench/synthetic/100x)

Writes `bench/synthetic/profiles/<page>-<scale>x-{cold,warm}.txt` (and `.html` with `--html`;
generated output, git-ignored with the synthetic data) and prints the warm profile. Build the
synthetic scale first (`python -m bench.synthetic 100`).

NOTE: AppTest runs the script in its own thread, and pyinstrument samples only the thread that
starts it, so the profiler is started inside that thread: `StreamlitPage.run` (what
`st.navigation(...).run()` calls for the chosen page) is wrapped for the duration of a run.
The sidebar and navigation above the page are therefore not in the profile.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from bench.synthetic import SYNTHETIC_ROOT, k_label
from msprogress import paths

if TYPE_CHECKING:
    from pyinstrument import Profiler

PROFILES = SYNTHETIC_ROOT / "profiles"


@contextmanager
def profiled(sink: list[Profiler]) -> Iterator[None]:
    """While active, every page run is sampled by pyinstrument; the profilers land in `sink`."""
    from pyinstrument import Profiler
    from streamlit.navigation.page import StreamlitPage

    original: Callable[[StreamlitPage], None] = StreamlitPage.run
    # NOTE: patched on the class for the duration only; AppTest's script thread calls it.

    def run(self: StreamlitPage) -> None:
        prof = Profiler(interval=0.001)
        prof.start()
        try:
            original(self)
        finally:
            prof.stop()
            sink.append(prof)

    StreamlitPage.run = run  # type: ignore[method-assign]
    try:
        yield
    finally:
        StreamlitPage.run = original  # type: ignore[method-assign,assignment]


def profile_page(page: str) -> dict[str, Profiler]:
    """Profilers of the page's cold run (every cache cleared) and of a warm rerun."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(paths.ROOT / "app.py"), default_timeout=300)
    at.run()  # registers the pages (renders the default page)
    st.cache_data.clear()
    st.cache_resource.clear()
    out: dict[str, Profiler] = {}
    for label in ("cold", "warm"):
        sink: list[Profiler] = []
        with profiled(sink):
            if label == "cold":
                at.switch_page(f"pages/{page}.py").run()
            else:
                at.run()
        if at.exception:
            raise RuntimeError(f"page {page}: {at.exception}")
        out[label] = sink[-1]
        if label == "cold":
            at.run()  # one rerun so the warm profile is a steady state
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("page", help="page file stem: overview, map, funding, pipeline, explore, about")
    ap.add_argument(
        "--scale", type=float, default=1.0, help="1 = the real snapshot; k = bench/synthetic/<k>x"
    )
    ap.add_argument("--html", action="store_true", help="also write pyinstrument's HTML view")
    args = ap.parse_args(argv)
    label = k_label(args.scale)
    if args.scale != 1:
        data_dir = SYNTHETIC_ROOT / f"{label}x"
        if not (data_dir / "snapshots" / "CURRENT").is_file():
            raise SystemExit(f"no synthetic {label}x snapshot: run `python -m bench.synthetic {label}` first")
        os.environ["MSPROGRESS_DATA"] = str(data_dir)
    PROFILES.mkdir(parents=True, exist_ok=True)
    for run_kind, prof in profile_page(args.page).items():
        stem = PROFILES / f"{args.page}-{label}x-{run_kind}"
        text = prof.output_text(unicode=True, color=False)
        Path(f"{stem}.txt").write_text(text)
        if args.html:
            Path(f"{stem}.html").write_text(prof.output_html())
        if run_kind == "warm":
            print(text)
    print(f"profiles written to {PROFILES}/{args.page}-{label}x-*")


if __name__ == "__main__":
    main()
