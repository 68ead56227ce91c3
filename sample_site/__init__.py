"""A deterministic, scalable imitation of Syria Deeply served on 127.0.0.1.

The demo, the tests and the benchmarks crawl it instead of the real site: its text is generated
(seeded, so every run serves the same bytes), its markup imitates the real pages, and it can change
between "editions" and misbehave on purpose ("faults") in ways the pipeline must notice.
"""

from sample_site.server import Site, serve
from sample_site.truth import expected_changes, truth

__all__ = ["Site", "expected_changes", "serve", "truth"]
