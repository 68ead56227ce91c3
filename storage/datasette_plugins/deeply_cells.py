"""Long archived text, readable and always escaped.

Extracted article text keeps its paragraph breaks; Datasette would run it together in one line.
Every value is escaped (markupsafe) before it is wrapped: text that came from archived pages is
never rendered as HTML, whatever it contains.
"""

from __future__ import annotations

import markupsafe
from datasette import hookimpl
from datasette.utils.asgi import Response

LONG = 160

CSS = """
.deeply-text { white-space: pre-wrap; max-width: 48em; line-height: 1.45; }
body.table .deeply-text, body.query .deeply-text { max-height: 14em; overflow-y: auto; }
/* A row page reads as a record: one field per line, labelled, like Datasette's small-screen view. */
body.row table.rows-and-columns, body.row .rows-and-columns thead, body.row .rows-and-columns tbody,
body.row .rows-and-columns th, body.row .rows-and-columns td,
body.row .rows-and-columns tr { display: block; }
body.row .rows-and-columns thead tr { position: absolute; top: -9999px; left: -9999px; }
body.row .rows-and-columns td { border: none; border-bottom: 1px solid #eee; padding: 0.3em 0 0.3em 12em;
  position: relative; min-height: 1.4em; }
body.row .rows-and-columns td:before { position: absolute; left: 0; margin-left: 0; width: 11em;
  font-size: 0.85em; color: #555; overflow: hidden; text-overflow: ellipsis; }
/* An article's history under its row (deeply_article.py): difflib's side-by-side tables. */
.deeply-article table { border-collapse: collapse; margin-bottom: 1em; }
.deeply-article th, .deeply-article td { border: 1px solid #ddd; padding: 0.2em 0.5em; vertical-align: top;
  text-align: left; }
.deeply-meta-diff td { max-width: 36em; white-space: pre-wrap; }
.deeply-sbs { overflow-x: auto; }
.deeply-sbs table.diff { font-family: ui-monospace, monospace; font-size: 0.85em; }
.deeply-sbs td { white-space: pre-wrap; }
.deeply-sbs .diff_header { color: #888; text-align: right; }
.deeply-sbs .diff_next { display: none; }
.diff_add { background: #d6f5d6; } .diff_chg { background: #fff2b3; } .diff_sub { background: #fbd5d5; }
"""


def _labels() -> str:
    """Labels for the row view's fields, from the store's own column names (views have no row pages)."""
    from storage.schema import COLUMNS

    names = {n for columns in COLUMNS.values() for n in columns}
    rule = 'body.row .rows-and-columns td.col-{0}:before {{ content: "{0}"; }}'
    return "\n".join(rule.format(n) for n in sorted(names))


async def _css():
    return Response(CSS + _labels(), content_type="text/css; charset=utf-8",
                    headers={"Cache-Control": "max-age=3600"})


@hookimpl
def register_routes():
    return [(r"^/-/deeply\.css$", _css)]


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.path("/-/deeply.css")]


@hookimpl
def render_cell(value, column):
    if not isinstance(value, str) or ("\n" not in value and len(value) <= LONG):
        return None
    if value.startswith(("http://", "https://")) and not any(c.isspace() for c in value):
        return None  # a URL: Datasette's own link rendering
    return markupsafe.Markup('<div class="deeply-text">{}</div>').format(value)
