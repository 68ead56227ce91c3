"""What the store holds, in a few numbers: for `deeply stats`, the end of `deeply run` and the
Datasette front page, so that the three always say the same thing."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from extract.urls import PUBLICATIONS


@dataclass
class SiteCount:
    site: str
    articles: int
    removed: int
    versions: int
    first_published: str | None
    last_published: str | None

    @property
    def name(self) -> str:
        return site_name(self.site)


@dataclass
class StoreSummary:
    sites: list[SiteCount] = field(default_factory=list)
    versions: int = 0
    captures: int = 0
    crawls: int = 0
    schema_version: int | None = None
    last_crawl: dict | None = None  # the latest crawl's row: id, started, captures, new, changed, removed

    @property
    def articles(self) -> int:
        return sum(s.articles for s in self.sites)

    @property
    def title(self) -> str:
        """One site's own name when the store holds one, else the network's."""
        if len(self.sites) == 1:
            return f"{self.sites[0].name} archive"
        return "News Deeply archive"


def site_name(site: str | None) -> str:
    if not site:
        return "(no site)"
    return PUBLICATIONS.get(site, f"{site.capitalize()} Deeply")


def connect_read_only(path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{quote(str(Path(path).resolve()))}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def summarize(path) -> StoreSummary:
    """Read-only, so it is safe beside a running ingest or `deeply serve`."""
    conn = connect_read_only(path)
    try:
        return _summarize(conn)
    finally:
        conn.close()


def _summarize(conn: sqlite3.Connection) -> StoreSummary:
    def scalar(sql):
        return conn.execute(sql).fetchone()[0] or 0

    versions_by_site = dict(conn.execute("SELECT site, count(*) FROM versions GROUP BY site").fetchall())
    out = StoreSummary()
    for r in conn.execute(
        "SELECT site, count(*) AS articles, count(removed_at) AS removed, min(published) AS first, "
        "max(published) AS last FROM latest_versions GROUP BY site ORDER BY articles DESC, site"
    ):
        out.sites.append(SiteCount(r["site"], r["articles"], r["removed"], versions_by_site.get(r["site"], 0),
                                   r["first"], r["last"]))
    out.versions = sum(versions_by_site.values())
    out.captures = scalar("SELECT count(*) FROM captures")
    out.crawls = scalar("SELECT count(*) FROM crawls")
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    out.schema_version = int(row[0]) if row else None
    last = conn.execute(
        "SELECT id, started, finished, captures, new_articles, changed, unchanged, removed FROM crawls "
        "ORDER BY coalesce(started, finished, id) DESC LIMIT 1"
    ).fetchone()
    out.last_crawl = dict(last) if last else None
    return out


def summary_text(s: StoreSummary) -> str:
    """The short text a person reads after a run, or asks for with `deeply stats`."""
    width = max([len(x.name) for x in s.sites] + [4])
    lines = [f"{s.title}: {s.articles} articles, {s.versions} versions, {s.captures} captures, "
             f"{s.crawls} crawls"]
    for x in s.sites:
        span = f"published {x.first_published[:10]} .. {x.last_published[:10]}" \
            if x.first_published and x.last_published else "no publication dates"
        removed = f", {x.removed} no longer found" if x.removed else ""
        lines.append(f"  {x.name:<{width}}  {x.articles:>7} articles  {x.versions:>7} versions  "
                     f"{span}{removed}")
    c = s.last_crawl
    if c:
        when = (c.get("started") or c.get("finished") or "")[:19] or "time unknown"
        lines.append(
            f"last crawl {c['id']} ({when}): {c.get('captures') or 0} captures, "
            f"{c.get('new_articles') or 0} new, {c.get('changed') or 0} changed, "
            f"{c.get('removed') or 0} no longer found"
        )
    else:
        lines.append("no crawl recorded yet")
    return "\n".join(lines)
