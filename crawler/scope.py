"""What a crawl may fetch: pages inside the start URLs' host and path prefix, requisites on any host
the requisite-host rule allows (the start hosts always).

Scope is decided on the URL alone so that no link, redirect or `<base>` tag in a page can widen it:
a requisite's host widens what is fetched as an embed, never what is crawled as a page.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import posixpath
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from urllib.parse import unquote, urlsplit

ALLOWED_SCHEMES = ("http", "https")
DEFAULT_START = "https://deeply.thenewhumanitarian.org/syria"  # the Syria Deeply archive, as served today


@dataclass(frozen=True)
class Root:
    scheme: str
    netloc: str
    prefix: str  # the path prefix pages must start with, always ending in "/"
    exact: str  # the start path itself (e.g. "/syria"), in scope though it lacks the slash


def _netloc(parts) -> str:
    host = (parts.hostname or "").lower()
    port = parts.port
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return host if port in (None, default) else f"{host}:{port}"


def root_of(start_url: str, prefix: str | None = None) -> Root:
    """The scope a start URL implies: `/syria` and `/syria/` give `/syria/`; `/syria/articles.html` gives
    `/syria/` (a file's folder), so a crawl of a static copy stays in the section it started in."""
    parts = urlsplit(start_url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {start_url!r}")
    path = parts.path or "/"
    if prefix is None:
        last = path.rsplit("/", 1)[-1]
        if path.endswith("/"):
            prefix = path
        elif "." in last:
            prefix = posixpath.dirname(path).rstrip("/") + "/"
        else:
            prefix = path + "/"
    elif not prefix.endswith("/"):
        prefix += "/"
    return Root(parts.scheme.lower(), _netloc(parts), prefix, path.rstrip("/") or "/")


LOOPBACK = "loopback"
ANY = "*"


@dataclass(frozen=True)
class HostRule:
    """Which hosts requisites may come from: `allow` and `deny` patterns (a host name, a glob such as
    `*.amazonaws.com`, `*` for any host, `loopback` for 127.0.0.0/8, ::1, localhost and any host that
    `--resolve` sends to a loopback address). Deny wins; a host must match some allow pattern."""

    allow: tuple[str, ...] = (ANY,)
    deny: tuple[str, ...] = ()
    loopback_names: frozenset[str] = frozenset()  # hosts resolved to loopback addresses

    @classmethod
    def parse(cls, spec: str | None, start_urls=(), resolved: dict | None = None) -> HostRule:
        """`--requisite-hosts`: comma-separated patterns, `-PATTERN` denies. With no allow pattern
        the default applies: any host, or only loopback when every start URL is on loopback (a local
        copy must never reach out to the internet)."""
        allow, deny = [], []
        for item in (spec or "").split(","):
            item = item.strip().lower()
            if not item:
                continue
            (deny if item.startswith("-") else allow).append(item.lstrip("-+").strip())
        if any(not p or "/" in p or ":" in p.strip("[]") and not _is_ip(p.strip("[]")) for p in allow + deny):
            raise ValueError(f"--requisite-hosts: host patterns only (no scheme, port or path): {spec!r}")
        # "[::1]" names the address a URL's host gives as "::1" (and as a glob would be a character class).
        allow, deny = ([p.strip("[]") if _is_ip(p.strip("[]")) else p for p in ps] for ps in (allow, deny))
        if not allow:
            local = bool(start_urls) and all(is_loopback(u) for u in start_urls)
            allow = [LOOPBACK if local else ANY]
        names = frozenset(h for h, (addr, _port) in (resolved or {}).items() if _loopback_host(addr))
        return cls(tuple(allow), tuple(deny), names)

    def allows(self, host: str) -> bool:
        host = host.lower()
        if any(self._match(p, host) for p in self.deny):
            return False
        return any(self._match(p, host) for p in self.allow)

    def _match(self, pattern: str, host: str) -> bool:
        if pattern == ANY:
            return True
        if pattern == LOOPBACK:
            return _loopback_host(host) or host in self.loopback_names
        return fnmatch.fnmatchcase(host, pattern)

    def describe(self) -> str:
        return ",".join([*self.allow, *(f"-{p}" for p in self.deny)])


@dataclass(frozen=True)
class Scope:
    roots: tuple[Root, ...]
    requisite_hosts: HostRule = field(default_factory=HostRule)

    @classmethod
    def from_urls(cls, start_urls, prefix: str | None = None,
                  requisite_hosts: HostRule | None = None) -> Scope:
        start_urls = list(start_urls)
        rule = requisite_hosts or HostRule.parse(None, start_urls)
        return cls(tuple(root_of(u, prefix) for u in start_urls), rule)

    @cached_property
    def hosts(self) -> frozenset[str]:
        return frozenset(r.netloc for r in self.roots)

    def page_in_scope(self, url: str) -> bool:
        return _page_in_scope(self, url)

    def requisite_in_scope(self, url: str) -> bool:
        """Requisites (stylesheets, scripts, images, fonts) may sit anywhere on a start URL's host, and on
        any host the requisite-host rule allows."""
        return _requisite_in_scope(self, url)

    def on_start_host(self, url: str) -> bool:
        parts = _safe_split(url)
        return parts is not None and _netloc(parts) in self.hosts

    def requisite_host_denied(self, url: str) -> str | None:
        """The host of an http(s) requisite URL that is out of scope only by its host, else None: what
        the summary lists as skipped, by host."""
        parts = _safe_split(url)
        if parts is None or _requisite_in_scope(self, url):
            return None
        return parts.hostname.lower()


# Cached: every page of a site links to the same sister sites, feeds and shared images, and each of
# those links would otherwise be judged again on every page, on the crawl's one busy thread.
@lru_cache(maxsize=32_768)
def _page_in_scope(scope: Scope, url: str) -> bool:
    parts = _safe_split(url)
    if parts is None:
        return False
    netloc, path = _netloc(parts), _plain_path(parts.path)
    for root in scope.roots:
        if netloc == root.netloc and (path.startswith(root.prefix) or path == root.exact):
            return True
    return False


@lru_cache(maxsize=32_768)
def _requisite_in_scope(scope: Scope, url: str) -> bool:
    parts = _safe_split(url)
    if parts is None:
        return False
    return _netloc(parts) in scope.hosts or scope.requisite_hosts.allows(parts.hostname)


def _plain_path(path: str) -> str:
    """The path a server will resolve: percent-decoded dots and dot segments applied, so that
    `/syria/%2e%2e/peacebuilding` is judged as `/peacebuilding`."""
    decoded = unquote(path or "/")
    plain = posixpath.normpath(decoded) if decoded not in ("", "/") else "/"
    if decoded.endswith("/") and plain != "/":
        plain += "/"
    return plain.replace("//", "/")


def _safe_split(url: str):
    try:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ALLOWED_SCHEMES or not parts.hostname:
            return None
        _ = parts.port  # raises on a malformed port
    except ValueError:
        return None
    return parts


def is_loopback(url: str) -> bool:
    return _loopback_host((urlsplit(url).hostname or "").lower())


def _loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def parse_resolve(items) -> dict[str, tuple[str, int | None]]:
    """`--resolve HOST=ADDRESS[:PORT]` (curl's idea, one mapping for every port of the host): where the
    crawl connects for HOST, with no DNS query for it. A bare ADDRESS keeps the URL's port."""
    out: dict[str, tuple[str, int | None]] = {}
    for item in items or ():
        host, sep, target = str(item).partition("=")
        host = host.strip().lower()
        if not sep or not host or not target or "/" in host or ":" in host:
            raise ValueError(f"--resolve wants HOST=ADDRESS[:PORT], not {item!r}")
        address, port = target.strip(), None
        if address.startswith("["):  # [::1]:8443
            address, _, rest = address[1:].partition("]")
            port = rest.removeprefix(":") or None
        elif address.count(":") == 1:
            address, port = address.split(":")
        if not _is_ip(address):
            raise ValueError(f"--resolve {item!r}: {address!r} is not an IP address")
        try:
            number = int(port) if port else None
        except ValueError:
            number = -1
        if number is not None and not 0 < number < 65536:
            raise ValueError(f"--resolve {item!r}: bad port {port!r}")
        out[host] = (address, number)
    return out
