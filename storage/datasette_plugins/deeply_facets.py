"""Facets on authors, topics and speakers that stay fast however large the store grows.

Datasette's array facet unpacks a JSON column of every row on every page view (json_each over the
whole table): seconds on a store of the whole network, and "These facets timed out". The store
keeps those names as rows of their own (sqlite-utils m2m tables, see storage.schema.M2M); this
facet counts through the link table's index instead, and `?_author=Name` (or `_topic`, `_speaker`)
filters by it. Configured in metadata.yml as `{m2m: author}`.
"""

from __future__ import annotations

from urllib.parse import urlencode

import markupsafe
from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.filters import FilterArguments
from datasette.utils import path_with_added_args, path_with_removed_args

# facet name (and query-string key without its "_") -> (lookup table, link table)
FACETS = {
    "author": ("authors", "authors_versions"),
    "topic": ("topics", "topics_versions"),
    "speaker": ("speakers", "speakers_versions"),
}
# Tables whose rows are versions, with the column holding the version's id.
VERSION_ID = {"latest_versions": "version_id", "versions": "id"}


def _condition(table: str, facet: str, param: str) -> str:
    lookup, link = FACETS[facet]
    return (
        f"[{VERSION_ID[table]}] in (select l.versions_id from [{link}] l "
        f"join [{lookup}] t on t.id = l.[{lookup}_id] where t.name = :{param})"
    )


@hookimpl
def filters_from_request(request, database, table, datasette):
    if table not in VERSION_ID:
        return None
    where, params, described = [], {}, []
    for facet in FACETS:
        for i, value in enumerate(request.args.getlist(f"_{facet}")):
            param = f"deeply_{facet}_{i}"
            where.append(_condition(table, facet, param))
            params[param] = value
            described.append(f'{facet} is "{value}"')
    return FilterArguments(where, params, described)


class M2MFacet(Facet):
    type = "m2m"

    async def suggest(self):
        return []

    async def facet_results(self):
        results, timed_out = [], []
        if self.table not in VERSION_ID:
            return results, timed_out
        qs_pairs = self.get_querystring_pairs()
        size = self.get_facet_size()
        seen = set()
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            facet = config.get("simple") or config.get("name")
            if facet not in FACETS or facet in seen:
                continue  # asked for again in the query string: once is enough
            seen.add(facet)
            lookup, link = FACETS[facet]
            # The page's rows first (CROSS JOIN keeps them the outer loop: their ids come from a
            # covering index of the filtered column, storage.schema.INDEXES, where the planner
            # would rather scan the link table and read every row it links to), counted by id on
            # the link table's primary key, the names joined to the groups only. An IN list of
            # every id, or a name joined to every link row before grouping, costs as much again.
            sql = (
                f"select t.name as value, c.n as count from ("
                f"select l.[{lookup}_id] as id, count(*) as n "
                f"from (select [{VERSION_ID[self.table]}] as vid from ({self.sql})) s "
                f"cross join [{link}] l on l.versions_id = s.vid "
                f"group by l.[{lookup}_id]) c join [{lookup}] t on t.id = c.id "
                f"order by count desc, value limit {size + 1}"
            )
            try:
                rows = await self.ds.execute(self.database, sql, self.params, truncate=False,
                                             custom_time_limit=self.ds.setting("facet_time_limit_ms"))
            except QueryInterrupted:
                timed_out.append(facet)
                continue
            key = f"_{facet}"
            values = []
            for row in rows.rows[:size]:
                selected = (key, row["value"]) in qs_pairs
                path = (path_with_removed_args(self.request, {key: row["value"]}) if selected
                        else path_with_added_args(self.request, {key: row["value"]}))
                values.append({
                    "value": row["value"],
                    "label": row["value"],
                    "count": row["count"],
                    "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(path)),
                    "selected": selected,
                })
            results.append({
                "name": facet,
                "type": self.type,
                "hideable": source_and_config["source"] != "metadata",
                "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {"_facet_m2m": facet})),
                "results": values,
                "truncated": len(rows.rows) > size,
            })
        return results, timed_out


@hookimpl
def register_facet_classes():
    return [M2MFacet]


def speaker_url(datasette, database: str, name: str) -> str:
    """A speaker's interviews: latest_versions filtered by the speaker, Datasette's own paginated
    table page with its facets."""
    return datasette.urls.table(database, "latest_versions") + "?" + urlencode({"_speaker": name})


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """Every speaker leads to their interviews: the speakers table's count of interviews, and a
    speaker's name in qa_turns or in a query's `speaker` column (interviews_by_speaker)."""
    if table == "speakers" and column == "interviews" and isinstance(value, int) and value > 0:
        try:
            name = row["name"]
        except (IndexError, KeyError):  # ?_col= left the name out: a plain count
            return None
    elif column == "speaker" and table in ("qa_turns", None) and isinstance(value, str) and value.strip():
        name = value.strip()
    else:
        return None
    return markupsafe.Markup('<a href="{}">{}</a>').format(speaker_url(datasette, database, name),
                                                          f"{value:,}" if isinstance(value, int) else value)
