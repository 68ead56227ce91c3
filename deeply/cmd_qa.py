"""`deeply qa`: a thin click wrapper over replay/qa.py."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from deeply.cmd_replay import WARCS_OPTION
from deeply.cmd_store import DEFAULT_DB


@click.command("qa")
@WARCS_OPTION
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
              show_default=True, help="The store: which pages the crawl captured, their text, and where "
              "the results go (table qa).")
@click.option("--crawl", "crawl_id", default=None, help="The crawl to check [default: the latest].")
@click.option("--pages", type=click.IntRange(min=1), default=100, show_default=True,
              help="Check this many pages, spread evenly over the crawl's pages.")
@click.option("--all", "all_pages", is_flag=True, help="Check every page of the crawl.")
@click.option("--screenshots", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the screenshots [default: qa-screenshots/CRAWL beside the store].")
@click.option("--workers", type=click.IntRange(1, 16), default=None,
              help="Pages open at once [default: one per core].")
@click.option("--min-text-match", type=click.FloatRange(0, 1), default=0.9, show_default=True,
              help="A page showing less of its record's words than this is incomplete.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def qa_command(warc_dir, db_path, crawl_id, pages, all_pages, screenshots, workers, min_text_match, quiet):
    """Check that every archived page replays whole.

    Replays the crawl's pages through pywb in headless Chromium (Debian's chromium) and, for each
    page, records every request and whether the archive answered it (found; not in the archive;
    failed; blocked: it tried to reach the live web, which the browser may not), the console
    errors, the share of the extracted record's words visible on the page, and a screenshot.
    Prints one line per page with problems and a summary; the results go into the store's qa
    table (shown by `deeply serve`).

    \b
    Exit codes: 0 every page replays complete; 1 some page is incomplete, or the check could
    not run.
    """
    from replay.qa import check_crawl, run_failures

    def report(page):
        problems = page.problems(min_text_match)
        if problems:
            click.echo(f"INCOMPLETE {page.url}: " + "; ".join(problems))

    try:
        result = check_crawl(warc_dir, db_path, crawl_id, None if all_pages else pages, screenshots,
                             workers, min_text_match, progress=not quiet, on_page=report)
    except run_failures() as exc:
        lines = str(exc).strip().splitlines() or [type(exc).__name__]
        click.echo(f"deeply qa: {lines[0]}", err=True)
        sys.exit(1)
    click.echo(result.summary())
    click.echo(f"  screenshots: {result.screenshots}/   results: table qa of {db_path}")
    sys.exit(1 if result.incomplete else 0)
