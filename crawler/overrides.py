"""The Scrapy settings of one crawl: the project's settings module under this crawl's options."""

from __future__ import annotations

from datetime import datetime

from crawler.options import CrawlOptions
from crawler.scope import HostRule, is_loopback
from crawler.shared import SharedDict

# The HTTP client of crawls that need not spare the server (crawler/download.py says why).
FAST_HANDLER = "crawler.download.FastDownloadHandler"


def crawl_settings(opts: CrawlOptions, crawl_id: str, started: datetime, first_serial: int):
    from scrapy.settings import Settings

    s = Settings()
    s.setmodule("crawler.settings", priority="project")
    polite = opts.polite if opts.polite is not None else not all(is_loopback(u) for u in opts.start_urls)
    overrides = {
        "DEEPLY_START_URLS": opts.start_urls,
        "DEEPLY_WARC_DIR": str(opts.warc_dir),
        "DEEPLY_WARC_PREFIX": opts.warc_prefix,
        "DEEPLY_WARC_MAX_SIZE": opts.warc_max_size,
        "DEEPLY_MAX_PAGES": opts.max_pages,
        "DEEPLY_SCOPE_PREFIX": opts.scope_prefix,
        "DEEPLY_CRAWL_ID": crawl_id,
        "DEEPLY_STARTED": started,
        "DEEPLY_FIRST_SERIAL": first_serial,
        "DEEPLY_PRIOR": opts.priors if isinstance(opts.priors, SharedDict) else SharedDict(opts.priors),
        "DEEPLY_PROGRESS": opts.progress,
        "DEPTH_LIMIT": opts.max_depth,
        "DOWNLOAD_TIMEOUT": opts.timeout,
        "RETRY_TIMES": opts.retries,
        "LOG_LEVEL": opts.log_level,
        "LOG_FILE": opts.log_file,
        "DEEPLY_REQUISITE_HOSTS": opts.requisite_hosts,
        "DEEPLY_REQUISITE_HOSTS_RULE": HostRule.parse(opts.requisite_hosts, opts.start_urls,
                                                      opts.resolve).describe(),
        "DEEPLY_RESOLVE": dict(opts.resolve),
        "DEEPLY_REQUISITE_HOPS": opts.requisite_hops,
        "DEEPLY_MAX_REQUISITES": opts.max_requisites,
    }
    if not polite:
        # A local copy or the sample site: no need to spare the server.
        overrides.update({"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0,
                          "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
                          "DOWNLOAD_HANDLERS": {"http": FAST_HANDLER, "https": FAST_HANDLER}})
    if opts.resolve:
        # Only the aiohttp client can be told where a host is (crawler/download.py); politeness is in
        # the delays and concurrency above, whichever client sends.
        overrides["DOWNLOAD_HANDLERS"] = {"http": FAST_HANDLER, "https": FAST_HANDLER}
    for key, value in overrides.items():
        s.set(key, value, priority="cmdline")
    return s
