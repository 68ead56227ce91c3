"""`deeply ingest`, `deeply serve` and `deeply verify`: thin click wrappers over the storage library."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from deeply.archive_paths import expand_archives
from storage.ports import DATASETTE_PORT
from storage.replay_links import DEFAULT_REPLAY_PREFIX

DEFAULT_DB = "archive.db"  # the store every command uses unless told

db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DB,
    show_default=True,
    help="The SQLite store.",
)


@click.command("ingest")
@click.argument("warcs", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
@click.option("--crawl-id",
              help="Attribute the captures to this crawl (default: the WARC's warcinfo isPartOf).")
@click.option(
    "--replay-prefix",
    help="Prefix of replay links: {prefix}/{14-digit timestamp}/{url}.  "
    f"[default: {DEFAULT_REPLAY_PREFIX}]",
)
@click.option("--workers", type=click.IntRange(0, 64), default=None,
              help="Extraction processes (0: extract in this process).  [default: one per core]")
@click.option("--progress/--no-progress", default=True, show_default=True, help="Progress bar on stderr.")
def ingest_command(warcs, db_path, crawl_id, replay_prefix, workers, progress):
    """Ingest WARC, ARC and WACZ files into the store.

    Reads any standard WARC (ours, wget, Heritrix, Browsertrix, pywb; per-record gzip, whole-file
    gzip or none), ARC files, and WACZ packages (their WARCs read in place, their page titles kept);
    see docs/archives.md. A file is known by its content (SHA-256), not its name. Every
    response and revisit record becomes a capture; records whose block or payload digest does not
    match are kept, marked and reported; article pages are extracted and versioned (a
    new version only when the content changed). Each file is one transaction: a file already
    ingested is skipped, a damaged one keeps the records before the damage and is reported with
    its offset, and the other files go on. Exits 1 when any file failed.

    WARCS are files or directories (their .warc, .warc.gz, .arc, .arc.gz and .wacz files, any
    case, in name order; every other file there is named with why it was skipped).
    """
    from storage import StoreError, ingest

    files = expand_archives(warcs, lambda line: click.echo(line, err=True))
    if not files:
        raise click.UsageError("no WARC, ARC or WACZ files found in the given paths")
    try:
        report = ingest(db_path, files, crawl_id=crawl_id, progress=progress, replay_prefix=replay_prefix,
                        workers=workers, log=None if progress else (lambda line: click.echo(line, err=True)))
    except StoreError as e:  # busy, damaged, newer schema, unwritable: one line, not a traceback
        raise click.ClickException(str(e)) from None
    click.echo(report.summary(), err=True)
    if not report.ok:
        for f in report.failed:
            click.echo(f"error: {f.line()}", err=True)
        sys.exit(1)


@click.command("serve")
@db_option
@click.option("--port", type=int, default=DATASETTE_PORT, show_default=True, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on (0.0.0.0 exposes the archive to the network).")
@click.option("--live", is_flag=True,
              help="Serve read-only over WAL so that an ingest can run at the same time "
                   "(default: immutable, unless an ingest is already running).")
def serve_command(db_path, port, host, live):
    """Browse and query the store in Datasette.

    Opens the store read-only with the package's metadata: descriptions of every table and
    column, facets, and canned queries (latest version of every article, an article's history
    with what changed, interviews by speaker, what changed in a crawl, full-text search).
    Replay links point at the replay server (`deeply replay`). Stop with Ctrl-C.
    """
    from storage import StoreError, serve

    try:
        serve(db_path, host=host, port=port, live=live or None,
              echo=lambda msg: click.echo(msg, err=True))
    except (FileNotFoundError, StoreError) as e:
        raise click.ClickException(str(e)) from None


@click.command("verify")
@db_option
@click.option("--warcs", "warc_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Look for the WARC files in this directory (default: where they were ingested from); "
                   "files there that were never ingested are listed too.")
@click.option("--quiet", "-q", is_flag=True, help="Print only problems and the summary.")
def verify_command(db_path, warc_dir, quiet):
    """Check the WARC files against the SHA-256 recorded at ingest.

    Recomputes every ingested file's SHA-256 (fixity) and compares; exits 1 when a file is
    missing or its bytes changed since ingest, or when it came in with records that fail their
    own block or payload digests (DAMAGED). Read-only: safe next to `deeply serve`.
    """
    from storage import StoreError, verify

    if not db_path.is_file():
        raise click.ClickException(f"no store at {db_path}")
    try:
        report = verify(db_path, warc_dir=warc_dir)
    except StoreError as e:
        raise click.ClickException(str(e)) from None
    for result in report.results:
        if not quiet or result.status in ("mismatch", "missing", "damaged"):
            click.echo(result.line())
    click.echo(report.summary(), err=True)
    if not report.ok:
        sys.exit(1)


@click.command("stats")
@db_option
def stats_command(db_path):
    """Say in a few lines what the store holds.

    Articles per site (with their publication years and how many a crawl no longer found),
    versions, captures, crawls, and what the last crawl found new, changed and gone. Read-only:
    safe next to `deeply serve` and a running ingest.
    """
    import sqlite3

    from storage import StoreError, check_store
    from storage.stats import summarize, summary_text

    if not db_path.is_file():
        raise click.ClickException(f"no store at {db_path} (create one with `deeply ingest`)")
    try:
        check_store(db_path)
        click.echo(summary_text(summarize(db_path)))
    except (StoreError, sqlite3.Error) as e:
        raise click.ClickException(f"{db_path}: {e}") from None
