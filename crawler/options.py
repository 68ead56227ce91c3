"""What a crawl is asked to do, and what it reports back."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crawler.prior import Prior

# The WARC folder, the first part of its file names, and the size past which a new file starts
# (small enough to move and check one at a time, large enough to keep the folder short).
WARC_DIR = Path("warcs")
WARC_PREFIX = "deeply"
WARC_MAX_SIZE = 1_000_000_000
# Longer URLs are not fetched: the longest that browsers and servers commonly accept.
MAX_URL_LENGTH = 2083


@dataclass
class CrawlOptions:
    start_urls: list[str]
    warc_dir: Path = WARC_DIR
    max_pages: int = 100_000
    max_depth: int = 0
    scope_prefix: str | None = None
    warc_max_size: int = WARC_MAX_SIZE
    warc_prefix: str = WARC_PREFIX
    priors: dict[str, Prior] = field(default_factory=dict)
    polite: bool | None = None  # None: polite unless every start URL is on loopback
    timeout: float = 60.0
    retries: int = 3
    log_level: str = "WARNING"
    log_file: str | None = None
    progress: bool = True
    resume: bool = True
    requisite_hosts: str | None = None  # `--requisite-hosts` (crawler/scope.py: HostRule.parse)
    resolve: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    requisite_hops: int = 3
    max_requisites: int = 200_000
    redis_url: str | None = None  # a distributed crawl's Redis (crawler/distributed.py)


@dataclass
class CrawlResult:
    crawl_id: str
    started: str
    finished: str
    start_urls: list[str]
    complete: bool
    resumed: bool
    finish_reason: str
    pages: int = 0
    requisites: int = 0
    revisits: int = 0
    fetches: int = 0
    bytes: int = 0
    files: list[str] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    notes: dict[str, int] = field(default_factory=dict)
    # host -> {"fetched": n, "failed": n, "skipped": n}
    requisite_hosts: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def failures(self) -> int:
        """Fetches that got no answer at all (timeouts, resets) after retries."""
        return sum(n for kind, n in self.errors.items() if not kind.startswith("http "))

    def as_dict(self) -> dict:
        return asdict(self)
