"""Shared fixtures: free ports, `deeply` as a real process, the sample site on a real socket; the real
Syria copy and its sisters when present. Helpers that are not fixtures live in tests/support/."""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

import pytest

from tests.support import processes, servers

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "newsdeeply" / "syria-mirror.tar.xz"
CORPUS_ENV = "DEEPLY_CORPUS"
DEFAULT_SISTERS = ROOT.parent / "shared" / "newsdeeply" / "sisters-mirror.tar.xz"
SISTERS_ENV = "DEEPLY_SISTERS_CORPUS"
CORPUS_DIR_ENV = "DEEPLY_CORPUS_DIR"
NETWORK_SITES = ("syria", "refugees", "water", "womenandgirls", "arctic", "malnutrition", "peacebuilding")


def corpus_path() -> Path:
    return Path(os.environ.get(CORPUS_ENV, str(DEFAULT_CORPUS)))


def sisters_path() -> Path:
    return Path(os.environ.get(SISTERS_ENV, str(DEFAULT_SISTERS)))


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory) -> Path:
    """The real copy, unpacked once per session; skips, saying why, when it is not there."""
    tar = corpus_path()
    if not tar.exists():
        pytest.skip(f"corpus not found at {tar} (set {CORPUS_ENV} to the syria-mirror.tar.xz path)")
    cached = os.environ.get("DEEPLY_CORPUS_DIR")
    if cached and (Path(cached) / "syria").is_dir():
        return Path(cached)
    out = tmp_path_factory.mktemp("corpus")
    with tarfile.open(tar) as tf:
        tf.extractall(out, filter="data")
    return out


@pytest.fixture(scope="session")
def network_corpus_dir(tmp_path_factory) -> Path:
    """All seven sites of the network side by side (Syria and the six sisters), as on the real site.

    An unpacked copy named by DEEPLY_CORPUS_DIR is used when it holds every section; otherwise both
    tarballs are unpacked once per session. Skips, saying where it looked, when neither is there.
    """
    cached = os.environ.get(CORPUS_DIR_ENV)
    if cached and all((Path(cached) / site).is_dir() for site in NETWORK_SITES):
        return Path(cached)
    tars = (corpus_path(), sisters_path())
    missing = [str(t) for t in tars if not t.exists()]
    if missing:
        pytest.skip(
            f"network corpus not found: {CORPUS_DIR_ENV}={cached or '(unset)'} lacks some of the seven sites,"
            f" and {', '.join(missing)} missing (set {CORPUS_DIR_ENV} to an unpacked copy, or {CORPUS_ENV}"
            f" and {SISTERS_ENV} to the two tarballs)"
        )
    out = tmp_path_factory.mktemp("network")
    for tar in tars:
        with tarfile.open(tar) as tf:
            tf.extractall(out, filter="data")
    return out


@pytest.fixture()
def sample_site():
    """A small sample site served on 127.0.0.1 for one test."""
    from sample_site import serve

    with serve(articles=40, edition=0, port=0) as site:
        yield site


@pytest.fixture(scope="session")
def free_port():
    """A function returning a port free on 127.0.0.1 now (call it once per server)."""
    return servers.free_port


@pytest.fixture(scope="session")
def deeply():
    """A function running the installed `deeply` in a subprocess with a timeout:
    `deeply("crawl", url, "--warcs", folder, timeout=300, check=False)` -> CompletedProcess (text)."""
    return processes.run_deeply
