"""Where the store is served by default: cheap to import, so that the CLI's options read it at start."""

DATASETTE_PORT = 8001  # Datasette's own default
