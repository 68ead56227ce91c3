"""The exit codes that cron and systemd act on are written in the help texts and the docs; each of
those says what `deeply/exit_codes.py` returns, so a renumbered code cannot leave them behind."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from deeply.cli import cli
from deeply.exit_codes import EXIT_FAILURES, EXIT_INCOMPLETE, EXIT_LOCKED, EXIT_OK, exit_code
from tests.support.processes import ROOT

MEANINGS = {EXIT_OK: "complete", EXIT_FAILURES: "fail", EXIT_INCOMPLETE: "interrupted",
            EXIT_LOCKED: "another"}


def _codes(text: str) -> dict[int, str]:
    """"Exit codes: 0 complete; 1 …; 3 …" as {code: its words}."""
    section = " ".join(text.split("Exit codes:", 1)[1].split())
    return {int(code): words for code, words in re.findall(r"(?:^|; )(\d) ([^;]+)", section)}


@pytest.mark.parametrize("command", ["crawl", "run"])
def test_the_help_gives_the_codes_the_command_returns(command):
    result = CliRunner().invoke(cli, [command, "--help"], prog_name="deeply", terminal_width=200)
    assert result.exit_code == 0, result.output
    codes = _codes(result.output)
    assert set(codes) == set(MEANINGS), codes
    for code, word in MEANINGS.items():
        assert word in codes[code], (code, codes[code])


def test_the_crawling_docs_table_gives_the_same_codes():
    text = (ROOT / "docs" / "crawling.md").read_text()
    table = dict(re.findall(r"^\| (\d) \| ([^|]+) \|$", text, flags=re.M))
    assert {int(c) for c in table} == set(MEANINGS)
    for code, word in MEANINGS.items():
        assert word in table[str(code)], (code, table[str(code)])


def test_an_interrupted_run_says_so_before_what_failed():
    assert exit_code(complete=False, failed=True) == EXIT_INCOMPLETE
    assert exit_code(complete=True, failed=True) == EXIT_FAILURES
    assert exit_code(complete=True, failed=False) == EXIT_OK
    assert len({EXIT_OK, EXIT_FAILURES, EXIT_INCOMPLETE, EXIT_LOCKED}) == 4
