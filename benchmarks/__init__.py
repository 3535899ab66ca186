"""Benchmarks: `python -m benchmarks.NAME`; each prints `name: value unit` lines."""
