"""An article's row page shows its history: every version, a side-by-side diff of two of them
(metadata, text, Q&A) and its captures with replay links.

Added under the row of `articles` and of `latest_versions` (the templates/row.html block reads
`deeply_article`). `?a=1&b=3` picks the two versions compared; the default is the current version
against the one before it. Every value from the archive is escaped: difflib escapes the text it
lays out, markupsafe the rest.
"""

from __future__ import annotations

import markupsafe
from datasette import hookimpl
from datasette.utils import urlsafe_components

from storage.diff import diff_versions, side_by_side_html
from storage.schema import CAPTURES_CRAWL_BY_CRAWL

ARTICLE_TABLES = {"articles", "latest_versions"}
CAPTURES_SHOWN = 100

Markup = markupsafe.Markup


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    if view_name != "row" or table not in ARTICLE_TABLES or request is None:
        return {}

    async def inner():
        try:
            key = urlsafe_components(request.url_vars["pks"])[0]
        except (KeyError, IndexError):
            return {}
        html = await article_history_html(datasette, database, key, request.args)
        return {"deeply_article": html}

    return inner


async def _rows(db, sql, params):
    return [dict(r) for r in (await db.execute(sql, params)).rows]


def _pick(versions: list[dict], args) -> tuple[dict | None, dict | None]:
    by_number = {v["version"]: v for v in versions}

    def arg(name):
        value = args.get(name)
        return by_number.get(int(value)) if value and value.isdigit() else None

    new = arg("b") or versions[-1]
    older = [v for v in versions if v["version"] < new["version"]]
    old = arg("a") or (older[-1] if older else None)
    if old is not None and old["version"] == new["version"]:
        old = None
    return old, new


async def article_history_html(datasette, database: str, key: str, args) -> Markup:
    db = datasette.get_database(database)
    versions = await _rows(db, "select * from versions where article_key = ? order by version", [key])
    if not versions:
        return Markup("")
    turns: dict[int, list[dict]] = {}
    sql = ("select version_id, position, speaker, role, text from qa_turns where version_id "
           "in (select id from versions where article_key = ?) order by version_id, position")
    for t in await _rows(db, sql, [key]):
        turns.setdefault(t["version_id"], []).append(t)

    parts = [Markup('<section class="deeply-article" id="deeply-article">'), _versions_table(versions, turns)]
    old, new = _pick(versions, args)
    if old is not None:
        diff = diff_versions(old, new, turns.get(old["id"], []), turns.get(new["id"], []))
        parts.append(_diff_html(diff, old, new, versions))
    captures = await _rows(
        db,
        "select c.fetched_at, c.status, c.warc_type, c.outcome, v.version, c.crawl_id, c.replay_url "
        "from captures c left join versions v on v.id = c.version_id "
        f"where c.article_key = ? and {CAPTURES_CRAWL_BY_CRAWL} "
        f"order by +c.fetched_at desc limit {CAPTURES_SHOWN + 1}",  # sorted after the seeks, not by a scan
        [key],
    )
    count = f"select count(*) from captures c where c.article_key = ? and {CAPTURES_CRAWL_BY_CRAWL}"
    total = (await db.execute(count, [key])).rows[0][0]
    link = datasette.urls.database(database) + "/article_captures?" + _qs({"key": key})
    parts.append(_captures_html(captures[:CAPTURES_SHOWN], total, link))
    parts.append(Markup("</section>"))
    return Markup("").join(parts)


