"""The process files of docs/deploy name commands and options `bauakte` has."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from viewer.cli import cli

DEPLOY = Path(__file__).resolve().parents[1] / "docs" / "deploy"


def _commands() -> list[list[str]]:
    found = []
    for line in (DEPLOY / "Procfile").read_text().splitlines():
        if line and not line.startswith("#"):
            found += [c.split() for c in re.findall(r"bauakte ([a-z][^;'\n]*)", line)]
    for unit in (DEPLOY / "systemd").glob("*.service"):
        for exec_start in re.findall(r"^ExecStart=\S*bauakte (.*)$", unit.read_text(), re.M):
            found.append(shlex.split(exec_start))
    return found


@pytest.mark.parametrize("argv", _commands(), ids=" ".join)
def test_each_process_names_a_real_command_and_its_options(argv: list[str]) -> None:
    command: click.Command = cli
    words = list(argv)
    while isinstance(command, click.Group) and words and not words[0].startswith("-"):
        command = command.commands[words.pop(0)]
    names = {opt for p in command.params for opt in p.opts}
    given = {w.split("=")[0] for w in words if w.startswith("--")}
    assert given <= names, f"{argv}: {given - names} unknown"
    assert not isinstance(command, click.Group)


def test_every_unit_is_checked() -> None:
    assert len(_commands()) >= 6
