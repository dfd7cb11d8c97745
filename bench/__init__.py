"""Benchmarks: each module prints its figures; docs/BENCHMARKS.md records them with the command."""
