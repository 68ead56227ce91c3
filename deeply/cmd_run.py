"""`deeply run` (crawl + ingest, for cron) and `deeply demo` (the whole pipeline on the sample site)."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path

import click

from deeply.cli import _crawl_options, crawl_options_from
from deeply.cmd_store import DEFAULT_DB
from storage.replay_links import DEFAULT_REPLAY_PREFIX


@click.command("run")
@click.argument("start_urls", nargs=-1)
@_crawl_options
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
              show_default=True, help="The SQLite store to ingest into.")
@click.option("--replay-prefix", default=None,
              help=f"Prefix of the replay links stored with each capture.  "
              f"[default: {DEFAULT_REPLAY_PREFIX}]")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="With --redis: worker processes on this machine (others may join from elsewhere).")
def run_command(start_urls, db_path, replay_prefix, workers, **kwargs):
    """Crawl, then ingest what the crawl wrote: one scheduled run.

    Pages whose payload is unchanged since the store last saw them are written as revisit records
    (headers only), and pages the server says are not modified (304, from If-None-Match /
    If-Modified-Since) likewise. Prints and stores in the `crawls` table what is new, changed,
    unchanged, removed and failed. A killed run is resumed by running it again.

    \b
    Exit codes: 0 complete; 1 complete, but some fetches or WARC files failed;
    3 interrupted (run again to resume); 4 another run is using the WARC folder or the store.
    """
    from crawler.lock import Locked
    from deeply.exit_codes import EXIT_FAILURES, EXIT_LOCKED
    from deeply.pipeline import run, run_summary
    from storage import StoreBusy, StoreError

    opts = crawl_options_from(kwargs, start_urls)
    if workers > 1 and not opts.redis_url:
        raise click.UsageError("--workers needs --redis (the workers share their frontier through Redis)")
    try:
        result = run(opts, db_path, replay_prefix=replay_prefix, progress=opts.progress, workers=workers)
    except (Locked, StoreBusy) as exc:
        click.echo(f"deeply run: {exc}", err=True)
        sys.exit(EXIT_LOCKED)
    except StoreError as exc:
        click.echo(f"deeply run: {exc}", err=True)
        sys.exit(EXIT_FAILURES)
    except RuntimeError as exc:
        if type(exc).__name__ != "RedisUnavailable":
            raise
        click.echo(f"deeply run: {exc}", err=True)
        sys.exit(EXIT_FAILURES)
    click.echo(run_summary(result))
    sys.exit(result.exit_code)


@click.command("demo")
@click.option("--articles", type=click.IntRange(10, 20_000), default=60, show_default=True,
              help="Size of the sample site.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("demo-output"),
              show_default=True, help="Folder for the WARCs and the store.")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port for the sample site (default: its own, as `deeply sample-site`; a free one if "
              "taken). The same port on every demo keeps the URLs stable, so a second demo records "
              "revisits.")
@click.option("--qa-pages", type=click.IntRange(min=0), default=20, show_default=True,
              help="Pages `deeply qa` replays in Chromium at the end (0: none).")
def demo_command(articles, out, port, qa_pages):
    """Try the whole pipeline on the sample site.

    Serves the sample site on 127.0.0.1 (its assets on 127.0.0.2 and 127.0.0.3, as a CDN), crawls
    it into WARCs, ingests them into a store, replays some pages in headless Chromium (`deeply qa`),
    and prints the commands that open the results.

    Safe to run again: an unchanged site adds revisit records and no new versions.
    """
    from crawler.lock import Locked
    from crawler.options import WARC_DIR, CrawlOptions
    from deeply.exit_codes import EXIT_LOCKED
    from deeply.pipeline import run, run_summary
    from sample_site import serve
    from sample_site.server import DEFAULT_PORT

    port = DEFAULT_PORT if port is None else port
    out.mkdir(parents=True, exist_ok=True)
    warcs, db = out / WARC_DIR, out / DEFAULT_DB
    with ExitStack() as stack:
        try:
            site = stack.enter_context(serve(articles=articles, port=port))
        except OSError:  # the port is taken: any free one will do
            site = stack.enter_context(serve(articles=articles, port=0))
        click.echo(f"sample site ({articles} articles) serving at {site.start_url}")
        opts = CrawlOptions(start_urls=[site.start_url], warc_dir=warcs, progress=True)
        try:
            result = run(opts, db)
        except Locked as exc:
            click.echo(f"deeply demo: {exc}", err=True)
            sys.exit(EXIT_LOCKED)
    click.echo(run_summary(result))
    click.echo(
        "\nWhat to open:\n"
        f"  the store in Datasette:  .venv/bin/deeply serve --db {db}      (then http://127.0.0.1:8001/)\n"
        f"  the pages, replayed:     .venv/bin/deeply replay --warcs {warcs}   (then http://127.0.0.1:8080/deeply/)\n"
        f"  the WARC files:          {warcs}/\n"
        f"  one article's record:    .venv/bin/deeply extract {warcs} | head -1\n"
        f"  the replay check:        .venv/bin/deeply qa --warcs {warcs} --db {db} --all\n"
    )
    if qa_pages:
        click.echo(_qa_line(warcs, db, qa_pages))
    sys.exit(result.exit_code)


def _qa_line(warcs: Path, db: Path, pages: int) -> str:
    """The replay check of the demo's crawl, in a line (the sample site's about page loads a script
    from a host that refuses connections: the one page expected to be incomplete)."""
    from replay.qa import check_crawl, run_failures

    try:
        report = check_crawl(warcs, db, pages=pages, progress=True)
    except run_failures() as exc:
        lines = str(exc).strip().splitlines() or [type(exc).__name__]
        return f"qa:      skipped ({lines[0]})"
    line = f"qa:      {len(report.pages) - len(report.incomplete)} pages replay complete"
    for page in report.incomplete:
        line += f"\n  INCOMPLETE {page.url}: " + "; ".join(page.problems(report.min_text))
    return line
