"""The documentation stays true: the CLI reference matches the parser, links resolve inside the repository,
the README stays an entry point, and benchmarks rewrite only their own section of docs/benchmarks.md."""

from __future__ import annotations

import argparse
import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from companion.cli import build_parser

REPO = Path(__file__).resolve().parents[1]
DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def load(path: Path) -> ModuleType:
    """A script of the repository (not a package module) imported from its file."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_cli_reference_is_what_the_parser_says() -> None:
    result = subprocess.run([sys.executable, "scripts/cli_reference.py", "--check"], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr + "\nrun: .venv/bin/python scripts/cli_reference.py"


def test_the_cli_reference_has_every_sub_command_nested_ones_too() -> None:
    reference = load(REPO / "scripts" / "cli_reference.py").render(build_parser())
    expected = ["companion"]
    pending = [build_parser()]
    while pending:
        parser = pending.pop()
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                expected += [sub.prog for sub in action.choices.values()]
                pending += list(action.choices.values())
    assert "companion config" in expected  # nested: "companion config set" below it
    for prog in expected:
        assert f"## `{prog}`" in reference, prog


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_links_resolve_inside_the_repository(document: Path) -> None:
    for target in LINK.findall(document.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue  # a web address or an anchor on the same page
        resolved = (document.parent / target.split("#")[0]).resolve()
        assert resolved.is_relative_to(REPO), f"{document.name}: {target} points outside the repository"
        assert resolved.exists(), f"{document.name}: {target} does not exist"


def test_the_readme_is_an_entry_point() -> None:
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 100
    commands = [line.split()[0] for line in lines if line.startswith(("scripts/", ".venv/"))]
    assert commands[:3] == ["scripts/setup.sh", ".venv/bin/companion", "scripts/test.sh"]  # .ci/run relies on them
    assert "../" not in "\n".join(lines)


def test_the_license_is_the_one_the_package_declares() -> None:
    assert 'license = { text = "MIT" }' in (REPO / "pyproject.toml").read_text(encoding="utf-8")
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "Meeting Companion developers" in text


def test_a_benchmark_rewrites_only_its_own_section(tmp_path: Path) -> None:
    report = load(REPO / "benchmarks" / "report.py")
    document = tmp_path / "benchmarks.md"
    document.write_text("# Benchmarks\n\n<!-- benchmark:a -->\nold a\n<!-- /benchmark:a -->\n\n"
                        "<!-- benchmark:bundle -->\nkept\n<!-- /benchmark:bundle -->\n", encoding="utf-8")
    report.write_section(document, "a", report.render("a", "Measures a.", "python benchmarks/a.py", 0, "x 1\n"))
    report.write_section(document, "c", "new c")
    text = document.read_text(encoding="utf-8")
    assert "old a" not in text and "```text\nx 1\n```" in text and "targets met" in text
    assert "<!-- benchmark:bundle -->\nkept\n<!-- /benchmark:bundle -->" in text
    assert text.rstrip().endswith("<!-- benchmark:c -->\nnew c\n<!-- /benchmark:c -->")
    assert text.count("<!-- benchmark:a -->") == 1


def test_every_benchmark_section_in_the_docs_is_a_benchmark_script() -> None:
    text = (REPO / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    names = re.findall(r"^<!-- benchmark:(\w+) -->$", text, re.MULTILINE)
    assert names and len(names) == len(set(names))
    for name in names:
        assert f"<!-- /benchmark:{name} -->" in text
        assert (REPO / "benchmarks" / f"{name}.py").is_file(), name
