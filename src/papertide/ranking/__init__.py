"""Ranking papers: the trending score and the cached boards built from it."""
