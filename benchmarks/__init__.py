"""Benchmarks of Camera Bridge (run with scripts/bench)."""
