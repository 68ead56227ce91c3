"""``deeply sample-site``: serve the generated imitation of Syria Deeply until Ctrl-C."""

from __future__ import annotations

import click

from sample_site.content import EDITIONS, MAX_ARTICLES, MIN_ARTICLES
from sample_site.server import DEFAULT_PORT


@click.command("sample-site")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind; keep it on loopback.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535),
              help="Port to bind; 0 picks a free one.")
@click.option("--articles", default=40, show_default=True, type=click.IntRange(MIN_ARTICLES, MAX_ARTICLES),
              help="How many articles to generate (lazily: 20,000 start as fast as 40).")
@click.option("--edition", default=0, show_default=True, type=click.Choice([str(e) for e in EDITIONS]),
              help="0 is the base site; 1 edits, retitles, adds and removes one article each; "
              "2 reverts the edit.")
@click.option("--faults", is_flag=True, help="Also serve /syria/faults: slow, reset, 500, 429, redirect "
              "loop, 50 MB, binary, windows-1256, wrong charset, malformed HTML, endless calendar.")
@click.option("--quiet", is_flag=True, help="Do not log each request to stderr.")
def sample_site_command(host: str, port: int, articles: int, edition: str, faults: bool, quiet: bool) -> None:
    """Serve a sample Syria Deeply on your machine.

    Use it to try the pipeline (crawl, extract, store, browse) without touching the real site: the
    pages imitate Syria Deeply's markup, their text is generated and the same on every run, and
    the known differences between editions let you watch re-crawls record changes. On 127.0.0.1
    its assets are on second and third listeners (127.0.0.2, 127.0.0.3, the same port), as the
    real site had them on its CDN, and its about page loads a script from 127.0.0.4, which refuses.

    \b
    Examples:
      deeply sample-site                          # 40 articles on http://127.0.0.1:8765/syria
      deeply sample-site --articles 20000 --port 0
      deeply sample-site --edition 1 --faults
    """
    from sample_site.server import run

    run(host, port, articles, int(edition), faults, verbose=not quiet, announce=click.echo)
