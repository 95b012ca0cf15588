"""Benchmarks: run with `./dev bench NAME` (e.g. `./dev bench issue_throughput --help`)."""
