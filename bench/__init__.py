"""Benchmarks: named scenarios, each against a baseline measured in the same run."""
