"""The cost of one rate-limit hit on the counters all API workers share (query_api/ratelimit.py).

    python -m bench.ratelimit [HITS]        # default 20,000 hits from 50 client addresses

Compared in the same run with the per-worker memory counters it replaced (limits' MemoryStorage,
moving window), which let N workers grant N times the rate.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter, RateLimiter

from bench.common import machine
from query_api.ratelimit import open_limiter


def per_hit_us(limiter: RateLimiter, hits: int) -> float:
    rate = parse("1000000/minute")
    started = time.perf_counter()
    for i in range(hits):
        limiter.hit(rate, f"127.0.0.{i % 50}")
    return (time.perf_counter() - started) / hits * 1e6


def main(hits: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        shared = per_hit_us(open_limiter("", Path(scratch) / "ratelimit.sqlite"), hits)
    memory = per_hit_us(MovingWindowRateLimiter(MemoryStorage()), hits)
    print(f"{machine()}; {hits} hits over 50 clients")
    print(f"shared SQLite counters: {shared:.1f} us per hit; per-worker memory: {memory:.1f} us per hit")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
