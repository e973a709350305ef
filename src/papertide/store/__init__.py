"""Keeping papers: the Store protocol, its engines and the merge rules."""
