"""Ingest sources: generators that turn arXiv, OAI-PMH, snapshot and HF data into records."""
