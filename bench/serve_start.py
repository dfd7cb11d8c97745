"""How long the two ways of serving take to answer.

    python -m bench.serve_start [rounds]

`smesearch serve`: from the command to its URL line, /healthz and the first search, with one
worker and with two, over the demo's bundled sample documents. `smesearch demo`: from the
command to its first search on a fresh data directory (it crawls the demo network first), and
again when started a second time over the same data and ports.
"""

from __future__ import annotations

import contextlib
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

import httpx2 as httpx

from bench.common import free_port, machine

SAMPLES = Path(str(resources.files("smesearch").joinpath("demo_data/sample_documents.jsonl")))


def one_start(data: Path, workers: int) -> tuple[float, float, float]:
    """Seconds from the command to the URL line, to /healthz answering and to a search answering."""
    port = free_port()
    env = {**os.environ, "SMESEARCH_DATA_DIR": str(data), "SMESEARCH_RATE_LIMIT": ""}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "smesearch", "serve", "--port", str(port),
                                "--workers", str(workers)], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if base in line:
                announced = time.perf_counter() - started
                break
        else:
            raise RuntimeError("serve ended before printing its URL")
        healthy = searched = 0.0
        while not searched:
            try:
                if not healthy and httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                    healthy = time.perf_counter() - started
                search = httpx.get(f"{base}/api/search", params={"q": "汽车零部件"}, timeout=30) if healthy else None
                if search is not None and search.status_code == 200:
                    searched = time.perf_counter() - started
            except httpx.HTTPError:
                time.sleep(0.05)
        return announced, healthy, searched
    finally:
        process.terminate()
        process.wait(30)


def free_ports(count: int) -> int:
    """The first of `count` consecutive free loopback ports (the demo network's five sites)."""
    for _ in range(100):
        first = random.randrange(20000, 30000)
        try:
            with contextlib.ExitStack() as stack:
                for port in range(first, first + count):
                    sock = stack.enter_context(socket.socket())
                    sock.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
    raise RuntimeError("no run of free ports")


def demo_start(data: Path, port: int, network_port: int) -> float:
    """Seconds from `smesearch demo` to a search answering with the demo's pages."""
    env = {**os.environ, "SMESEARCH_DATA_DIR": str(data)}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "smesearch", "demo", "--port", str(port), "--network-port",
                                str(network_port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/api/search", params={"q": "汽车零部件"}, timeout=30)
                if answer.status_code == 200 and answer.json()["total"] >= 10:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                pass
            if process.poll() is not None:
                raise RuntimeError("the demo ended before answering")
            time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(60)


def main(rounds: int = 3) -> None:
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        subprocess.run([sys.executable, "-m", "smesearch", "import", str(SAMPLES)], check=True,
                       env={**os.environ, "SMESEARCH_DATA_DIR": str(data)}, capture_output=True)
        for workers in (1, 2):
            for n in range(rounds):
                announced, healthy, searched = one_start(data, workers)
                print(f"workers {workers}, round {n + 1}: URL printed {announced:.1f} s, /healthz {healthy:.1f} s, "
                      f"first search {searched:.1f} s")
        port, network_port = free_port(), free_ports(5)
        first = demo_start(Path(tmp) / "demo", port, network_port)
        again = demo_start(Path(tmp) / "demo", port, network_port)
        print(f"smesearch demo: first search {first:.1f} s on a fresh data directory, {again:.1f} s when started again")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
