"""`deeply index`, `deeply replay`, `deeply wacz`: thin click wrappers over the replay package."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from crawler.options import WARC_DIR
from storage.replay_links import DEFAULT_COLLECTION, DEFAULT_HOST, DEFAULT_PORT

WARCS_OPTION = click.option(
    "--warcs",
    "warc_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=WARC_DIR,
    show_default=True,
    help="Folder of the WARC files (the crawl's output).",
)


@click.command("index")
@WARCS_OPTION
@click.option("--full", is_flag=True, help="Re-index every closed WARC instead of only the new ones.")
def index_command(warc_dir: Path, full: bool):
    """Update the CDXJ index of the WARC folder: WARCS/indexes/index.cdxj.

    Only closed WARCs not indexed before are read (WARCS/indexes/indexed.json records which);
    files still being written ('.open') are left for a later run. The index is sorted, keyed
    by SURT, and gives filename/offset/length for each record: pywb reads it as is, and it
    can be POSTed to an OutbackCDX server.

    Exit codes: 0 done; 1 some WARCs could not be read (they are retried next time).
    """
    from replay.index import update_index

    if not warc_dir.is_dir():
        raise click.UsageError(f"no WARC folder at {warc_dir}")
    result = update_index(warc_dir, full=full)
    how = "rebuilt" if result.rebuilt else "updated"
    click.echo(
        f"{how} {result.index}: {len(result.added)} new WARC(s), "
        f"{result.lines_added} new lines, {result.total_lines} lines in all"
    )
    for name, error in result.failed.items():
        click.echo(f"  could not index {name}: {error}", err=True)
    sys.exit(1 if result.failed else 0)


@click.command("replay")
@WARCS_OPTION
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True)
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address pywb listens on.")
@click.option("--collection", "coll", default=DEFAULT_COLLECTION, show_default=True,
              help="pywb collection name.")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="pywb's directory (config.yaml) [default: WARCS/pywb].",
)
@click.option("--frameless", is_flag=True, help="Serve pages without pywb's top frame and banner.")
def replay_command(warc_dir: Path, port: int, host: str, coll: str, root: Path | None, frameless: bool):
    """Replay the WARC folder in the browser with pywb.

    Updates the index, writes a pywb collection that reads the WARC files in place, and serves
    it until Ctrl-C. Open http://HOST:PORT/COLLECTION/ to search, or
    http://HOST:PORT/COLLECTION/TIMESTAMP/URL for a capture (the links in the store).
    """
    from replay.pywb_collection import serve

    if not warc_dir.is_dir():
        raise click.UsageError(f"no WARC folder at {warc_dir}")

    def announce(server) -> None:
        indexing = server.collection.indexing
        for name, error in (indexing.failed if indexing else {}).items():
            click.echo(f"could not index {name}: {error}", err=True)
        records = indexing.total_lines if indexing else "?"
        click.echo(f"pywb is replaying {server.collection.warc_dir} ({records} index lines)")
        click.echo(f"  collection: {server.coll_url}")
        example = example_capture(server.collection.index)
        if example:
            click.echo(f"  an article: {server.replay_url(*example)}")
        click.echo("Ctrl-C to stop.")

    try:
        code = serve(warc_dir, root, coll, port, host, framed=not frameless, on_ready=announce)
    except (RuntimeError, TimeoutError) as exc:  # port taken, or pywb would not start
        raise click.ClickException(str(exc)) from exc
    sys.exit(code)


def example_capture(index: Path) -> tuple[str, str] | None:
    """(timestamp, url) of the latest article capture in the index, else of any HTML page."""
    import json

    from extract.urls import is_article_url

    best: dict[bool, tuple[str, str]] = {}
    try:
        with open(index, encoding="utf-8") as fh:
            for line in fh:
                _key, ts, data = line.split(" ", 2)
                fields = json.loads(data)
                if fields.get("status") != "200" or not fields.get("mime", "").startswith("text/html"):
                    continue
                kind = is_article_url(fields["url"])
                if kind not in best or ts > best[kind][0]:
                    best[kind] = (ts, fields["url"])
    except (OSError, ValueError):
        return None
    return best.get(True) or best.get(False)


@click.command("wacz")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@WARCS_OPTION
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Store whose articles (titles, capture times) make the page list.",
)
@click.option("--title", default=None, help="Title in datapackage.json.")
@click.option("--validate", is_flag=True, help="Run `wacz validate` on the result.")
def wacz_command(out: Path, warc_dir: Path, db: Path | None, title: str | None, validate: bool):
    """Package the closed WARCs into OUT.wacz, to share or open in ReplayWeb.page.

    The package holds the WARCs, their CDXJ index, pages/pages.jsonl (every article with its
    title and capture time: from the store's articles with --db, else the article pages in the
    WARCs) and datapackage.json with sha256 digests; entries are stored uncompressed.
    """
    from replay.wacz_package import DEFAULT_TITLE, WaczError, build_wacz, validate_wacz

    try:
        result = build_wacz(out, warc_dir, db, title=title or DEFAULT_TITLE)
    except WaczError as exc:
        raise click.ClickException(str(exc)) from exc
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    source = "the store" if result.pages_from == "db" else "the WARCs"
    click.echo(f"wrote {result.path}: {len(result.warcs)} WARC(s), {result.pages} pages (from {source})")
    if validate:
        ok, output = validate_wacz(result.path)
        click.echo(output.strip())
        sys.exit(0 if ok else 1)
