"""How the benchmarks print a figure: one per line, as `name: value unit`."""

from __future__ import annotations


def emit(name: str, value, unit: str = "") -> None:
    if isinstance(value, float):
        value = f"{value:.4g}" if abs(value) < 1000 else f"{value:.1f}"
    print(f"{name}: {value} {unit}".rstrip(), flush=True)
