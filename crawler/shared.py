"""Containers handed to a crawl through its settings without being copied.

Scrapy deep-copies a crawl's settings when it makes the crawler. The dedup memory of a re-crawl and
the URL set of a resumed one are as large as the archive's URL set and only read by the crawl, so a
copy would double the crawl's largest structures for nothing: every copy of these is the original.
"""

from __future__ import annotations


class SharedDict(dict):
    def __deepcopy__(self, memo):
        return self


class SharedSet(set):
    def __deepcopy__(self, memo):
        return self
