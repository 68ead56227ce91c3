"""``python -m extract [--url URL] FILE…``: one JSON record per line, for saved pages."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from extract.page import build_record


@click.command(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--url",
    default=None,
    metavar="URL",
    help="The URL the page was served at (keys the record). Default: the URL the page declares "
    "for itself (canonical link, JSON-LD, og:url, HTTrack's 'Mirrored from' note), else the file path.",
)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def main(url: str | None, files: tuple[Path, ...]) -> None:
    """Extract the article record of each saved HTML FILE and print it as one JSON object per line,
    in the order given.

    A file that is not an article page (a listing, a topic page, the front page, a redirect stub) or
    cannot be read gets a one-line message on stderr; the other files still print.

    \b
    Exit status: 0 every file gave a record; 1 at least one did not.
    Example:
      python -m extract syria/articles/2013/07/05/understanding-the-regime-offensive-in-homs.html
    """
    failed = 0
    for path in files:
        try:
            body = path.read_bytes()
        except OSError as exc:
            click.echo(f"extract: {path}: cannot read: {exc.strerror or exc}", err=True)
            failed += 1
            continue
        try:
            record = build_record(body, url or "", default_url=str(path))
        except Exception as exc:  # report and go on: one bad file must not hide the others
            click.echo(f"extract: {path}: extraction failed: {type(exc).__name__}: {exc}", err=True)
            failed += 1
            continue
        if record is None:
            click.echo(f"extract: {path}: not an article page (no record)", err=True)
            failed += 1
            continue
        click.echo(json.dumps(record.as_dict(), ensure_ascii=False))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
