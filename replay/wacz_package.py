"""A WACZ package of the closed WARCs, for sharing the archive as one file (ReplayWeb.page).

The format work (compressed CDXJ + idx, datapackage.json with sha256 digests,
datapackage-digest.json) is left to the ``wacz`` library's own ``create``. This module picks
the inputs and writes ``pages/pages.jsonl`` itself, because the page list must be the
articles, with their real titles and with a ``ts`` that exists in the WARCs, whereas
``wacz --detect-pages`` lists whatever HTML it meets, titled by URL. The package is then
re-written with every entry stored (no deflate), so each member, not only the WARCs, can be
read in place by range requests, and moved into place only when complete.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import logging
import os
import re
import shutil
import sqlite3
import tempfile
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import surt
from warcio.timeutils import iso_date_to_timestamp, timestamp_to_iso_date

from archive import HTML_MIMES
from extract.urls import is_article_url
from replay.index import closed_warcs, warc_damage
from storage.queries import current_articles
from storage.replay_links import timestamp14

log = logging.getLogger(__name__)

PAGES_TITLE = "Syria Deeply articles"
DEFAULT_TITLE = "Syria Deeply web archive"

TITLE_RE = re.compile(rb"<title[^>]*>(.*?)</title\s*>", re.I | re.S)


class WaczError(RuntimeError):
    pass


@dataclass
class Seen:
    """One response or revisit for a URL, as the WARCs have it."""

    url: str
    timestamp: str
    status: str
    mime: str
    digest: str
    title: str = ""


@dataclass
class WaczResult:
    path: Path
    warcs: list[str]
    pages: int
    pages_from: str  # "db" or "warcs"
    missing: list[str] = field(default_factory=list)  # store articles with no capture in the WARCs
    warnings: list[str] = field(default_factory=list)


def url_key(url: str) -> str:
    try:
        return surt.surt(url)
    except Exception:
        return url


def _title_of(body: bytes) -> str:
    m = TITLE_RE.search(body[:262144])
    if not m:
        return ""
    raw = m.group(1).decode("utf-8", errors="replace")
    return " ".join(html.unescape(raw).split())


def scan_warcs(warcs: list[Path]) -> dict[str, list[Seen]]:
    """Every response and revisit by SURT key; titles of article HTML, revisits resolved by digest."""
    from archive import ArchiveDamage, iter_records

    seen: dict[str, list[Seen]] = defaultdict(list)
    titles: dict[str, str] = {}

    def article(rec) -> bool:
        return rec.warc_type == "response" and rec.status == 200 and rec.is_html and is_article_url(rec.url)

    for warc in warcs:
        try:
            for rec in iter_records(warc, want_body=article):
                if not rec.url.startswith(("http://", "https://")):
                    continue
                entry = Seen(
                    url=rec.url,
                    timestamp=iso_date_to_timestamp(rec.warc_date),
                    status="" if rec.status is None else str(rec.status),
                    mime=rec.mime or "",
                    digest=rec.payload_digest or "",
                )
                if rec.body is not None:
                    entry.title = _title_of(rec.body)
                    if entry.digest and entry.title:
                        titles.setdefault(entry.digest, entry.title)
                seen[url_key(rec.url)].append(entry)
        except ArchiveDamage:
            continue  # its whole records are listed; the packager warns about the file itself
    for entries in seen.values():
        for entry in entries:
            if not entry.title and entry.digest in titles:
                entry.title = titles[entry.digest]
        entries.sort(key=lambda e: e.timestamp)
    return seen


def _replayable(entry: Seen) -> bool:
    # A revisit of a 304 replays its original's 200; redirects and errors are no page to open.
    return entry.status == "200" or (entry.status == "304" and bool(entry.digest))


def _closest(entries: list[Seen], target: str) -> Seen | None:
    ok = [e for e in entries if _replayable(e)]
    if not ok:
        return None
    if not target:
        return ok[-1]
    return min(ok, key=lambda e: (abs(int(e.timestamp) - int(target)), -int(e.timestamp)))


def _page(entry: Seen, title: str, **extra) -> dict:
    page = {
        "url": entry.url,
        "ts": timestamp_to_iso_date(entry.timestamp),
        "title": title or entry.title or entry.url,
    }
    page.update({k: v for k, v in extra.items() if v is not None})
    return page


def pages_from_warcs(seen: dict[str, list[Seen]]) -> list[dict]:
    pages = []
    for entries in seen.values():
        articles = [e for e in entries if is_article_url(e.url) and (e.mime in HTML_MIMES or not e.mime)]
        latest = _closest(articles, "")
        if latest and (latest.mime in HTML_MIMES or latest.title):
            pages.append(_page(latest, latest.title))
    return sorted(pages, key=lambda p: p["url"])


def store_articles(db: Path) -> list[dict] | None:
    """The store's articles with their current title and capture time; None without a readable
    store (the pages are then listed from the WARCs)."""
    try:
        articles = current_articles(db)
    except sqlite3.Error as exc:
        log.warning("cannot read the store %s: %s", db, exc)
        return None
    for art in articles or ():
        art["captured"] = timestamp14(art["captured"])
    return articles


def pages_from_store(articles: list[dict], seen: dict[str, list[Seen]]) -> tuple[list[dict], list[str]]:
    pages, missing = [], []
    for art in articles:
        entries = seen.get(url_key(art["url"])) or seen.get(url_key(art["store_url"])) or []
        entry = _closest(entries, art["captured"])
        if entry is None:
            missing.append(art["url"])
            continue
        pages.append(_page(entry, art["title"], version=art["version"], removed=art["removed"] or None))
    return pages, missing


def write_pages_jsonl(path: Path, pages: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        header = {"format": "json-pages-1.0", "id": "pages", "title": PAGES_TITLE}
        fh.write(json.dumps(header) + "\n")
        for i, page in enumerate(pages):
            fh.write(json.dumps({"id": f"p{i:06d}", **page}, ensure_ascii=False) + "\n")


def _restore_all(src_path: Path, dst_path: Path) -> None:
    """Copy a ZIP with every entry stored; datapackage digests cover content, so they still hold."""
    with zipfile.ZipFile(src_path) as src, zipfile.ZipFile(dst_path, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            new = zipfile.ZipInfo(info.filename, info.date_time)
            new.compress_type = zipfile.ZIP_STORED
            new.external_attr = info.external_attr
            with src.open(info) as rfh, dst.open(new, "w", force_zip64=info.file_size > 2**31 - 1) as wfh:
                shutil.copyfileobj(rfh, wfh, 1 << 20)


def build_wacz(
    out: Path,
    warc_dir: Path,
    db: Path | None = None,
    *,
    title: str = DEFAULT_TITLE,
    description: str | None = None,
) -> WaczResult:
    """Package the closed WARCs of ``warc_dir`` into ``out`` (a WACZ 1.1.1 file)."""
    from wacz.main import main as wacz_main  # heavy import (frictionless), only when packaging

    out = Path(out)
    found = closed_warcs(warc_dir)
    warnings: list[str] = []
    # A WACZ holds WARCs only (archive/*.warc.gz): an ARC file in the folder is left out, and said so.
    warcs = [w for w in found if re.search(r"\.warc(\.gz)?$", w.name, re.IGNORECASE)]
    warnings += [f"left out {w.name}: an ARC file (a WACZ holds WARC files only)"
                 for w in found if w not in warcs]
    if not warcs:
        raise WaczError(f"no closed WARC files in {warc_dir}")
    # A damaged WARC would stop the package (its indexer gives up on it): left out, and said so.
    for warc in list(warcs):
        damage = warc_damage(warc)
        if damage is not None:
            warcs.remove(warc)
            warnings.append(f"left out {warc.name}: {damage[1]}")
    if not warcs:
        raise WaczError(f"no readable closed WARC files in {warc_dir}")
    seen = scan_warcs(warcs)
    articles = store_articles(db) if db else None
    if db and articles is None:
        warnings.append(f"no readable articles table in {db}: pages listed from the WARCs")
    if articles is not None:
        pages, missing = pages_from_store(articles, seen)
        pages_from = "db"
    else:
        pages, missing = pages_from_warcs(seen), []
        pages_from = "warcs"
    if missing:
        warnings.append(f"{len(missing)} store articles have no capture in these WARCs")

    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".wacz-", dir=out.parent) as tmp:
        pages_file = Path(tmp) / "pages.jsonl"
        write_pages_jsonl(pages_file, pages)
        raw = Path(tmp) / "raw.wacz"
        args = ["create", "-o", str(raw), "-p", str(pages_file), "--copy-pages", "--title", title]
        if description:
            args += ["--desc", description]
        args += [str(w) for w in warcs]
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            code = wacz_main(args)
        log.debug("wacz create: %s", buf.getvalue())
        if code not in (0, None):
            raise WaczError(f"wacz create failed ({code}):\n{buf.getvalue()}")
        final = Path(tmp) / "final.wacz"
        _restore_all(raw, final)
        os.chmod(final, 0o644)
        os.replace(final, out)
    return WaczResult(
        path=out,
        warcs=[w.name for w in warcs],
        pages=len(pages),
        pages_from=pages_from,
        missing=missing,
        warnings=warnings,
    )


def validate_wacz(path: Path) -> tuple[bool, str]:
    """Run ``wacz validate``; returns (valid, its output)."""
    from wacz.main import main as wacz_main

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = wacz_main(["validate", "-f", str(path)])
    return code == 0, buf.getvalue()
