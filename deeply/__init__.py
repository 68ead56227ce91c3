"""deeply-archive: capture, re-capture, extract and search the Syria Deeply web archive."""
