"""Shared fixtures: the sample site on a real socket, and the real Syria Deeply copy when present."""

from __future__ import annotations

import os
import socket
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "newsdeeply" / "syria-mirror.tar.xz"
CORPUS_ENV = "DEEPLY_CORPUS"


def corpus_path() -> Path:
    return Path(os.environ.get(CORPUS_ENV, str(DEFAULT_CORPUS)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


@pytest.fixture()
def sample_site():
    """A small sample site served on 127.0.0.1 for one test."""
    from sample_site import serve

    with serve(articles=40, edition=0, port=0) as site:
        yield site
