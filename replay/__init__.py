"""Replay and exchange: CDXJ indexes of the WARC folder, pywb replay over it, WACZ packages.

Imports here are light; pywb itself only ever runs in a child process.
"""

from replay.index import IndexResult, closed_warcs, index_path, update_index
from replay.pywb_collection import Collection, ReplayServer, build_collection, serve, start
from replay.wacz_package import WaczError, WaczResult, build_wacz, validate_wacz

__all__ = [
    "Collection",
    "IndexResult",
    "ReplayServer",
    "WaczError",
    "WaczResult",
    "build_collection",
    "build_wacz",
    "closed_warcs",
    "index_path",
    "serve",
    "start",
    "update_index",
    "validate_wacz",
]
