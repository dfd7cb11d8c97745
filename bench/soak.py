"""Soak: the API serving mixed traffic for ten minutes while crawls and an import write, on loopback.

    python -m bench.soak [SECONDS] [DOCUMENTS]        # defaults: 600 s over 20,000 documents

`smesearch serve --workers 2` over DOCUMENTS generated listings (bench/corpus.py), as deployed:
JSON request log, search log and the 10-second result cache on, the rate limit off (one client
address makes every request). Meanwhile, in processes of their own:
  - the demo network's five sites are crawled one after another, again and again (re-crawls: 304s,
    unchanged pages, and the index writes of what changed);
  - an import writes 5,000 more documents, then the same ones with changed bodies, again and again.
The load: 8 clients, each a loop of 60% searches (keyword and sentence, half filtered, zh/ja/en),
25% suggestions and 15% document reads, each request as soon as the last is answered.

The goals (issue 15): no 5xx, no socket errors, the servers' memory (RSS of the main process and
its workers) growing less than 10% after the first minute, and the last minute's p99 within 1.5x
of the first's. Writes bench/out/soak.json and prints the per-minute table for docs/BENCHMARKS.md.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import httpx2 as httpx

from bench.common import OUT, free_port, machine, percentile
from bench.corpus import queries, write
from crawler.demo_network.network import DemoNetwork

CLIENTS = 8
WARMUP_S = 60
SUGGEST_PREFIXES = ["汽", "汽车", "沈阳", "自動", "自動車", "機械", "aut", "auto", "brak", "mach", "代理", "合資"]


def smesearch(data: Path, *args: str, **kwargs: Any) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SMESEARCH_DATA_DIR": str(data), "SMESEARCH_RATE_LIMIT": ""}
    return subprocess.Popen([sys.executable, "-m", "smesearch", *args], env=env, **kwargs)


def rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))) * 1024
            todo += [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except (OSError, StopIteration):
            continue
    return total


def writers(data: Path, work: Path, stop: float, network: DemoNetwork) -> list[subprocess.Popen[bytes]]:
    """The crawl loop and the import loop, as shell loops that end by themselves at `stop`."""
    catalog = network.write_catalog(work / "demo-catalog.yaml")
    ids = " ".join(s["id"] for s in network.catalog()["sources"])
    extra = [work / "more-a.jsonl", work / "more-b.jsonl"]
    for variant, path in enumerate(extra):
        with path.open("w", encoding="utf-8") as f:
            for i in range(5000):
                f.write(json.dumps({"url": f"https://soak{i % 50}.example.cn/{i}", "title": f"沈阳机床厂寻求代理 {i}",
                                    "body": f"数控机床，版本{variant}。" * 30}, ensure_ascii=False) + "\n")
    env = {**os.environ, "SMESEARCH_DATA_DIR": str(data), "SMESEARCH_CATALOG": str(catalog),
           "SMESEARCH_CRAWL_WORKERS": "0", "SMESEARCH_INDEX_WORKERS": "0"}
    crawl = (f"while [ $(date +%s) -lt {int(stop)} ]; do for s in {ids}; do "
             f"{sys.executable} -m smesearch crawl $s >/dev/null 2>&1; done; done")
    imports = (f"while [ $(date +%s) -lt {int(stop)} ]; do for f in {extra[0]} {extra[1]}; do "
               f"{sys.executable} -m smesearch import $f >/dev/null 2>&1; done; done")
    return [subprocess.Popen(["bash", "-c", loop], env=env) for loop in (crawl, imports)]


async def client(base: str, stop: float, mixed: list[dict[str, Any]], seen_ids: list[str],
                 records: list[tuple[float, str, str, float]], rng: random.Random) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        while time.time() < stop:
            roll = rng.random()
            if roll < 0.6:
                q = rng.choice(mixed)
                kind, request = "search", http.get("/api/search", params={"q": q["q"], "mode": q["mode"]})
            elif roll < 0.85:
                kind, request = "suggest", http.get("/api/suggest", params={"q": rng.choice(SUGGEST_PREFIXES)})
            else:
                doc_id = rng.choice(seen_ids) if seen_ids else "missing"
                kind, request = "document", http.get(f"/api/documents/{doc_id}")
            started = time.perf_counter()
            try:
                answer = await request
                outcome = str(answer.status_code)
                if kind == "search" and answer.status_code == 200:
                    seen_ids[:] = ([r["id"] for r in answer.json()["results"]] + seen_ids)[:500]
            except httpx.TransportError as exc:
                outcome = type(exc).__name__
            records.append((time.time(), kind, outcome, (time.perf_counter() - started) * 1000))


def summarise(records: list[tuple[float, str, str, float]], start: float,
              memory: list[tuple[float, int]]) -> dict[str, Any]:
    minutes: dict[int, list[float]] = defaultdict(list)
    outcomes: Counter[str] = Counter()
    for at, _, outcome, ms in records:
        outcomes[outcome] += 1
        minutes[int((at - start) // 60)].append(ms)
    per_minute = [{"minute": m + 1, "requests": len(v), "p50_ms": round(percentile(v, 50), 1),
                   "p99_ms": round(percentile(v, 99), 1)} for m, v in sorted(minutes.items()) if len(v) > 10]
    after_warmup = [rss for at, rss in memory if at - start >= WARMUP_S]
    growth = (after_warmup[-1] / after_warmup[0] - 1) if len(after_warmup) > 1 else 0.0
    errors_5xx = sum(n for o, n in outcomes.items() if o.startswith("5"))
    socket_errors = sum(n for o, n in outcomes.items() if not o.isdigit())
    first, last = per_minute[0]["p99_ms"], per_minute[-1]["p99_ms"]
    return {"machine": machine(), "requests": len(records), "outcomes": dict(outcomes), "per_minute": per_minute,
            "rss_after_warmup_mb": round(after_warmup[0] / 1e6, 1) if after_warmup else None,
            "rss_end_mb": round(after_warmup[-1] / 1e6, 1) if after_warmup else None,
            "rss_growth": round(growth, 4), "p99_first_ms": first, "p99_last_ms": last,
            "goals": {"no 5xx": errors_5xx == 0, "no socket errors": socket_errors == 0,
                      "RSS growth < 10% after warm-up": growth < 0.10, "last p99 <= 1.5x first": last <= 1.5 * first}}


def main(seconds: int, documents: int) -> None:
    corpus = write(documents)
    with tempfile.TemporaryDirectory(prefix="smesearch-soak-") as scratch, DemoNetwork(0) as network:
        work = Path(scratch)
        data = work / "data"
        assert smesearch(data, "import", str(corpus), stdout=subprocess.DEVNULL).wait() == 0
        port = free_port()
        log = (work / "server.log").open("wb")
        server = smesearch(data, "serve", "--port", str(port), "--workers", "2", stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 120
        while True:
            try:
                httpx.get(f"{base}/readyz", timeout=5).raise_for_status()
                break
            except (httpx.TransportError, httpx.HTTPStatusError):
                assert time.time() < deadline and server.poll() is None, "the API did not start"
                time.sleep(0.5)
        start = time.time()
        stop = start + seconds
        background = writers(data, work, stop, network)
        records: list[tuple[float, str, str, float]] = []
        memory: list[tuple[float, int]] = []

        async def run() -> None:
            async def sample() -> None:
                while time.time() < stop:
                    memory.append((time.time(), rss_bytes(server.pid)))
                    await asyncio.sleep(5)
            mixed, ids = queries(1000), []  # type: ignore[var-annotated]
            await asyncio.gather(sample(), *(client(base, stop, mixed, ids, records, random.Random(n))
                                             for n in range(CLIENTS)))

        asyncio.run(run())
        for process in background:
            process.wait()
        result = summarise(records, start, memory)
        with sqlite3.connect(data / "crawl.sqlite") as db:  # proof that the writers were writing
            runs = dict(db.execute("SELECT status, count(*) FROM runs GROUP BY status").fetchall())
        result.update({"seconds": seconds, "documents": documents, "crawl_runs": runs,
                       "documents_at_end": httpx.get(f"{base}/readyz").json()["documents"]
                       if server.poll() is None else None})
        server.terminate()
        server.wait(60)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "soak.json").write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "per_minute"}, indent=1, ensure_ascii=False))
    print("| minute | requests | p50 ms | p99 ms |\n| --- | --- | --- | --- |")
    for row in result["per_minute"]:
        print(f"| {row['minute']} | {row['requests']} | {row['p50_ms']} | {row['p99_ms']} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 600, int(sys.argv[2]) if len(sys.argv) > 2 else 20_000)
