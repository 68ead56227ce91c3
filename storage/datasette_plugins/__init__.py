"""Datasette plugins shipped with the store; loaded with Datasette's plugins_dir (see storage.web)."""
