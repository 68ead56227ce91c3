"""The README's commands run as written: every `deeply` subcommand and option it shows exists, the
short commands run, and every link it gives to a file of the tree (and an anchor in it) resolves.

Crawls, servers and the browser check run for minutes or until stopped, so their command lines are
checked against `--help` rather than run; the commands that only read what a demo made are run
against a store and WARC folder made here by a real crawl of the sample site.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from deeply.cli import cli

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
DEEPLY = Path(sys.executable).with_name("deeply")

# Pages written on other branches at the time this README was rewritten; a link to one of them may
# point at nothing until that branch merges. Take a name out once its file is in the tree.
# Commands that serve until stopped or crawl for minutes: checked against --help only.
LONG = {"crawl", "run", "serve", "replay", "sample-site", "qa", "demo"}


def shell_blocks(text: str) -> list[str]:
    return re.findall(r"^```sh\n(.*?)^```", text, flags=re.S | re.M)


def command_lines(text: str) -> list[str]:
    """Each command of the README's shell blocks, comments and trailing `&` dropped, `a && b` and
    `a | b` split into their commands."""
    out = []
    for block in shell_blocks(text):
        for line in block.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if not line or line.startswith("#"):
                continue
            for part in re.split(r"\s*(?:&&|\|\||\||;)\s*", line.rstrip("&").strip()):
                if part:
                    out.append(part)
    return out


def deeply_calls(text: str) -> list[list[str]]:
    calls = []
    for line in command_lines(text):
        words = shlex.split(line)
        if words and words[0].endswith("deeply") and words[0] in ("deeply", ".venv/bin/deeply"):
            calls.append(words[1:])
    return calls


def help_of(sub: str) -> str:
    result = CliRunner().invoke(cli, [sub, "--help"], prog_name="deeply")
    assert result.exit_code == 0, f"deeply {sub} --help: {result.output}"
    return result.output


def options_of(help_text: str) -> set[str]:
    """Every option name the help lists, both sides of `--a / --b` included."""
    section = help_text.split("Options:", 1)[1]
    return set(re.findall(r"(?<![\w-])(-{1,2}[a-z][a-z0-9-]*)", section))


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation but `-` and `_` dropped, spaces
    to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    body = re.sub(r"^```.*?^```", "", path.read_text(), flags=re.S | re.M)
    return {github_anchor(h) for h in re.findall(r"^#{1,6}\s+(.*)$", body, flags=re.M)}


def test_the_readme_stays_a_short_guide():
    lines = README.read_text().splitlines()
    assert len(lines) < 300, f"README.md has {len(lines)} lines: move detail into docs/"


def test_every_deeply_subcommand_and_option_in_the_readme_exists():
    calls = deeply_calls(README.read_text())
    listed = set(re.findall(r"^\s{2}([a-z][a-z-]+)\s", help_of_main(), flags=re.M))
    subs = {c[0] for c in calls if c}
    assert {"crawl", "run", "ingest", "extract", "serve", "stats", "verify", "index", "replay", "wacz",
            "qa", "sample-site"} <= subs, "the README gives an example of every command"
    assert listed <= subs | {"demo"}, f"commands without an example in the README: {listed - subs}"
    for call in calls:
        sub, args = call[0], call[1:]
        assert sub in listed, f"deeply {sub}: no such command"
        known = options_of(help_of(sub))
        for arg in args:
            name = arg.split("=", 1)[0]
            if name.startswith("-"):
                assert name in known, f"deeply {' '.join(call)}: {name} is not in `deeply {sub} --help`"


def help_of_main() -> str:
    result = CliRunner().invoke(cli, ["--help"], prog_name="deeply")
    assert result.exit_code == 0
    return result.output.split("Commands:", 1)[1]


def test_every_make_target_in_the_readme_exists():
    targets = set(re.findall(r"^([a-z][\w.-]*):", (REPO / "Makefile").read_text(), flags=re.M))
    for line in command_lines(README.read_text()):
        words = shlex.split(line)
        if words[0] == "make":
            assert set(words[1:]) <= targets, f"{line}: no such make target"


def test_every_link_in_the_readme_resolves_to_a_file_and_its_anchor():
    text = README.read_text()
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    local = [link for link in links if not re.match(r"[a-z]+:", link)]
    assert len(local) > 10
    for link in local:
        path, _, anchor = link.partition("#")
        target = REPO / path
        assert target.exists(), f"README links to {path}, which is not in the tree"
        if anchor:
            assert anchor in anchors(target), f"README links to {link}: no such heading in {path}"


def test_every_link_between_the_docs_resolves():
    for page in sorted((REPO / "docs").glob("*.md")) + [REPO / "bench" / "RESULTS.md"]:
        for link in re.findall(r"\]\(([^)\s]+)\)", page.read_text()):
            if re.match(r"[a-z]+:", link):
                continue
            path, _, anchor = link.partition("#")
            target = (page.parent / path).resolve() if path else page
            assert target.exists(), f"{page.name} links to {link}, which is not in the tree"
            if anchor and target.suffix == ".md":
                assert anchor in anchors(target), f"{page.name} links to {link}: no such heading"


@pytest.fixture(scope="module")
def demo_like(tmp_path_factory):
    """What `make demo` leaves in demo-output/, made by a real crawl and ingest of the sample site."""
    from sample_site import serve

    root = tmp_path_factory.mktemp("readme")
    out = root / "demo-output"
    with serve(articles=20, port=0) as site:
        done = subprocess.run([str(DEEPLY), "run", site.start_url, "--warcs", str(out / "warcs"),
                               "--db", str(out / "archive.db"), "--quiet"],
                              capture_output=True, text=True, timeout=600, cwd=root)
    assert done.returncode == 0, done.stderr
    return root


def test_the_readme_commands_that_read_the_demo_output_run_as_written(demo_like):
    """Each short command of the README, as written, from a folder holding a demo's output."""
    ran = 0
    for line in command_lines(README.read_text()):
        words = shlex.split(line)
        if words[0] != ".venv/bin/deeply" or words[1] in LONG:
            continue
        # the README's /tmp paths moved under the test's folder (the program's own path may be in /tmp)
        words = [str(DEEPLY), *(w.replace("/tmp/", f"{demo_like}/tmp-") for w in words[1:])]
        done = subprocess.run(words, capture_output=True, text=True, timeout=600, cwd=demo_like)
        assert done.returncode == 0, f"{line}: exit {done.returncode}\n{done.stderr[-2000:]}"
        ran += 1
    assert ran >= 7
