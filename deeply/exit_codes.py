"""The exit codes of `deeply crawl`, `deeply run` and `deeply demo`, for cron and systemd to act on."""

EXIT_OK = 0
EXIT_FAILURES = 1  # finished, but some fetches or files failed (or the store refused the ingest)
EXIT_INCOMPLETE = 3  # interrupted: run again to resume
EXIT_LOCKED = 4  # another run holds the WARC folder or store


def exit_code(complete: bool, failed: bool) -> int:
    """An interrupted run says so before it says what failed: running it again is what to do."""
    if not complete:
        return EXIT_INCOMPLETE
    return EXIT_FAILURES if failed else EXIT_OK
