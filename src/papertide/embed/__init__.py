"""Turning paper text into vectors for semantic search.

Nothing here loads a model at import time: the embedder exports and loads
its model on first use, so importing papertide stays fast.
"""
