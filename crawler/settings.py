"""Scrapy settings for the deeply crawler: polite on real sites, exact in what it stores.

`deeply crawl` overrides the per-run ones (start URLs, output folder, budget); `scrapy crawl
syriadeeply` uses these as they are. Only the upper-case names are settings.
"""

from archive.version import VERSION as _version
from crawler import options as _options

BOT_NAME = "deeply-archive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = f"deeply-archive/{_version} (+https://github.com/deeply-archive; web archiving for preservation)"
ROBOTSTXT_OBEY = True
# Cookies would need the public-suffix list, which tldextract fetches from the internet; an archive
# of a static news site needs no session.
COOKIES_ENABLED = False
# Both run code sent to them from another process (Scrapy 2.19 starts the HTTP one by default and
# leaves a token in the user's home): an unattended archival crawl needs neither.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# gzip and deflate only: what every replay tool can decode (brotli and zstd are not universal).
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en",
    "Accept-Encoding": "gzip, deflate",
}
LOG_INSTALL_ROOT_HANDLER = True

# Scrapy starts CONCURRENT_ITEMS asyncio tasks per response to process its output; this spider yields
# a few requests and no items, so Scrapy's 100 tasks a response were mostly overhead on the crawl's thread.
CONCURRENT_ITEMS = 4
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
RETRY_ENABLED = True
RETRY_TIMES = _options.CrawlOptions.retries
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_TIMEOUT = _options.CrawlOptions.timeout
DOWNLOAD_MAXSIZE = 200 * 1024 * 1024
DOWNLOAD_WARNSIZE = 64 * 1024 * 1024
REDIRECT_MAX_TIMES = 10
DEPTH_LIMIT = 0
# Breadth-first: listings before the deep pages they lead to, and a bounded memory of pending requests
# (applied by the spider, as are DEPTH_LIMIT and URLLENGTH_LIMIT).
DEPTH_PRIORITY = 1
URLLENGTH_LIMIT = _options.MAX_URL_LENGTH
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"

# Scrapy's per-request machinery is most of the crawl's CPU (`make bench` measures it): what this
# crawl does not use is off. The spider checks no callback's source for `return` (Scrapy re-parses it for
# every response), the scope guard replaces the offsite filter, nothing needs HTTP auth, the summary
# counts fetches itself. (The spider turns off the spider middlewares whose work it does itself.)
WARN_ON_GENERATOR_RETURN_VALUE = False
DOWNLOADER_STATS = False

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
    # First of all (before robots.txt): nothing out of scope is ever sent, redirects included.
    "crawler.guard.ScopeGuardMiddleware": 50,
    # Scrapy's own, with every request that waited for robots.txt checked against it (see the module).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.robots.RobotsTxtMiddleware": 100,
    # Beyond HttpCompressionMiddleware (590) and RetryMiddleware (550): sees the bytes as they came
    # off the wire, and every attempt, before Scrapy decodes or retries them.
    "crawler.warc.WarcWriterMiddleware": 950,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    # Redirects keep their Referer; a `<meta http-equiv=refresh>` target is a link like any other
    # (crawler/links.py), so Scrapy's regex over every HTML body is not needed.
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.redirect.RedirectMiddleware": 600,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.retry.RetryAfterMiddleware": 550,
}
DEEPLY_MAX_RETRY_AFTER = 120.0

LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"

# deeply's own settings (crawler/overrides.py sets them from a crawl's options)
DEEPLY_WARC_DIR = str(_options.WARC_DIR)
DEEPLY_WARC_PREFIX = _options.WARC_PREFIX
DEEPLY_WARC_MAX_SIZE = _options.WARC_MAX_SIZE
DEEPLY_WARC_VERSION = "1.1"
DEEPLY_MAX_PAGES = _options.CrawlOptions.max_pages
# Processes that parse pages for links beside the crawl (None: one when there is a second core).
DEEPLY_LINK_WORKERS = None
# Requisites: from which hosts (None: any host, or loopback only when every start URL is on loopback;
# see crawler/scope.py), how many hops of requisites of requisites, how many in all (0: no limit).
DEEPLY_REQUISITE_HOSTS = None
DEEPLY_REQUISITE_HOPS = _options.CrawlOptions.requisite_hops
DEEPLY_MAX_REQUISITES = _options.CrawlOptions.max_requisites
# host -> (address, port or None): where to connect for a host, with no DNS query (`--resolve`).
DEEPLY_RESOLVE = {}
