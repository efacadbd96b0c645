"""The commands in the README and docs/ work as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
CONSOLE_BLOCK = re.compile(r"```console\n(.*?)```", re.DOTALL)


def commands(document: Path) -> list[str]:
    blocks = CONSOLE_BLOCK.findall(document.read_text(encoding="utf8"))
    return [line[2:] for block in blocks for line in block.splitlines() if line.startswith("$ ")]


DOCUMENTS_WITH_COMMANDS = [document for document in DOCUMENTS if commands(document)]


def test_the_readme_and_cli_guide_have_examples() -> None:
    names = {document.name for document in DOCUMENTS_WITH_COMMANDS}
    assert {"README.md", "cli.md"} <= names


@pytest.mark.parametrize("document", DOCUMENTS_WITH_COMMANDS, ids=lambda d: d.name)
def test_documented_commands_run(document: Path, tmp_path: Path) -> None:
    environment = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "WMT_DATABASE_URL": f"sqlite:///{tmp_path / 'wmt.db'}",
        "COLUMNS": "200",
    }
    for command in commands(document):
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=tmp_path,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"{document.name}: `{command}` failed:\n{done.stderr}"


def _run(command: str, cwd: Path, environment: dict[str, str]) -> str:
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"`{command}` failed:\n{done.stderr}"
    return done.stdout


def test_the_operations_guide_upgrades_backs_up_and_restores_as_it_says(tmp_path: Path) -> None:
    from wmt.store.database import SCHEMA_REVISION

    environment = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "WMT_DATABASE_URL": f"sqlite:///{tmp_path / 'wmt.db'}",
        "COLUMNS": "200",
    }
    said = {
        command: _run(command, tmp_path, environment)
        for command in commands(ROOT / "docs" / "operations.md")
    }
    assert said["wmt db upgrade"] == f"Created the schema at revision {SCHEMA_REVISION}.\n"
    assert said["wmt db status"].splitlines()[-1] == (
        f"Schema at revision {SCHEMA_REVISION}, the newest."
    )
    assert said["wmt backup wmt-backup.db"].startswith(
        f"Backed up {tmp_path / 'wmt.db'} to {tmp_path / 'wmt-backup.db'} ("
    )
    original = _run("wmt capacity --level region", tmp_path, environment)
    assert said["wmt capacity --level region --db restored.db"] == original
    assert "R01" in original
