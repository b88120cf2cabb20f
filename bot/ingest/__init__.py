"""Ingest: read article files and feed entries, analyze each once, store stories."""