def _qs(params: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


def _versions_table(versions: list[dict], turns: dict) -> Markup:
    rows = []
    previous = None
    for v in versions:
        if previous is None:
            changed = "(first version)"
        else:
            d = diff_versions(previous, v, turns.get(previous["id"], []), turns.get(v["id"], []))
            changed = ", ".join(d.changed_fields) or "(none)"
        compare = (Markup('<a href="?{}#deeply-diff">compare with {}</a>').format(
            _qs({"a": previous["version"], "b": v["version"]}), previous["version"]) if previous else "")
        rows.append(Markup(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"
        ).format(v["version"], v["first_seen"] or "", v["last_seen"] or "", v["crawl_id"] or "",
                 v["title"] or "", changed, compare))
        previous = v
    return Markup(
        '<h2>Versions</h2><table class="deeply-versions"><thead><tr><th>version</th><th>first seen</th>'
        "<th>last seen</th><th>crawl</th><th>title</th><th>changed from the one before</th><th></th>"
        "</tr></thead><tbody>{}</tbody></table>"
    ).format(Markup("").join(rows))


def _diff_html(diff, old: dict, new: dict, versions: list[dict]) -> Markup:
    changed = diff.changed_fields
    label_old = f"version {old['version']} ({(old['first_seen'] or '')[:10]})"
    label_new = f"version {new['version']} ({(new['first_seen'] or '')[:10]})"
    options = Markup("").join(Markup('<option value="{0}"{1}>{0}</option>').format(
        v["version"], Markup(" selected") if v["version"] == sel else "")
        for sel in (old["version"],) for v in versions)
    options_b = Markup("").join(Markup('<option value="{0}"{1}>{0}</option>').format(
        v["version"], Markup(" selected") if v["version"] == new["version"] else "") for v in versions)
    out = [
        Markup('<section id="deeply-diff" data-changed="{}">').format(",".join(changed)),
        Markup('<h2>What changed: {} &rarr; {}</h2>').format(label_old, label_new),
        Markup('<form class="deeply-compare" method="get" action="#deeply-diff">compare version '
               '<select name="a">{}</select> with <select name="b">{}</select> '
               '<button type="submit">compare</button></form>').format(options, options_b),
        Markup("<p>Changed: <strong>{}</strong></p>").format(", ".join(changed) or "nothing"),
    ]
    if diff.meta:
        rows = Markup("").join(
            Markup('<tr class="deeply-field-{0}"><th>{0}</th><td class="diff_sub">{1}</td>'
                   '<td class="diff_add">{2}</td></tr>').format(c.field, c.old, c.new)
            for c in diff.meta)
        out.append(Markup('<h3>Metadata</h3><table class="deeply-meta-diff"><thead><tr><th>field</th>'
                          "<th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>").format(
            label_old, label_new, rows))
    for name, pair in (("Text", diff.text), ("Q&A", diff.qa)):
        if pair is not None:
            table = side_by_side_html(pair[0], pair[1], markupsafe.escape(label_old),
                                      markupsafe.escape(label_new))
            out.append(Markup('<h3>{}</h3><div class="deeply-sbs">{}</div>').format(name, Markup(table)))
    out.append(Markup("</section>"))
    return Markup("").join(out)


def _replay(url) -> Markup | str:
    if isinstance(url, str) and url.startswith(("http://", "https://")):
        return Markup('<a href="{0}">replay</a>').format(url)
    return ""


def _captures_html(captures: list[dict], total: int, link: str) -> Markup:
    rows = Markup("").join(
        Markup("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>").format(
            c["fetched_at"] or "", c["status"] if c["status"] is not None else "", c["warc_type"] or "",
            c["outcome"] or "", c["version"] if c["version"] is not None else "", c["crawl_id"] or "",
            _replay(c["replay_url"]))
        for c in captures)
    more = Markup(' (the latest {}; <a href="{}">all of them</a>)').format(len(captures), link) \
        if total > len(captures) else Markup(' (<a href="{}">as a table</a>)').format(link)
    return Markup(
        '<h2>Captures: {}{}</h2><table class="deeply-captures"><thead><tr><th>fetched at</th><th>status</th>'
        "<th>type</th><th>outcome</th><th>version</th><th>crawl</th><th></th></tr></thead>"
        "<tbody>{}</tbody></table>"
    ).format(total, more, rows)
