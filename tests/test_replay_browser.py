"""An article opened in headless Chromium through `deeply replay`, checked as a reader sees it.

The site the WARCs were recorded from is shut down before the browser starts, and Chromium
resolves no host names, so whatever styled the page can only have come from the archive.
"""

from __future__ import annotations

import json
import struct

import pytest

from replay.browser import DOC_JS, HeadlessChromium, find_chromium
from tests.support.archives import build_archive
from tests.support.pages import ARTICLES
from tests.support.servers import deeply_replay

pytestmark = pytest.mark.browser

# What the page's stylesheet sets: body background #f4e9d8, h1 colour #8b1a1a.
STYLED_BG = "rgb(244, 233, 216)"
STYLED_H1 = "rgb(139, 26, 26)"

PAGE_STATE = f"""(() => {{
  const d = {DOC_JS};
  const h1 = d.querySelector('h1');
  if (!h1 || d.readyState !== 'complete') return null;
  const turns = [...d.querySelectorAll('.qa p')].map(p => p.textContent.trim());
  const img = d.querySelector('img');
  return JSON.stringify({{
    title: d.title,
    h1: h1.textContent.trim(),
    turns: turns,
    links: [...d.querySelectorAll('link[rel=stylesheet]')].map(l => l.getAttribute('href')),
    bg: getComputedStyle(d.body).backgroundColor,
    h1color: getComputedStyle(h1).color,
    imgWidth: img ? img.naturalWidth : -1,
  }});
}})()"""


@pytest.fixture()
def chromium():
    path = find_chromium()
    if not path:
        pytest.skip("headless Chromium not installed (/usr/bin/chromium: apt-get install chromium)")
    return path


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_article_replays_in_chromium_from_the_archive(chromium, tmp_path, free_port):
    rec = build_archive(tmp_path / "warcs", with_open=False)
    port = free_port()
    log = tmp_path / "replay.log"
    with deeply_replay(rec.warc_dir, port, log) as (_proc, urls):
        # the article URL `deeply replay` printed, as a user would open it
        printed = urls["an article"]
        with HeadlessChromium(chromium, user_data_dir=tmp_path / "chrome", timeout=60) as chrome:
            chrome.navigate(printed)
            state = json.loads(chrome.wait_for(PAGE_STATE, timeout=60))
            shot = chrome.screenshot(tmp_path / "shot.png")
            requests = list(chrome.requests)
        pywb_log = log.read_text(errors="replace")

    pywb = f"http://127.0.0.1:{port}"
    ts, _, url = printed.removeprefix(urls["collection"]).partition("/")
    assert url in rec.article_urls() and ts == rec.latest(url).timestamp
    article = next(a for a in ARTICLES if url.endswith("/" + a["slug"]))

    assert state["title"] == f"{article['title']} - Syria Deeply"
    assert state["h1"] == article["title"]
    assert state["turns"][:2] == [f"Syria Deeply: {article['question']}", f"Answer: {article['answer']}"]

    # the stylesheet came from pywb's archive URL, and applied
    css_path = f"/deeply/{ts}cs_/{rec.site_url}/static/deeply.css"
    assert pywb + css_path in requests, requests
    # (in the page, wombat.js shows scripts the original href: the network is the proof)
    assert state["links"] == ["/static/deeply.css"]
    assert state["bg"] == STYLED_BG and state["h1color"] == STYLED_H1
    assert state["imgWidth"] == 8  # the archived PNG decoded
    assert f'"GET {css_path} HTTP/1.1" 200' in pywb_log
    # nothing went to the live site: every request was to pywb
    assert all(r.startswith(pywb + "/") for r in requests if r.startswith("http")), requests

    assert png_size(shot) == (1280, 900)
