"""Command-line paths to archive files, the same way for every command that reads archives."""

from __future__ import annotations

from pathlib import Path


def expand_archives(paths: tuple[Path, ...], say) -> list[Path]:
    """Files as given; a directory stands for the archives in it, in name order (= crawl order for
    ours), by the archive layer's one rule. Every other file of the directory is named with why it
    was left out, through `say`."""
    from archive import archives_in

    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found, skipped = archives_in(p)
            out.extend(found)
            for s in skipped:
                say(s.line())
        else:
            out.append(p)
    return out
