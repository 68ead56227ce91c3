"""Where a capture is replayed: the wayback-style URL the store keeps with every capture and
version, and the pywb that `deeply replay` starts by default (the store links to it).

Here, below replay, because ingest writes these links; replay and the commands' help read the
defaults from here. No heavy imports: `deeply replay` and `deeply qa` use it too.
"""

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_COLLECTION = "deeply"
DEFAULT_REPLAY_PREFIX = f"http://{DEFAULT_HOST}:{DEFAULT_PORT}/{DEFAULT_COLLECTION}"


def timestamp14(iso) -> str:
    """The 14-digit form wayback-style replay URLs use, from an ISO 8601 time (a date alone is its
    midnight); "" for a value with no date in it."""
    digits = "".join(c for c in str(iso or "") if c.isdigit())
    return digits[:14].ljust(14, "0") if len(digits) >= 8 else ""


def replay_url(prefix: str | None, timestamp: str, url: str, modifier: str = "") -> str:
    """``PREFIX/TIMESTAMP[MOD]/URL`` (``modifier`` e.g. ``id_``, ``mp_``); the default prefix
    without one."""
    return f"{(prefix or DEFAULT_REPLAY_PREFIX).rstrip('/')}/{timestamp}{modifier}/{url}"


def capture_replay_url(prefix: str | None, fetched_at: str | None, url: str) -> str | None:
    """The link stored with a capture fetched at `fetched_at` (ISO 8601)."""
    if not fetched_at:
        return None
    return replay_url(prefix, timestamp14(fetched_at), url)
