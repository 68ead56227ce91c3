"""Pages that misbehave on purpose, served only with faults=True.

Each one stands for a failure a crawl of the real web meets: a server too slow for the client's
timeout, a connection cut mid-body, errors and rate limits, redirect loops, a page too large to hold
in memory, bytes that are not HTML, legacy Arabic encodings (declared right, and declared wrong),
broken markup, and a calendar that links to a next page forever.
"""

from __future__ import annotations

import random
import socket
import struct
from dataclasses import dataclass

SEED = "syria-deeply-sample-faults"
FAULTS_PAGE = "/syria/faults"
CALENDAR_PREFIX = "/syria/calendar/page/"


@dataclass(frozen=True)
class FaultOptions:
    slow_seconds: float = 5.0
    huge_bytes: int = 50 * 1024 * 1024
    reset_after: int = 8192
    reset_declared: int = 65536


LINKS = (
    ("slow", "A page slower than any sensible client timeout"),
    ("reset", "A connection reset in the middle of the body"),
    ("error", "An internal server error (500)"),
    ("busy", "Too many requests (429, Retry-After: 1), fine on the next try"),
    ("loop", "A redirect loop"),
    ("huge", "A very large page, streamed"),
    ("binary", "Random bytes served as text/html"),
    ("windows-1256", "A page in windows-1256, declared in the header"),
    ("wrong-charset", "windows-1256 bytes under a utf-8 header (the meta tag is right)"),
    ("malformed", "Malformed HTML"),
)


def index_html() -> bytes:
    items = "\n".join(f'<li><a href="{FAULTS_PAGE}/{slug}">{text}</a></li>' for slug, text in LINKS)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8" /><title>Fault injection — Syria Deeply sample</title></head>
<body class="faults syria"><main><h1>Fault injection</h1>
<ul>
{items}
<li><a href="{CALENDAR_PREFIX}1">An endless calendar</a></li>
</ul></main></body></html>
""".encode()


def small_html(title: str, text: str) -> bytes:
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8" /><title>{title}</title></head>\n'
        f"<body><main><h1>{title}</h1><p>{text}</p></main></body></html>\n"
    ).encode()


ARABIC_TEXT = "سوريا عميقاً: أرشيف المقالات عن الحصار والهدنة والمساعدات في حلب وحمص ودمشق"


def arabic_html(meta_charset: str) -> bytes:
    page = f"""<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="{meta_charset}" /><title>سوريا — أرشيف</title></head>
<body><main><h1>أرشيف سوريا</h1>
<p>{ARABIC_TEXT}</p>
<p>Mixed text: “{ARABIC_TEXT[:20]}” — it’s encoded in windows-1256.</p>
</main></body></html>
"""
    return page.encode("cp1256")


def malformed_html() -> bytes:
    return (
        b"<html><head><title>Malformed page<title></head><body><div class=\"body\">"
        b"<p>Unclosed paragraph <b>bold <i>italic\n<p>Another <a href=\"/syria/articles\">link without end\n"
        b"<table><tr><td>cell<td>cell</table></div></span></p></em>\n"
        b"&&& <<< >>> \"unbalanced 'quotes <div class=>\x00\x07 stray control bytes \xff\xfe not utf-8\n"
        b"<script>document.write('<p>'</script><!-- a comment that never ends\n"
    )


def binary_body() -> bytes:
    return random.Random(f"{SEED}:binary").randbytes(65536)


def calendar_html(n: int) -> bytes:
    year, month = 2012 + (n - 1) // 12, (n - 1) % 12 + 1
    prev = f'<a rel="prev" href="{CALENDAR_PREFIX}{n - 1}">Previous month</a>' if n > 1 else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8" /><title>Events calendar, page {n}</title></head>
<body class="calendar syria"><main><h1>Events in {year}-{month:02d}</h1>
<p>No events are listed for this month.</p>
{prev} <a rel="next" href="{CALENDAR_PREFIX}{n + 1}">Next month</a>
</main></body></html>
""".encode()


def huge_blocks(total: int, block: int = 65536):
    """The huge page in pieces, generated as it is sent, so it is never held in memory."""
    prefix = (
        b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8" />'
        b"<title>A very large page</title></head><body>\n"
    )
    suffix = b"</body></html>\n"
    line = b"<p>This page is large on purpose: a crawler must cap what it downloads.</p>\n"
    filler = total - len(prefix) - len(suffix)
    yield prefix[:total]
    sent = 0
    chunk = line * (block // len(line) + 1)
    while sent < filler:
        piece = chunk[: min(block, filler - sent)]
        sent += len(piece)
        yield piece
    if filler >= 0:
        yield suffix


def reset_connection(sock: socket.socket) -> None:
    """Close with SO_LINGER 0, which makes the kernel send RST instead of FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    except OSError:
        pass
