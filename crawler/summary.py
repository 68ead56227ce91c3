"""The one-screen summary printed at the end of a crawl."""

from __future__ import annotations

from crawler.options import CrawlResult

HOST_LINES = 12  # hosts listed by name in the summary; the rest are counted


def summary_text(result: CrawlResult) -> str:
    """The one-screen summary printed at the end of a crawl."""
    status = "complete" if result.complete else f"INCOMPLETE ({result.finish_reason}): run again to resume"
    lines = [
        f"crawl {result.crawl_id} {status}" + (" (resumed)" if result.resumed else ""),
        f"  start:       {' '.join(result.start_urls)}",
        f"  pages:       {result.pages}",
        f"  requisites:  {result.requisites}" + _hosts_note(result.requisite_hosts),
        *_host_lines(result.requisite_hosts),
        f"  revisits:    {result.revisits} (unchanged payloads, headers only)",
        f"  written:     {_human(result.bytes)} in {len(result.files)} WARC file(s)",
    ]
    for f in result.files[-5:]:
        lines.append(f"               {f}")
    if result.errors:
        lines.append("  errors:      " + ", ".join(f"{k}: {v}" for k, v in sorted(result.errors.items())))
    else:
        lines.append("  errors:      none")
    if result.notes:
        lines.append("  skipped:     " + ", ".join(f"{k}: {v}" for k, v in sorted(result.notes.items())))
    return "\n".join(lines)


def _hosts_note(by_host: dict) -> str:
    fetched = sum(1 for n in by_host.values() if n.get("fetched"))
    return f" from {fetched} host(s)" if by_host else ""


def _host_lines(by_host: dict) -> list[str]:
    """One line a host: what came from it, what failed, what the requisite-host rule skipped."""
    ranked = sorted(by_host.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    lines = []
    for host, n in ranked[:HOST_LINES]:
        parts = [f"{n[k]} {k}" for k in ("fetched", "failed", "skipped") if n.get(k)]
        lines.append(f"    {host}: {', '.join(parts)}")
    rest = ranked[HOST_LINES:]
    if rest:
        skipped = sum(n.get("skipped", 0) for _, n in rest)
        lines.append(f"    … {len(rest)} more host(s): {sum(sum(n.values()) for _, n in rest)} requisites"
                     f" ({skipped} skipped)")
    return lines


def _human(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{n} B"
        n /= 1024
    return f"{n:.1f} GB"
