"""The `deeply` command: thin click wrappers over the crawler, extract and storage packages."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

from crawler.options import CrawlOptions
from deeply.exit_codes import EXIT_LOCKED, exit_code


class _Commands(click.Group):
    """`sample-site` is loaded when it is asked for: it brings the whole sample site, slow to
    import at every start, which no other command needs."""

    lazy = {"sample-site": ("deeply.cmd_sample", "sample_site_command")}

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx, name):
        if name in self.lazy and name not in self.commands:
            module, attr = self.lazy[name]
            self.add_command(getattr(importlib.import_module(module), attr), name)
        return super().get_command(ctx, name)


@click.group(cls=_Commands,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
# The version in pyproject.toml, read from the installed metadata only when asked for.
@click.version_option(package_name="deeply-archive", prog_name="deeply")
def cli():
    """deeply-archive: capture Syria Deeply into WARC files, re-capture it on a schedule, extract
    every article into a versioned SQLite store, and explore it in Datasette.

    \b
    Typical use:
      deeply crawl                      # capture the live archive into ./warcs
      deeply ingest warcs/*.warc.gz     # extract articles into archive.db
      deeply serve                      # browse archive.db in Datasette
      deeply run                        # crawl + ingest, for cron
    """


def _crawl_options(f):
    options = [
        click.option("--warcs", "warc_dir", type=click.Path(file_okay=False, path_type=Path),
                     default=CrawlOptions.warc_dir, show_default=True,
                     help="Folder the WARC files are written to."),
        click.option("--limit", "max_pages", type=click.IntRange(min=1), default=CrawlOptions.max_pages,
                     show_default=True,
                     help="Page budget: at most this many pages (requisites not counted); with --redis, "
                     "the whole crawl's, shared by all its workers."),
        click.option("--max-depth", type=click.IntRange(min=0), default=CrawlOptions.max_depth,
                     show_default=True,
                     help="Follow links at most this deep from the start pages (0: no limit)."),
        click.option("--scope-prefix", default=None,
                     help="Path prefix pages must start with (default: the start URL's folder)."),
        click.option("--warc-size", "warc_max_size", type=click.IntRange(min=100_000),
                     default=CrawlOptions.warc_max_size, show_default=True,
                     help="Start a new WARC file past this size."),
        click.option("--prefix", "warc_prefix", default=CrawlOptions.warc_prefix, show_default=True,
                     help="First part of WARC file names."),
        click.option("--polite/--fast", default=None,
                     help="AutoThrottle and a delay between requests (default: polite except on loopback)."),
        click.option("--timeout", type=float, default=CrawlOptions.timeout, show_default=True,
                     help="Seconds to wait for a response."),
        click.option("--retries", type=click.IntRange(min=0), default=CrawlOptions.retries, show_default=True,
                     help="Retries after a timeout, a reset, a 5xx or a 429."),
        click.option("--fresh", is_flag=True,
                     help="Start a new crawl even if an interrupted one could be resumed."),
        click.option("-v", "--verbose", is_flag=True, help="Log every fetch (Scrapy INFO)."),
        click.option("--log-file", type=click.Path(dir_okay=False), default=None,
                     help="Write Scrapy's log to this file instead of stderr."),
        click.option("--quiet", is_flag=True, help="No progress bar."),
        click.option("--requisite-hosts", default=None, metavar="PATTERNS",
                     help="Hosts page requisites may come from: comma-separated host names or globs "
                     "('*.amazonaws.com'), '*' for any, 'loopback'; '-PATTERN' denies. Default: any host, "
                     "or loopback only when every start URL is on loopback. The start hosts always."),
        click.option("--requisite-hops", type=click.IntRange(min=0), default=CrawlOptions.requisite_hops,
                     show_default=True,
                     help="Requisites of requisites at most this deep (a stylesheet's font: 2; 0: none)."),
        click.option("--max-requisites", type=click.IntRange(min=0), default=CrawlOptions.max_requisites,
                     show_default=True,
                     help="At most this many requisites in all (0: no limit); with --redis, the whole "
                     "crawl's."),
        click.option("--redis", "redis_url", default=None, metavar="redis://[:PASSWORD@]HOST:PORT/DB",
                     help="Join (or start) the distributed crawl of these start URLs on this Redis: "
                     "its frontier is shared by every process given the same URL (docs/distributed.md)."),
        click.option("--resolve", "resolve", multiple=True, metavar="HOST=ADDRESS[:PORT]",
                     help="Connect to ADDRESS (and PORT) for HOST, with no DNS query for it (repeatable)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def crawl_options_from(kwargs, start_urls, priors=None):
    from crawler.scope import DEFAULT_START, HostRule, parse_resolve

    start_urls = list(start_urls) or [DEFAULT_START]
    try:
        resolve = parse_resolve(kwargs.get("resolve"))
        HostRule.parse(kwargs.get("requisite_hosts"), start_urls, resolve)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    return CrawlOptions(
        start_urls=start_urls,
        requisite_hosts=kwargs.get("requisite_hosts"),
        resolve=resolve,
        requisite_hops=kwargs.get("requisite_hops", CrawlOptions.requisite_hops),
        max_requisites=kwargs.get("max_requisites", CrawlOptions.max_requisites),
        warc_dir=kwargs["warc_dir"],
        max_pages=kwargs["max_pages"],
        max_depth=kwargs["max_depth"],
        scope_prefix=kwargs["scope_prefix"],
        warc_max_size=kwargs["warc_max_size"],
        warc_prefix=kwargs["warc_prefix"],
        polite=kwargs["polite"],
        timeout=kwargs["timeout"],
        retries=kwargs["retries"],
        resume=not kwargs["fresh"],
        log_level="INFO" if kwargs["verbose"] else "WARNING",
        log_file=kwargs["log_file"],
        progress=not kwargs["quiet"] and not kwargs["verbose"],
        priors=priors or {},
        redis_url=kwargs.get("redis_url"),
    )


@cli.command()
@click.argument("start_urls", nargs=-1)
@_crawl_options
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Store whose earlier captures make unchanged pages revisit records.")
def crawl(start_urls, db, **kwargs):
    """Capture a site into WARC files.

    Starts from START_URLS (default: the Syria Deeply archive) and follows every page inside their
    host and path prefix (articles, op-eds, executive summaries, listings, topics, authors, feeds),
    capturing the stylesheets, scripts, images, fonts and iframes they load, from whichever host
    (--requisite-hosts), so pages replay as they looked. Obeys robots.txt, on every host. Writes
    request and response records into WARCS/PREFIX-YYYYMMDDhhmmss-NNNNN-HOST.warc.gz ('.open'
    while being written).

    An interrupted crawl (Ctrl-C, kill, power cut) is resumed by running the same command again.

    \b
    Exit codes: 0 complete; 1 complete, but some fetches failed; 3 interrupted (run again to
    resume); 4 another run is using the WARC folder.
    """
    from crawler.lock import Locked
    from crawler.run import run_crawl
    from crawler.summary import summary_text
    from deeply.pipeline import load_priors

    if db:
        from storage import StoreError, check_store

        try:
            check_store(db)
        except StoreError as exc:
            raise click.ClickException(str(exc)) from None
    priors = load_priors(db, kwargs["warc_dir"]) if db else {}
    opts = crawl_options_from(kwargs, start_urls, priors)
    try:
        if opts.redis_url:
            from crawler.distributed import run_worker
            from crawler.redis_frontier import RedisUnavailable

            try:
                result = run_worker(opts)
            except RedisUnavailable as exc:
                raise click.ClickException(str(exc)) from None
        else:
            result = run_crawl(opts)
    except Locked as exc:
        click.echo(f"deeply crawl: {exc}", err=True)
        sys.exit(EXIT_LOCKED)
    click.echo(summary_text(result))
    sys.exit(exit_code(result.complete, bool(result.failures)))


def _register() -> None:
    """The other stages' commands, each in its own module beside this one."""
    from deeply.cmd_extract import extract_command
    from deeply.cmd_qa import qa_command
    from deeply.cmd_replay import index_command, replay_command, wacz_command
    from deeply.cmd_run import demo_command, run_command
    from deeply.cmd_store import ingest_command, serve_command, stats_command, verify_command

    for command in (run_command, demo_command, ingest_command, extract_command, serve_command,
                    stats_command, verify_command, index_command, replay_command, wacz_command,
                    qa_command):
        cli.add_command(command)


_register()
