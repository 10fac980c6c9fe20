"""The CLI builds only the sub-parser a command line names (a third of `mooc list`).

That shortcut is safe only while `COMMAND_MODULES` says exactly which commands each
module registers, and while anything unusual still gets the whole parser.
"""

from __future__ import annotations

import argparse
import importlib

import pytest

from player.cli import main as cli


def test_command_map_matches_what_each_module_registers() -> None:
    for module, commands in cli.COMMAND_MODULES.items():
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(module).register(sub)
        assert tuple(sub.choices) == commands, module


@pytest.mark.parametrize(
    ("argv", "module"),
    [
        (["list"], "player.cli.store_cmd"),
        (["play", "big-course"], "player.cli.play_cmd"),
        (["--home", "/tmp/h", "--learner", "ana", "pack", "check", "x"], "player.cli.pack_cmd"),
        (["--home=/tmp/h", "sync"], "player.cli.sync_cmd"),
        (["--home", "list", "info"], "player.cli.store_cmd"),  # "list" is the --home value here
        ([], None),
        (["--help"], None),
        (["--version"], None),
        (["--hom", "/tmp/h", "list"], None),  # an abbreviation argparse resolves, we don't
        (["lis"], None),  # a typo: the whole parser suggests the right name
    ],
)
def test_module_for(argv: list[str], module: str | None) -> None:
    assert cli.module_for(argv) == module


def test_a_typo_still_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["lis"])
    err = capsys.readouterr().err
    assert "invalid choice: 'lis'" in err and "'import'" in err and "'play'" in err
