"""``python -m sample_site``: serve the sample site until Ctrl-C (see ``--help``)."""

from __future__ import annotations

import argparse

from sample_site.content import EDITIONS, MAX_ARTICLES, MIN_ARTICLES
from sample_site.server import DEFAULT_PORT, run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m sample_site",
        description="Serve a generated imitation of Syria Deeply on loopback, to crawl, extract and "
        "browse without touching the real site.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port to bind, 0 for any free port (default {DEFAULT_PORT})")
    parser.add_argument("--articles", type=int, default=40,
                        help=f"number of articles, {MIN_ARTICLES} to {MAX_ARTICLES} (default 40)")
    parser.add_argument("--edition", type=int, default=0, choices=EDITIONS,
                        help="0 is the base; 1 and 2 change a known handful of articles (default 0)")
    parser.add_argument("--faults", action="store_true", help="also serve the fault-injection pages")
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    args = parser.parse_args(argv)
    run(args.host, args.port, args.articles, args.edition, args.faults, verbose=not args.quiet)


if __name__ == "__main__":
    main()
