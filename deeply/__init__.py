"""deeply-archive: capture, re-capture, extract and search the Syria Deeply web archive."""

__version__ = "0.1.0"
