"""Every command's --help ends with an example, and every example is a command line kaiji accepts."""

from __future__ import annotations

import shlex

import click
import pytest
from click.testing import CliRunner

from tracker.cli import cli


def leaves(group: click.Group, path: tuple[str, ...] = ()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if isinstance(cmd, click.Group):
            yield from leaves(cmd, path + (name,))
        else:
            yield path + (name,), cmd


COMMANDS = list(leaves(cli))


def examples(text: str) -> list[str]:
    """The command lines of an "Example:" block, continuation lines joined."""
    block = text.split("Example", 1)[1].split("\n", 1)[1]
    lines, current = [], ""
    for line in block.splitlines():
        line = line.strip()
        if not line:
            continue
        current += line
        if current.endswith("\\"):
            current = current[:-1] + " "
        else:
            lines.append(current)
            current = ""
    return lines


def test_every_command_is_walked():
    assert len(COMMANDS) >= 47


@pytest.mark.parametrize("path,cmd", COMMANDS, ids=lambda x: " ".join(x) if isinstance(x, tuple) else "")
def test_help_ends_with_an_example_kaiji_accepts(path, cmd):
    shown = CliRunner().invoke(cli, [*path, "--help"]).output.rstrip()
    tail = shown.rsplit("\n\n", 1)[-1]
    assert tail.lstrip().startswith("Example"), f"kaiji {' '.join(path)} --help ends with {tail!r}"
    found = examples(tail)
    assert found, path
    for line in found:
        args = shlex.split(line, comments=True)
        assert args[:1 + len(path)] == ["kaiji", *path], line
        cmd.make_context(" ".join(path), args[1 + len(path):])  # parses and converts, or raises
