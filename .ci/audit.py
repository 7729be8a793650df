"""`make audit`: pip-audit over the installed environment, with a clear answer when it cannot run.

pip-audit asks a vulnerability service about every installed distribution at its installed
version (PyPI's per-release JSON API by default, or OSV). Before running it, this asks the same
kind of question about pip itself. If the service cannot be reached, times out, or does not answer
per-release questions (a mirror or proxy may serve only project pages), it says so and exits 2:
pip-audit on its own would skip every package it cannot look up and still report "No known
vulnerabilities found". pip-audit runs with `--strict`, so any package it could not check fails
the audit too. The project itself (installed editable, not on PyPI) is skipped.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import subprocess
import sys
import urllib.error
import urllib.request

SERVICES = {  # name -> default URL of the service pip-audit would ask
    "pypi": "https://pypi.org/pypi",
    "osv": "https://api.osv.dev/v1/query",
}
AUDIT_TIMEOUT_S = 900


def _request(service: str, url: str, version: str) -> urllib.request.Request:
    if service == "osv":
        body = {"package": {"name": "pip", "ecosystem": "PyPI"}, "version": version}
        return urllib.request.Request(
            url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
        )
    return urllib.request.Request(f"{url.rstrip('/')}/pip/{version}/json")


def probe(service: str, url: str, timeout: float) -> str | None:
    """None when the service answers a vulnerability question about pip; else why it cannot."""
    version = importlib.metadata.version("pip")
    where = f"{service} vulnerability service ({url})"
    try:
        with urllib.request.urlopen(_request(service, url, version), timeout=timeout) as resp:
            answer = json.load(resp)
    except urllib.error.HTTPError as exc:
        return f"the {where} answered HTTP {exc.code} when asked about pip {version}: it does not serve per-release data"
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"cannot reach the {where}: {reason}"
    except ValueError:
        return f"the {where} did not answer with JSON"
    if service == "pypi" and "vulnerabilities" not in answer:
        return f"the {where} answered without vulnerability data"
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--service", choices=sorted(SERVICES), default="pypi")
    ap.add_argument("--url", help="OSV only: another OSV endpoint (pip-audit always asks pypi.org for PyPI)")
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds per network request")
    args = ap.parse_args(argv)
    if args.url and args.service != "osv":
        ap.error("--url applies to --service osv only")
    url = args.url or SERVICES[args.service]
    reason = probe(args.service, url, args.timeout)
    if reason:
        print(f"make audit: {reason}. No audit was done.", file=sys.stderr)
        return 2
    cmd = [sys.executable, "-m", "pip_audit", "--strict", "--skip-editable", "--progress-spinner", "off"]
    cmd += ["--vulnerability-service", args.service, "--timeout", str(int(args.timeout))]
    if args.service == "osv" and args.url:
        cmd += ["--osv-url", args.url]
    try:
        return subprocess.run(cmd, timeout=AUDIT_TIMEOUT_S).returncode
    except subprocess.TimeoutExpired:
        print(
            f"make audit: pip-audit did not finish in {AUDIT_TIMEOUT_S} s. No audit result.", file=sys.stderr
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
