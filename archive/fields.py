"""WARC header values as tools write them, in one spelling."""

from __future__ import annotations

from datetime import UTC, datetime


def format_utc(dt: datetime) -> str:
    """ISO 8601 in UTC with a Z, to the second unless the source had a fraction.

    One spelling everywhere means string comparison and ordering in SQL are time comparison.
    """
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    dt = dt.astimezone(UTC)
    text = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if dt.microsecond:
        text += f".{dt.microsecond:06d}".rstrip("0")
    return text + "Z"


def normalize_date(value: str | None) -> str | None:
    """WARC-Date (or WARC-Refers-To-Date, or an ARC's 14 digits) in our spelling; None when unreadable."""
    if not value:
        return None
    value = value.strip().upper()
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        # 14-digit form, as some tools write in WARC-Refers-To-Date.
        digits = "".join(c for c in value if c.isdigit())
        if len(digits) < 14:
            return None
        try:
            dt = datetime.strptime(digits[:14], "%Y%m%d%H%M%S")
        except ValueError:
            return None
    return format_utc(dt)


def strip_id(value: str | None) -> str | None:
    """WARC-Record-ID without its angle brackets: the same id, easier to put in a URL or query."""
    if not value:
        return None
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    return value


def uri(value: str | None) -> str:
    """A URI field as written; WARC 1.0 writers may wrap it in <>. A URI that merely ends in ">"
    keeps it: the capture's url must match what replay looks up."""
    value = (value or "").strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1].strip()
    return value


def parse_warc_fields(block: bytes) -> dict:
    """A warcinfo block (application/warc-fields): `name: value` lines; first value wins."""
    fields: dict[str, str] = {}
    for line in block.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip() and name.strip() not in fields:
            fields[name.strip()] = value.strip()
    return fields
