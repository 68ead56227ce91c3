"""Security of what the archive serves and writes: loopback only, read-only, escaped, confined.

Archived pages and WARC files come from the outside world, so everything in them (titles, text,
URLs, record fields, even file names) is treated as hostile. The servers are the real processes
(`deeply serve`, `deeply replay`), inspected from outside: their sockets in /proc, their answers
over HTTP, the files they leave.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import socket
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.support.archives import OurWarc
from tests.support.pages import Page, article_html
from tests.support.servers import deeply_serve

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
# What must never reach a page unescaped, whatever field carried it.
MARKERS = ("<script>alert(", "<img src=x onerror", 'href="javascript:')


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# --- the sockets a process tree listens on ----------------------------------------------------------


def _family(pid: int) -> set[int]:
    """The process and all its descendants (pywb runs as a child in a session of its own)."""
    parent = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    family = {pid}
    grew = True
    while grew:
        kids = {p for p, pp in parent.items() if pp in family} - family
        family |= kids
        grew = bool(kids)
    return family


def _decode(address: str) -> str:
    raw = bytes.fromhex(address)
    if len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, raw[::-1])
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
    return socket.inet_ntop(socket.AF_INET6, words)


def listening(pid: int) -> set[tuple[str, int]]:
    """(address, port) of every TCP socket in LISTEN state held by the process or its descendants."""
    inodes = set()
    for p in _family(pid):
        try:
            fds = os.listdir(f"/proc/{p}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(f"/proc/{p}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    out = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            local, state, inode = cols[1], cols[3], cols[9]
            if state == "0A" and inode in inodes:
                address, port = local.split(":")
                out.add((_decode(address), int(port, 16)))
    return out


# --- a store built from hostile WARCs -----------------------------------------------------------------


def hostile_warcs(folder: Path) -> list[Path]:
    """Markup in every field a WARC lets a stranger fill: titles and text, URLs, the crawl name in
    warcinfo, and the file's own name."""
    folder.mkdir(parents=True, exist_ok=True)
    # long enough that its path is "long text" for the store's cell plugin, not only Datasette's own
    name = f"hostile-{IMG}-{'x' * 120}.warc.gz".replace("/", "")
    w = OurWarc(folder / name, crawl_id=f"crawl-{SCRIPT}")
    page = Page("escaped-markup", title=f"Title &lt;script&gt;alert(1)&lt;/script&gt; {IMG}",
                summary=f"Lede {SCRIPT}", author=f"Mal {SCRIPT}",
                paragraphs=[f"Text with {SCRIPT} and {IMG} written as text."] * 3)
    w.page(page)
    raw = article_html(Page("raw-markup", title="Raw markup")).replace(
        b"<p>First invented", b"<p><script>alert(3)</script><img src=x onerror=alert(4)>First invented")
    w.response(Page("raw-markup").url, raw)
    w.response('https://www.newsdeeply.com/syria/articles/2016/03/11/q"><script>alert(5)</script>',
               b"<html><title>q</title></html>")
    w.response("javascript:alert(7)", b"<html></html>")
    return [w.close()]


@pytest.fixture(scope="module")
def served(tmp_path_factory, deeply):
    """One live (read-only, WAL) `deeply serve` over the hostile store, as a user starts it."""
    d = tmp_path_factory.mktemp("served")
    db = d / "archive.db"
    out = deeply("ingest", *hostile_warcs(d / "warcs"), "--db", db, "--no-progress", timeout=300)
    assert out.returncode == 0, out.stderr
    with deeply_serve(db, d / "serve.log", "--live") as (base, proc, port):
        yield db, base, proc, port


def fetch(url: str, data: bytes | None = None, method: str | None = None) -> tuple[int, str]:
    req = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


# --- loopback only -----------------------------------------------------------------------------------


def test_deeply_serve_listens_on_loopback_only(served):
    _, _, proc, port = served
    sockets = listening(proc.pid)
    assert sockets, "no listening socket found for deeply serve"
    assert {address for address, _ in sockets} == {"127.0.0.1"}, sockets
    assert port in {p for _, p in sockets}


