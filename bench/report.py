"""The results as markdown: one table of stages against their reference tools, one of peak memory.

Ratios are always ours / reference, so that above 1 means "more per second" for rates and "more" for
bytes and memory; the Goal column says which way is good for that row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.crawl import CrawlResult
from bench.extract import ExtractResult
from bench.measure import Measured
from bench.pipeline_run import RunResult
from bench.qa import QaResult

MB = 2**20


@dataclass
class SiteRun:
    label: str  # "sample 1,000", "real copy"
    articles: int | None = None  # the sample site's size; None for the real copy
    run1: RunResult | None = None
    wget: CrawlResult | None = None
    reingest: Measured | None = None
    reingest_versions: int = 0
    extract_w1: ExtractResult | None = None
    extract_w2: ExtractResult | None = None
    plain: ExtractResult | None = None
    run2: RunResult | None = None
    run3: RunResult | None = None  # a re-crawl killed half-way, then resumed: the resumed run
    qa: QaResult | None = None
    qa_plain: QaResult | None = None
    end_to_end: bool = False  # show the first run as the end-to-end row (the largest sample size)
    errors: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@dataclass
class Header:
    date: str
    command: str
    machine: str
    tools: str
    total_seconds: float = 0.0
    load: str = ""
    changed: list[str] = field(default_factory=list)  # measured source files edited during the run


def _n(x: float | int) -> str:
    return f"{x:,.0f}"


def _r(x: float | None) -> str:
    return "—" if x is None else (f"{x:.2f}" if x < 10 else f"{x:.1f}")


def _mb(b: int | float) -> str:
    return f"{b / MB:,.1f} MB" if b < 100 * MB else f"{b / MB:,.0f} MB"


def _s(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 100 else f"{seconds:,.0f} s"


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def _goal(ratio: float | None, text: str, ok) -> str:
    if ratio is None:
        return text
    return f"{text}: {'yes' if ok(ratio) else '**no**'}"


def _load(*ms: Measured | None) -> str:
    vals = [m.other_load for m in ms if m is not None]
    return " / ".join(f"{v:.1f}" for v in vals) if vals else "—"


def stage_rows(site: SiteRun) -> list[list[str]]:
    rows: list[list[str]] = []
    r1, wg = site.run1, site.wget
    label = site.label
    if r1 is not None:
        ours = (f"{r1.pages_per_second:.1f} pages/s: {_n(r1.warcs.pages)} pages, {_mb(r1.warcs.bytes)}, "
                f"{_s(r1.crawl_seconds)} ({_s(r1.crawl_cpu)} CPU)")
        if wg is not None:
            ratio = _ratio(r1.pages_per_second, wg.pages_per_second)
            ref = (f"wget {wg.pages_per_second:.1f} pages/s: {_n(wg.warcs.pages)} pages, "
                   f"{_mb(wg.warcs.bytes)}, {_s(wg.seconds)} ({_s(wg.measured.cpu)} CPU)")
            repeats = wg.warcs.html_responses - wg.warcs.pages
            if repeats:
                ref += f" (and {_n(repeats)} pages fetched twice)"
            rows.append(["Crawl to WARC", label, ours, ref, _r(ratio), _goal(ratio, "≥ 1", lambda x: x >= 1),
                         _load(r1.measured, wg.measured)])
            ours_pp = r1.warcs.bytes / max(1, r1.warcs.pages)
            ref_pp = wg.warcs.bytes / max(1, wg.warcs.pages)
            rows.append(["Crawl: WARC bytes per page", label, f"{ours_pp / 1024:.1f} KB",
                         f"wget {ref_pp / 1024:.1f} KB", _r(_ratio(ours_pp, ref_pp)), "(information)", ""])
        else:
            rows.append(["Crawl to WARC", label, ours, "wget: not run", "—", "≥ 1", _load(r1.measured)])
    pl = site.plain
    plain_text = "—"
    if pl is not None:
        plain_text = (f"trafilatura loop {pl.rate:.1f} records/s ({_n(pl.pages or 0)} pages, "
                      f"{_s(pl.seconds)}, {_s(pl.cpu)} CPU)")
    for name, res, goal, ok in (("Extraction, 1 core", site.extract_w1, "≥ 0.9", lambda x: x >= 0.9),
                                ("Extraction, 2 cores", site.extract_w2, "≥ 1.7", lambda x: x >= 1.7)):
        if res is None:
            continue
        ratio = _ratio(res.rate, pl.rate) if pl is not None else None
        ours = (f"{res.rate:.1f} records/s ({_n(res.records)} records, {_s(res.seconds)}, "
                f"{_s(res.cpu)} CPU)")
        rows.append([name, label, ours, plain_text, _r(ratio), _goal(ratio, goal, ok),
                     _load(res.measured, pl.measured if pl else None)])
    if r1 is not None:
        rows.append(["Ingest into SQLite", label,
                     f"{r1.versions_per_second:.1f} versions/s ({_n(r1.new_versions)} versions, "
                     f"{_s(r1.ingest_seconds)})", "—", "—", "(no reference)", _load(r1.measured)])
        if site.reingest is not None:
            ratio = _ratio(site.reingest.wall, r1.ingest_seconds)
            rows.append(["Re-ingest of unchanged WARCs", label,
                         f"{_s(site.reingest.wall)}, {site.reingest_versions} new versions",
                         f"first ingest {_s(r1.ingest_seconds)}", _r(ratio),
                         _goal(ratio, "near 0 (≤ 0.1)", lambda x: x <= 0.1), _load(site.reingest)])
    if r1 is not None and site.run2 is not None:
        r2 = site.run2
        bytes_ratio = _ratio(r2.warcs.bytes, r1.warcs.bytes)
        time_ratio = _ratio(r2.crawl_seconds, r1.crawl_seconds)
        rows.append(["Re-crawl of the unchanged site", label,
                     f"{_mb(r2.warcs.bytes)}, {_s(r2.crawl_seconds)} ({_n(r2.warcs.revisits)} revisits, "
                     f"{r2.new_versions} new versions)",
                     f"first crawl {_mb(r1.warcs.bytes)}, {_s(r1.crawl_seconds)}",
                     f"bytes {_r(bytes_ratio)}, time {_r(time_ratio)}", "bytes ≪ 1 (information: time)",
                     _load(r2.measured)])
    if site.qa is not None:
        q, ref = site.qa, site.qa_plain
        ratio = _ratio(q.rate, ref.rate) if ref is not None else None
        ref_text = (f"bare Playwright loads {ref.rate:.1f} pages/s ({_n(ref.pages)} pages, {_s(ref.seconds)})"
                    if ref is not None else "—")
        rows.append(["Replay check (deeply qa)", label,
                     f"{q.rate:.1f} pages/s ({_n(q.pages)} pages, {_s(q.seconds)}, {_s(q.measured.cpu)} CPU)",
                     ref_text, _r(ratio), "(information: the check's cost)",
                     _load(q.measured, ref.measured if ref else None)])
    if r1 is not None and site.end_to_end:
        m = r1.measured
        rows.append(["End to end: deeply run", label,
                     f"{_s(m.wall)}: {_n(r1.warcs.pages)} pages, {_n(r1.new_versions)} versions, "
                     f"{r1.warcs.pages / m.wall:.1f} pages/s", "—", "—", "(no reference)", _load(m)])
    return rows


def growth_rows(sites: list[SiteRun]) -> list[list[str]]:
    """How the ingest time grows with the site: time ratio over versions ratio (1.0 is linear)."""
    sized = sorted((s for s in sites if s.articles and s.run1), key=lambda s: s.articles)
    rows = []
    for small, big in zip(sized, sized[1:], strict=False):
        a, b = small.run1, big.run1
        if not (a.ingest_seconds and a.new_versions and b.new_versions):
            continue
        t = b.ingest_seconds / a.ingest_seconds
        v = b.new_versions / a.new_versions
        rows.append(["Ingest growth", f"{small.label} → {big.articles:,}",
                     f"time ×{t:.1f} for versions ×{v:.1f}", f"linear: time ×{v:.1f}", _r(t / v),
                     _goal(t / v, "≈ 1 (≤ 1.3)", lambda x: x <= 1.3), ""])
        t = b.crawl_seconds / a.crawl_seconds if a.crawl_seconds else 0
        p = b.warcs.pages / a.warcs.pages if a.warcs.pages else 0
        if t and p:
            rows.append(["Crawl growth", f"{small.label} → {big.articles:,}",
                         f"time ×{t:.1f} for pages ×{p:.1f}", f"linear: time ×{p:.1f}", _r(t / p),
                         _goal(t / p, "≈ 1 (≤ 1.3)", lambda x: x <= 1.3), ""])
    return rows


def memory_rows(sites: list[SiteRun]) -> tuple[list[str], list[list[str]]]:
    header = ["Peak memory (PSS of the process tree)", *[s.label for s in sites]]
    sized = [s for s in sites if s.articles]
    if len(sized) >= 2:
        header.append(f"{sized[-1].articles:,} / {sized[0].articles:,}")

    def row(name, get):
        vals = []
        for s in sites:
            try:
                v = get(s)
            except AttributeError:
                v = None
            vals.append(v)
        cells = [name] + [_mb(v) if v else "—" for v in vals]
        if len(sized) >= 2:
            a, b = vals[sites.index(sized[0])], vals[sites.index(sized[-1])]
            cells.append(_r(b / a) if a and b else "—")
        return cells

    rows = [
        row("Crawl: ours (deeply run, crawl phase)", lambda s: s.run1.crawl_peak),
        row("Crawl: wget", lambda s: s.wget.measured.peak_pss),
        row("Extract: ours, 1 worker", lambda s: s.extract_w1.measured.peak_pss),
        row("Extract: ours, 2 workers", lambda s: s.extract_w2.measured.peak_pss),
        row("Extract: trafilatura loop (pages held in memory)", lambda s: s.plain.measured.peak_pss),
        row("Ingest: ours (deeply run, ingest phase)", lambda s: s.run1.ingest_peak),
        row("First run: ours (deeply run, whole)", lambda s: s.run1.measured.peak_pss),
        row("Re-crawl: ours (deeply run, whole)", lambda s: s.run2.measured.peak_pss),
        row("Re-crawl resumed after SIGKILL: ours (deeply run, whole)", lambda s: s.run3.measured.peak_pss),
    ]
    return header, [r for r in rows if any(c != "—" for c in r[1:len(sites) + 1])]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
    return out


def render(head: Header, sites: list[SiteRun]) -> str:
    lines = [
        "### Results",
        "",
        f"`{head.command}` on {head.date}: {head.machine}; {head.tools}. "
        f"Whole run: {head.total_seconds / 60:.1f} min.{(' ' + head.load) if head.load else ''}",
        "",
    ]
    rows = [r for s in sites for r in stage_rows(s)] + growth_rows(sites)
    lines += _table(["Stage", "Site", "Ours", "Reference", "Ours / ref", "Goal", "Other load"], rows)
    header, mem = memory_rows(sites)
    lines += ["", *_table(header, mem)]
    notes = [f"- {s.label}: skipped {x}" for s in sites for x in s.skipped]
    notes += [f"- {s.label}: FAILED {x}" for s in sites for x in s.errors]
    notes += [f"- {s.label}: the {which} `deeply run` exited 1 (complete, but some fetches failed)"
              for s in sites for which, r in (("first", s.run1), ("second", s.run2), ("resumed", s.run3))
              if r is not None and r.measured.returncode == 1]
    lines += ["", "How to read it:",
              "- Rates are per second of wall time. Ours is timed as a user runs it (start-up, reading the "
              "WARCs); the trafilatura loop is timed over pages already in memory, one in K pages of a "
              "large crawl.",
              "- Crawl and ingest of ours are the two phases of the first `deeply run` over the site; the "
              "re-crawl is the second `deeply run` with the same `--db` and `--warcs`; the resumed "
              "re-crawl is a third, SIGKILLed when it has written half the second's bytes, and measured "
              "as it is run again.",
              "- Pages: distinct URLs with a 200 HTML response in each tool's WARCs. The sample site is "
              "served by `python -m sample_site` in a process of its own.",
              "- Other load: cores busy with work outside the bench during the measurement (ours / "
              "reference); the machine is shared, and a high value means a noisy number.",
              "- Memory: peak PSS summed over the command's process tree, sampled every 100 ms."]
    if head.changed:
        notes.append("- WARNING: measured code changed during the run (rows before and after the edit "
                     "measured different code): " + ", ".join(head.changed))
    if notes:
        lines += ["", "Notes:", *notes]
    return "\n".join(lines) + "\n"
