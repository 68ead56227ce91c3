"""Datasette over the store: the package's metadata (descriptions, facets, canned queries) and its
small plugin (readable long text, always escaped), for `deeply serve` and for tests alike.
"""

from __future__ import annotations

import copy
import os
import sqlite3
from functools import lru_cache
from pathlib import Path

import markupsafe
import yaml

from storage.ports import DATASETTE_PORT

HERE = Path(__file__).resolve().parent
METADATA = HERE / "metadata.yml"
PLUGINS_DIR = HERE / "datasette_plugins"
TEMPLATES_DIR = HERE / "templates"
CHARTS = HERE / "charts.yml"
DASHBOARD = "store"  # /-/dashboards/store
# The database name the shipped metadata.yml is written for (Datasette names a database after
# its file's stem); other names get a re-keyed copy.
METADATA_DB = "archive"


@lru_cache(maxsize=1)
def _shipped_metadata() -> dict:
    return yaml.safe_load(METADATA.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _charts() -> dict:
    return yaml.safe_load(CHARTS.read_text(encoding="utf-8"))


def metadata_for(db_path) -> dict:
    """The shipped metadata, keyed for this database's name, with the title, front page and
    charts of the store as it is (the sites it holds and their counts, read when served)."""
    meta = copy.deepcopy(_shipped_metadata())
    name = Path(db_path).stem
    dbs = meta.get("databases", {})
    if name != METADATA_DB and METADATA_DB in dbs:
        dbs[name] = dbs.pop(METADATA_DB)
    summary = _summary(db_path)
    if summary is not None:
        meta["title"] = summary.title
        meta["description_html"] = front_page_html(summary, name)
    dashboard = copy.deepcopy(_charts())
    for chart in dashboard.get("charts", {}).values():
        chart["db"] = name
    meta.setdefault("plugins", {})["datasette-dashboards"] = {DASHBOARD: dashboard}
    return meta


def _summary(db_path):
    from storage.stats import summarize

    if not Path(db_path).is_file():
        return None
    try:
        return summarize(db_path)
    except sqlite3.Error:
        return None  # not a store yet (or unreadable): Datasette says so itself


def front_page_html(summary, db_name: str) -> str:
    """What the store holds, per site, with links into it; every value escaped."""
    Markup = markupsafe.Markup
    base = f"{db_name}/"
    rows = Markup("").join(
        Markup('<tr><td><a href="{}latest_versions?site={}">{}</a></td><td>{:,}</td><td>{:,}</td>'
               "<td>{}</td><td>{}</td></tr>").format(
            base, s.site or "", s.name, s.articles, s.versions,
            f"{(s.first_published or '')[:4]}–{(s.last_published or '')[:4]}"
            if s.first_published else "", f"{s.removed:,}" if s.removed else "")
        for s in summary.sites)
    last = summary.last_crawl
    crawl = Markup("")
    if last:
        crawl = Markup(
            '<p>Last crawl <a href="{0}crawl_changes?crawl_id={1}">{1}</a>: {2:,} captures, '
            "{3:,} new articles, {4:,} changed, {5:,} no longer found.</p>"
        ).format(base, last["id"], last.get("captures") or 0, last.get("new_articles") or 0,
                 last.get("changed") or 0, last.get("removed") or 0)
    sites = ", ".join(s.name for s in summary.sites) or "no site yet"
    return Markup(
        "<p>{articles:,} articles of {sites}, {versions:,} versions and {captures:,} captures from "
        "{crawls:,} crawls, captured as WARC files, extracted and versioned by <em>deeply-archive</em>. "
        "Every version points to the capture it came from, and every capture to the exact WARC bytes "
        "and a replay link.</p>"
        '<table class="deeply-sites"><thead><tr><th>site</th><th>articles</th><th>versions</th>'
        "<th>published</th><th>no longer found</th></tr></thead><tbody>{rows}</tbody></table>"
        "{crawl}"
        '<p>Start with <a href="{base}latest_versions">latest_versions</a> (one row per article; '
        "facets on site, kind, year, author, topic and speaker), the <a href=\"{base}search\">search</a> "
        'query, <a href="{base}crawl_changes">what changed in a crawl</a>, or '
        '<a href="-/dashboards/{dashboard}">the charts</a> (articles per month, captures and changes '
        "per crawl, versions per article over time). An article's row page shows its versions side "
        "by side with what changed.</p>"
    ).format(articles=summary.articles, sites=sites, versions=summary.versions,
             captures=summary.captures, crawls=summary.crawls, rows=rows, crawl=crawl, base=base,
             dashboard=DASHBOARD)


SETTINGS = {
    # Long article text is the point of the store; the cell plugin keeps it readable.
    "truncate_cells_html": 0,
    "sql_time_limit_ms": 5000,
    "facet_time_limit_ms": 500,
    # Suggestions run one distinct-count query per column (the text included) on every page view.
    "suggest_facets": False,
    "default_page_size": 50,
    # Datasette's default cap is tiny for a whole-archive export of the latest versions.
    "max_returned_rows": 5000,
}


def datasette_kwargs(db_path, immutable: bool = True, settings: dict | None = None) -> dict:
    """Keyword arguments for datasette.app.Datasette: tests build one, `deeply serve` runs it."""
    path = str(Path(db_path))
    kwargs = {
        "metadata": metadata_for(db_path),
        "plugins_dir": str(PLUGINS_DIR),
        "template_dir": str(TEMPLATES_DIR),
        "settings": {**SETTINGS, **(settings or {})},
    }
    if immutable:
        kwargs["immutables"] = [path]
    else:
        kwargs["files"] = [path]
    return kwargs


def make_datasette(db_path, immutable: bool = True, settings: dict | None = None):
    from datasette.app import Datasette

    return Datasette(**datasette_kwargs(db_path, immutable=immutable, settings=settings))


def checkpoint(db_path) -> None:
    """Fold the WAL into the main file: an immutable reader never looks at the WAL."""
    try:
        conn = sqlite3.connect(str(db_path))
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    except sqlite3.Error:
        pass  # a read-only copy: nothing can be pending in its WAL that we could fold in anyway


def _upgrade(db_path: Path, echo) -> None:
    """A store of an older schema lacks what the pages query (the facet tables above all): migrate
    it, as the next ingest would, rather than serve pages that fail."""
    import sqlite_utils

    from storage.lock import writer_lock
    from storage.schema import SCHEMA_VERSION, open_store, schema_version

    db = sqlite_utils.Database(db_path)
    try:
        version = schema_version(db)
    finally:
        db.close()
    if version is not None and version < SCHEMA_VERSION:
        with writer_lock(db_path):  # StoreBusy while an ingest runs: it migrates the store itself
            open_store(db_path).close()
        echo(f"upgraded the store from schema version {version} to {SCHEMA_VERSION}")



def serve(db_path, host: str = "127.0.0.1", port: int = DATASETTE_PORT, live: bool | None = None,
          echo=print) -> None:
    """Run Datasette on the store until interrupted (blocks).

    Immutable while no ingest runs (fastest, and Datasette may cache counts), holding a shared
    lock so that no ingest starts underneath it; otherwise, or with live=True, read-only over WAL
    so an ingest can go on and its committed files appear as they land.
    """
    import uvicorn
    from datasette.cli import check_databases, run_sync

    from storage.lock import try_reader_lock
    from storage.schema import check_store

    db_path = Path(db_path)
    if not db_path.is_file():
        raise FileNotFoundError(f"no store at {db_path} (create one with `deeply ingest`)")
    check_store(db_path)  # before the checkpoint below, which would write into it
    _upgrade(db_path, echo)
    lock_fd = None
    if not live:
        lock_fd = try_reader_lock(db_path)
        if lock_fd is None:
            echo("an ingest is running: serving read-only over WAL, new files appear as they commit")
            live = True
        else:
            checkpoint(db_path)
    try:
        ds = make_datasette(db_path, immutable=not live)
        run_sync(ds.invoke_startup)
        run_sync(lambda: check_databases(ds))
        mode = "live (WAL, read-only)" if live else "immutable"
        echo(f"Serving {db_path} ({mode}) at http://{host}:{port}/")
        uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on", workers=1)
    finally:
        if lock_fd is not None:
            os.close(lock_fd)