def test_deeply_replay_listens_on_loopback_only(tmp_path, free_port):
    from tests.support.archives import build_archive
    from tests.support.servers import deeply_replay

    rec = build_archive(tmp_path / "warcs", with_open=False)
    port = free_port()
    with deeply_replay(rec.warc_dir, port, tmp_path / "replay.log") as (proc, urls):
        assert urls["collection"].startswith(f"http://127.0.0.1:{port}/")
        sockets = listening(proc.pid)  # pywb runs in a child process of the command
        assert sockets, "no listening socket found for deeply replay or its pywb"
        assert {address for address, _ in sockets} == {"127.0.0.1"}, sockets
        assert port in {p for _, p in sockets}


# --- read-only ----------------------------------------------------------------------------------------


def test_datasette_refuses_every_write(served):
    db, base, _, _ = served
    before = (sha256(db), db.stat().st_mtime_ns, query_all(db))
    # (each refusal costs Datasette a logged traceback, so a few kinds of statement, not all)
    for sql in ("delete from versions", "insert into meta values ('x', 'y')",
                "attach database 'elsewhere.db' as other"):
        status, body = fetch(f"{base}/archive.json?sql={urllib.parse.quote(sql)}")
        assert status == 400, (sql, status, body[:200])
    status, _ = fetch(f"{base}/archive?sql={urllib.parse.quote('drop table captures')}")
    assert status == 400
    # POSTs: a canned query, the write API's endpoints, a query with write SQL, a form.
    for path, data in (("/archive/latest", b"x=1"), ("/archive/search", b"q=x"),
                       ("/archive/versions/-/insert", b'{"row": {"title": "x"}}'),
                       ("/archive/-/create", b'{"table": "x", "columns": [{"name": "a"}]}'),
                       ("/archive/versions/1/-/delete", b"{}"),
                       ("/archive?sql=" + urllib.parse.quote("delete from versions"), b"")):
        status, body = fetch(base + path, data=data)
        assert status == 405 and "read-only" in body, (path, status, body[:200])
    status, _ = fetch(base + "/archive/versions/1", method="DELETE")
    assert status == 405
    assert (sha256(db), db.stat().st_mtime_ns, query_all(db)) == before


def query_all(db: Path) -> dict:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")]
        return {t: conn.execute(f"select count(*) from [{t}]").fetchone()[0] for t in tables}
    finally:
        conn.close()


# --- archived markup is never rendered ---------------------------------------------------------------


