"""`deeply extract`: article records out of WARC files, as JSON Lines (a thin wrapper over extract)."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import click

from deeply.archive_paths import expand_archives


@click.command("extract")
@click.argument("warcs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write the JSON Lines here instead of stdout.",
)
@click.option(
    "--workers",
    type=click.IntRange(0, 64),
    default=None,
    help="Extraction processes (0: extract in this process).  [default: one per core]",
)
@click.option(
    "--provenance",
    is_flag=True,
    help='Add a "warc" object to each line: file, member (in a WACZ), offset, length, WARC-Date, record id.',
)
@click.option("--quiet", is_flag=True, help="No progress bar and no summary line.")
def extract_command(
    warcs: tuple[Path, ...], output: Path | None, workers: int | None, provenance: bool, quiet: bool
):
    """Extract every article page of the WARC files into records, one JSON object per line.

    WARCS are WARC, ARC or WACZ files (gzipped or not) or folders of them (every other file in a
    folder is named with why it was skipped); see docs/archives.md. Every 200 HTML response whose URL is an
    article, op-ed, executive summary or explainer becomes one record, in the order of the files;
    requests, metadata, requisites and listings are skipped, and a revisit is resolved to the body
    it points to when that was read earlier from the same files (by the same rules as ingest; the
    revisits that could not be resolved are counted in the summary). The same article captured twice
    gives two lines with the same "key" (and, if its content did not change, the same
    "content_hash").

    A truncated or foreign file gets a one-line error with its name and the offset where reading
    stopped; the other files go on. Extraction runs on all cores, in chunks, in order; progress
    (bytes read) goes to stderr.

    \b
    Exit status: 0 every file was read to its end; 1 some file could not be, or the extractor failed
    on a page (each named on stderr; the other records are still written).
    Examples:
      deeply extract warcs/ | head -1
      deeply extract warcs/*.warc.gz -o records.jsonl --workers 2
    """
    from tqdm import tqdm

    from archive import ArchiveDamage
    from extract.pool import default_workers
    from extract.warcs import ReadCounts, iter_many

    files = expand_archives(warcs, lambda line: click.echo(f"deeply extract: {line}", err=True))
    if not files:
        raise click.UsageError("no WARC, ARC or WACZ files found in the given paths")
    total = sum(p.stat().st_size for p in files)
    errors: list[ArchiveDamage] = []
    read = ReadCounts()
    workers = default_workers() if workers is None else workers
    started = time.monotonic()
    counts = {"pages": 0, "records": 0, "failed": 0}
    out = output.open("w", encoding="utf-8") if output else sys.stdout
    bar = tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc="extract",
        file=sys.stderr,
        disable=quiet,
        dynamic_ncols=True,
        mininterval=0.5 if sys.stderr.isatty() else 15,  # a log file gets a line now and then
    )

    def on_error(err: ArchiveDamage) -> None:
        errors.append(err)
        bar.write(f"deeply extract: FAILED: {err.line()}", file=sys.stderr)

    try:
        stream = iter_many(files, progress=bar.update, on_error=on_error, counts=read)
        _write_records(stream, out, workers, provenance, counts, bar)
        out.flush()
    except BrokenPipeError:
        # the reader went away (`| head -1`): it had what it wanted; that is no error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    finally:
        bar.close()
        if output:
            out.close()
    if not quiet:
        seconds = time.monotonic() - started
        click.echo(
            f"deeply extract: {counts['records']} records from {counts['pages']} article responses in "
            f"{len(files)} file(s), {seconds:.1f} s on {workers} worker(s); "
            f"{read.revisits} revisits ({read.revisits_unresolved} unresolved)"
            + (f"; {len(errors)} file(s) unreadable" if errors else "")
            + (f"; {counts['failed']} page(s) the extractor failed on" if counts["failed"] else ""),
            err=True,
        )
    sys.exit(1 if errors or counts["failed"] else 0)


def _write_records(stream, out, workers: int, provenance: bool, counts: dict, bar) -> None:
    from extract.batch import extract_stream

    def failed(page, error: str) -> None:
        counts["failed"] += 1
        bar.write(f"deeply extract: FAILED: {page.url}: {error}", file=sys.stderr)

    for meta, record in extract_stream(stream, workers=workers, on_error=failed):
        counts["pages"] += 1
        if record is None:
            continue
        counts["records"] += 1
        row = record.as_dict()
        if provenance:
            row["warc"] = {k: meta.get(k) for k in ("file", "member", "offset", "length", "warc_date",
                                                    "record_id")}
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
