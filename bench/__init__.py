"""Benchmarks of every stage against the tool that does the same work: ``python -m bench``.

Crawl against GNU Wget, extraction against a plain trafilatura loop, ingest and re-crawl against
their own first run; on the sample site at two sizes and on the real copy of Syria Deeply. Each
command is measured from outside (bench/measure.py) so ours and the reference are timed alike.
"""
