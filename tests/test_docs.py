"""The commands in the README and docs/ work as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_wmt

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
CONSOLE_BLOCK = re.compile(r"```console\n(.*?)```", re.DOTALL)
# A `wmt` command with none of these runs in this process, through the same entry point as the
# installed command; one with a pipe, a redirection or quoting runs in bash, as a reader's would.
SHELL_SIGNS = frozenset("|<>;&$`'\"\\*?")


def commands(document: Path) -> list[str]:
    blocks = CONSOLE_BLOCK.findall(document.read_text(encoding="utf8"))
    return [line[2:] for block in blocks for line in block.splitlines() if line.startswith("$ ")]


DOCUMENTS_WITH_COMMANDS = [document for document in DOCUMENTS if commands(document)]


def run_documented(command: str, folder: Path) -> str:
    """Run one documented command in `folder` on the store wmt.db there, failing the test and
    naming the command if it fails; what it printed."""
    store = f"sqlite:///{folder / 'wmt.db'}"
    words = command.split()
    if words[0] == "wmt" and not SHELL_SIGNS & set(command):
        done = run_wmt(*words[1:], cwd=folder, database_variable=store)
        code, stdout, stderr = done.exit_code, done.stdout, done.stderr
    else:
        environment = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "WMT_DATABASE_URL": store,
            "COLUMNS": "200",
        }
        shell = subprocess.run(
            ["bash", "-c", command],
            cwd=folder,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
        )
        code, stdout, stderr = shell.returncode, shell.stdout, shell.stderr
    assert code == 0, f"`{command}` failed:\n{stderr}"
    return stdout


def test_the_readme_and_cli_guide_have_examples() -> None:
    names = {document.name for document in DOCUMENTS_WITH_COMMANDS}
    assert {"README.md", "cli.md"} <= names


def test_commands_with_shell_signs_are_run_by_the_shell(tmp_path: Path) -> None:
    run_documented("wmt db upgrade", tmp_path)
    said = run_documented("wmt db status | tail -n 1 > status.txt", tmp_path)
    assert said == ""
    assert (tmp_path / "status.txt").read_text(encoding="utf8").startswith("Schema at revision")


@pytest.mark.parametrize("document", DOCUMENTS_WITH_COMMANDS, ids=lambda d: d.name)
def test_documented_commands_run(document: Path, tmp_path: Path) -> None:
    for command in commands(document):
        run_documented(command, tmp_path)


def test_the_operations_guide_upgrades_backs_up_and_restores_as_it_says(tmp_path: Path) -> None:
    from wmt.store.database import SCHEMA_REVISION

    said = {
        command: run_documented(command, tmp_path)
        for command in commands(ROOT / "docs" / "operations.md")
    }
    assert said["wmt db upgrade"] == f"Created the schema at revision {SCHEMA_REVISION}.\n"
    assert said["wmt db status"].splitlines()[-1] == (
        f"Schema at revision {SCHEMA_REVISION}, the newest."
    )
    assert said["wmt backup wmt-backup.db"].startswith(
        f"Backed up {tmp_path / 'wmt.db'} to {tmp_path / 'wmt-backup.db'} ("
    )
    original = run_documented("wmt capacity --level region", tmp_path)
    assert said["wmt capacity --level region --db restored.db"] == original
    assert "R01" in original
