"""Known vulnerabilities in the pinned dependencies, from PyPI's JSON API: a fallback for
when `pip-audit -r requirements.txt` cannot reach its vulnerability service.

    .venv/bin/python tools/audit_pins.py requirements.txt [requirements-dev.txt ...]

For each `name==version` it asks https://pypi.org/pypi/NAME/VERSION/json, whose
`vulnerabilities` list comes from the same advisory database pip-audit uses. Where that
per-version page is not served (some mirrors serve only the project page), it reads the
project page, whose `vulnerabilities` describe the latest release, and uses it only if
the pin IS the latest release. Anything it cannot check is reported as such, never as
safe. Exit status: 0 all checked and clean, 1 vulnerabilities found, 2 some unchecked.
"""
from __future__ import annotations

import json
import re
import sys
import urllib.error
import urllib.request
from pathlib import Path

PIN = re.compile(r"^\s*([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*==\s*([^\s;#]+)")


def pins(files: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name in files:
        for line in Path(name).read_text().splitlines():
            if line.strip().startswith("-r "):
                found.update(pins([str(Path(name).parent / line.split(maxsplit=1)[1])]))
            elif match := PIN.match(line):
                found[match.group(1)] = match.group(2)
    return found


def _json(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310  # always an https URL built above
            return json.load(response)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise


def check(name: str, version: str) -> tuple[str, list[dict]]:
    """('checked', vulns) or ('unchecked: why', [])."""
    page = _json(f"https://pypi.org/pypi/{name}/{version}/json")
    if page is not None:
        return "checked", page.get("vulnerabilities", [])
    project = _json(f"https://pypi.org/pypi/{name}/json")
    if project is None:
        return "unchecked: not on PyPI", []
    latest = project["info"]["version"]
    if latest != version:
        return f"unchecked: no per-version data and {version} is not the latest ({latest})", []
    return "checked (latest release)", project.get("vulnerabilities", [])


def main(files: list[str]) -> int:
    found, unchecked = 0, 0
    for name, version in sorted(pins(files or ["requirements.txt"]).items(), key=lambda p: p[0].lower()):
        try:
            status, vulns = check(name, version)
        except OSError as exc:
            status, vulns = f"unchecked: {exc}", []
        unchecked += status.startswith("unchecked")
        found += len(vulns)
        print(f"{name:24} {version:12} {status}: {len(vulns)} known vulnerabilit{'y' if len(vulns) == 1 else 'ies'}")
        for vuln in vulns:
            print(f"    {vuln.get('id')} fixed in {', '.join(vuln.get('fixed_in') or ['?'])}: "
                  f"{(vuln.get('summary') or vuln.get('details') or '')[:100]}")
    print(f"\n{found} known vulnerabilities; {unchecked} pins could not be checked.")
    return 1 if found else 2 if unchecked else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
