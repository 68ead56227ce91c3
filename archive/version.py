"""The project's version, for the warcinfo records it writes and `deeply --version`.

Read from the installed package's metadata, so pyproject.toml is the one place it is written; at
the bottom of the stack because the crawler (below the CLI) stamps it into every WARC.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("deeply-archive")
except PackageNotFoundError:  # run from a checkout that was never installed
    VERSION = "0+unknown"
