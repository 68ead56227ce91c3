"""What a crawl may fetch: pages inside the start URLs' host and path prefix, requisites on their hosts.

Scope is decided on the URL alone so that no link, redirect or `<base>` tag in a page can widen it.
"""

from __future__ import annotations

import ipaddress
import posixpath
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Scope:
    roots: tuple[Root, ...]

    @classmethod
    def from_urls(cls, start_urls, prefix: str | None = None) -> Scope:
        return cls(tuple(root_of(u, prefix) for u in start_urls))

    @cached_property
    def hosts(self) -> frozenset[str]:
        return frozenset(r.netloc for r in self.roots)

    def page_in_scope(self, url: str) -> bool:
        return _page_in_scope(self, url)

    def requisite_in_scope(self, url: str) -> bool:
        """Requisites (stylesheets, scripts, images, fonts) may sit anywhere on a start URL's host."""
        return _requisite_in_scope(self, url)


# Cached: every page of a site links to the same sister sites, feeds and shared images, and each of
# those links is judged again on every page (8% of a crawl of the real copy, py-spy).
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
    return parts is not None and _netloc(parts) in scope.hosts


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
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
