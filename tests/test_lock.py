"""requirements.lock: a hash for every pin, every dependency pyproject.toml declares, and the tests run on it."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, version

from conftest import REPO
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PIN = re.compile(r"(?P<name>[A-Za-z0-9._-]+)==(?P<version>\S+)\s+--hash=sha256:[0-9a-f]{64}")


def locked() -> dict[str, str]:
    """Version of each locked package by canonical name; fails on an entry without its hash."""
    text = (REPO / "requirements.lock").read_text().replace("\\\n", " ")
    pins = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            match = PIN.fullmatch(line.strip())
            assert match, f"not an exact pin with its hash: {line}"
            pins[canonicalize_name(match["name"])] = match["version"]
    return pins


def test_the_lock_pins_every_dependency_pyproject_declares() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    setup = re.search(r'-e "\.\[([\w,]+)\]"', (REPO / "scripts/setup.sh").read_text())
    assert setup, "scripts/setup.sh installs the project with its extras"
    extras = project["optional-dependencies"]  # only those setup.sh installs: `accurate` stays optional
    declared = project["dependencies"] + [line for extra in setup[1].split(",") for line in extras[extra]]
    pins = locked()
    for line in declared:
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        pinned = pins.get(canonicalize_name(requirement.name))
        assert pinned is not None, f"{requirement.name} is not in requirements.lock: run scripts/lock.sh"
        assert requirement.specifier.contains(pinned, prereleases=True), f"{line} but the lock has {pinned}"


def test_the_tests_run_on_the_locked_versions() -> None:
    """The accuracy thresholds were measured on these versions: another install must say so, not drift."""
    for name, pinned in locked().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = "none"
        assert installed == pinned, f"{name} {installed} is installed, the lock has {pinned}: run scripts/setup.sh"
