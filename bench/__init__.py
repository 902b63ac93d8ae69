"""Benchmarks: ``python -m bench.engine`` measures the matching engine on a generated corpus."""
