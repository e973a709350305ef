"""Recommendation benchmarks: offline evaluation and speed."""