def hostile_values(db: Path) -> set[str]:
    """Every stored text value that carries markup, from any table."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    found = set()
    try:
        tables = [r[0] for r in conn.execute(
            "select name from sqlite_master where type = 'table' and name not like '%fts%'")]
        for table in tables:
            for row in conn.execute(f"select * from [{table}]"):
                found.update(v for v in row if isinstance(v, str) and ("<" in v or "javascript:" in v))
    finally:
        conn.close()
    return found


def pages_to_check(db: Path) -> list[str]:
    from datasette.utils import tilde_encode

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        paths = ["/", "/archive", "/archive/latest_versions"]
        for table, pk in (("articles", "key"), ("versions", "id"), ("captures", "id"), ("warc_files", "name"),
                          ("crawls", "id"), ("qa_turns", None), ("meta", "key")):
            paths.append(f"/archive/{table}")
            if table in ("captures", "versions"):
                paths.append(f"/archive/{table}?_facet=crawl_id&_facet=url")
            if pk:
                for (value,) in conn.execute(f"select {pk} from {table}"):
                    paths.append(f"/archive/{table}/{tilde_encode(str(value))}")
        key = conn.execute("select key from articles order by key limit 1").fetchone()[0]
        crawl = conn.execute("select id from crawls limit 1").fetchone()[0]
    finally:
        conn.close()
    q = urllib.parse.quote
    paths += [
        "/archive/latest", f"/archive/article_history?key={q(key)}",
        f"/archive/article_captures?key={q(key)}", f"/archive/crawl_changes?crawl_id={q(crawl)}",
        "/archive/search?q=alert", "/archive/speakers?speaker=",
        "/archive/interviews_by_speaker?speaker=Mal", "/archive/removed_articles",
        "/archive/versions?_search=alert", f"/archive?sql={q('select * from captures')}",
        f"/archive/captures?url__contains={q('<script>')}",
    ]
    return paths


def test_archived_markup_is_served_escaped(served):
    db, base, _, _ = served
    values = hostile_values(db)
    # The test means something only if hostile markup did reach the store, through several fields.
    assert any(SCRIPT in v for v in values) and any(IMG in v for v in values), values
    assert any(v.startswith("javascript:") for v in values)
    assert any(IMG in v and len(v) > 160 for v in values)  # rendered by the plugin's long-text cells
    checked = 0
    for path in pages_to_check(db):
        status, html = fetch(base + path)
        assert status == 200, (path, status, html[:300])
        for marker in MARKERS:
            assert marker not in html, (path, marker)
        for value in values:
            assert value not in html or value.replace("<", "").replace(">", "") == value, (path, value)
        checked += 1
    assert checked > 20


# --- nothing in a WARC can make a write outside the configured folders ------------------------------


def traversal_warc(path: Path, token: str) -> Path:
    """Path-like strings in every field a writer might be tempted to use as a file name."""
    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=True, warc_version="1.1")
        w.write_record(w.create_warcinfo_record(f"../../../../tmp/pwned-{token}.warc.gz", {
            "software": "hostile", "isPartOf": f"../../pwned-{token}"}))
        body = article_html(Page(f"pwned-{token}", title=f"../../pwned-{token}"))
        for url in (f"https://www.newsdeeply.com/syria/articles/2016/03/11/..%2f..%2f..%2fpwned-{token}",
                    f"https://www.newsdeeply.com/../../../../tmp/pwned-{token}",
                    f"file:///tmp/pwned-{token}",
                    f"https://www.newsdeeply.com/syria/articles/2016/03/11/pwned-{token}"):
            headers = [("Content-Type", "text/html"), ("Content-Length", str(len(body))),
                       ("Content-Disposition", f'attachment; filename="../../pwned-{token}"')]
            http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
            rec = w.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                       http_headers=http, warc_headers_dict={
                                           "WARC-Filename": f"../../pwned-{token}",
                                           "WARC-Record-ID": f"<urn:uuid:../../pwned-{token}-{len(url)}>"})
            w.write_record(rec)
    return path


def tree(root: Path) -> dict[str, str]:
    out = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            p = Path(dirpath) / name
            try:
                out[str(p.relative_to(root))] = sha256(p)
            except OSError:
                out[str(p.relative_to(root))] = "?"
    return out


def test_nothing_in_a_warc_makes_a_write_outside_the_configured_folders(tmp_path, deeply):
    token = uuid.uuid4().hex[:12]
    work = tmp_path / "work"
    warcs = work / "warcs"
    warcs.mkdir(parents=True)
    traversal_warc(warcs / "deeply-20240501120000-00000-host.warc.gz", token)
    (work / "store").mkdir()
    (work / "out").mkdir()
    before = tree(tmp_path)
    db = work / "store" / "archive.db"
    runs = [
        ["ingest", str(warcs), "--db", str(db), "--no-progress"],
        ["index", "--warcs", str(warcs)],
        ["wacz", str(work / "out" / "deeply.wacz"), "--warcs", str(warcs), "--db", str(db)],
    ]
    for args in runs:
        out = deeply(*args, timeout=300, cwd=work)
        assert out.returncode == 0, (args, out.stdout, out.stderr)
    after = tree(tmp_path)

    changed = {p for p in before if after.get(p) != before[p]}
    assert not changed, f"existing files changed: {changed}"
    allowed = re.compile(r"^work/(store/(\.?archive\.db[^/]*)|warcs/indexes/[^/]+|out/deeply\.wacz)$")
    stray = sorted(p for p in set(after) - set(before) if not allowed.match(p))
    assert not stray, f"written outside the store, the index folder and the package: {stray}"
    for place in (tmp_path.parent, Path("/tmp"), ROOT, Path.home()):
        hits = [p for p in os.listdir(place) if token in p]
        assert not hits, (place, hits)
    for p in after:
        assert token not in Path(p).name, p
    # the index and the package name files by their bare names only
    for line in (warcs / "indexes" / "index.cdxj").read_text().splitlines():
        assert json.loads(line.split(" ", 2)[2])["filename"] == "deeply-20240501120000-00000-host.warc.gz"
    with zipfile.ZipFile(work / "out" / "deeply.wacz") as z:
        for name in z.namelist():
            assert not name.startswith("/") and ".." not in name.split("/"), name
