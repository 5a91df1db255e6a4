"""Hybrid search: BM25 keyword matching fused with sentence embeddings.

The database is the source of truth (papers, their vectors, a log of what changed);
the keyword index (tantivy) and the vector index (usearch HNSW) are files beside it
that can always be rebuilt from it.
"""
