"""Benchmarks: commands that print their figures (see each module)."""
