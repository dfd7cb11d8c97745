"""The API under load: `smesearch serve --workers 2` on 127.0.0.1 over 100,000 documents, driven by
wrk (Debian's package; installed when missing and run as root) with 32 connections.

    python -m bench.api_load 100000             # everything below, about 25 minutes
    python -m bench.api_load 100000 --peer      # only the comparison with the bare engine

First, /api/search against its peer, in the same run: bench/bare_app.py, a bare FastAPI app
answering the same 1,000 searches with tantivy alone, on the queries our service compiled (the
same translated shape, the same facets: the four the widget shows), once through the tantivy
binding (two passes: top 10, then the facets) and once through the native one-pass search our
backend uses (native/). All run 2 workers, ours with its result cache off. Each peer must give
the same top 10 as ours for every query, or the run stops.
Then three interleaved rounds, at 8 and at 32 connections: requests/s, p50/p99, and server CPU
per request (user and system time of the server's processes over the requests wrk completed);
medians of the rounds, and our CPU per request as a multiple of each peer's.

Then, in one run, on the same machine and the same cores:
  - the ceiling: a trivial async FastAPI endpoint on one uvicorn worker with no access log, which
    is as fast as this Python stack answers anything here;
  - /api/search with mixed queries (bench/corpus.py: keyword and sentence, half filtered, in zh,
    ja and en, cross-lingual translation on as by default) on the embedded backend;
  - /api/suggest with prefixes of the same words, at 32 connections and at one;
  - /api/search on Elasticsearch (a single node started by deploy/elasticsearch-local.sh with a
    1 GB heap, sharing the two cores; SMESEARCH_ES_URL names another node instead).
The servers run as deployed: JSON request log on (to a file), search log on, the 10-second
result cache on (the 1,000 queries cycle, so after the first pass most answers come from it);
each search target is measured again with the cache off. Only the rate limit is off, as one
client address makes every request. wrk runs 2 threads for 20 s per target after
a 5 s warm-up; its latency percentiles include its own queueing at 32 connections.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

import httpx2 as httpx

from analysis import Analyser
from bench.backends import ALIAS, ROOT, load, start_node
from bench.common import OUT, free_port, machine
from bench.corpus import EN_PRODUCTS, JA_PRODUCTS, ZH_PRODUCTS, queries, write
from config import Settings
from indexer.backends import open_backend

CONNECTIONS = 32
SECONDS = 20
WARMUP = 5
WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
local i = math.random(#paths)
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
"""
TRIVIAL_APP = """
from fastapi import FastAPI

app = FastAPI()


@app.get("/ping")
async def ping() -> dict[str, bool]:
    return {"ok": True}
"""


def wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("wrk is not installed: apt-get install wrk")
    subprocess.run("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk", shell=True,
                   check=True)
    return shutil.which("wrk") or sys.exit("wrk did not install")


def search_paths() -> list[str]:
    paths = []
    for item in queries(1000):
        params: dict[str, str] = {"q": str(item["q"]), "mode": str(item["mode"])}
        filters: dict[str, list[Any]] = item["filters"]  # type: ignore[assignment]
        for name, key in (("categories", "category"), ("langs", "lang"), ("services", "service"),
                          ("groups", "group")):
            if filters.get(name):
                params[key] = str(filters[name][0])
        paths.append("/api/search?" + urllib.parse.urlencode(params))
    return paths


def suggest_paths() -> list[str]:
    words = [*ZH_PRODUCTS, *JA_PRODUCTS, *EN_PRODUCTS]
    prefixes = sorted({w[:n] for w in words for n in (1, 2, 3) if len(w) > n})
    return ["/api/suggest?" + urllib.parse.urlencode({"q": p}) for p in prefixes]


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            sys.exit(f"the server at {url} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"{url} did not answer within two minutes")
        time.sleep(0.3)


def drive(wrk_bin: str, base: str, paths: list[str], work: Path, name: str, connections: int = CONNECTIONS,
          warmup: int = WARMUP, seconds: int = SECONDS,
          server: subprocess.Popen[bytes] | None = None) -> dict[str, float]:
    """wrk cycling through `paths` after a warm-up; with `server`, also its CPU per request."""
    listing = work / f"{name}.paths"
    listing.write_text("\n".join(paths) + "\n")
    script = work / "mixed.lua"
    script.write_text(WRK_SCRIPT)
    env = {**os.environ, "WRK_PATHS": str(listing)}
    threads = min(2, connections)
    subprocess.run([wrk_bin, f"-t{threads}", f"-c{connections}", f"-d{warmup}s", "-s", str(script), base], env=env,
                   capture_output=True, check=True)
    before = tree_cpu_s(server.pid) if server is not None else 0.0
    out = subprocess.run([wrk_bin, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
                          base], env=env, capture_output=True, text=True, check=True).stdout
    result = parse_wrk(out)
    if server is not None:
        result["cpu_ms_per_request"] = round((tree_cpu_s(server.pid) - before) * 1000 / max(1, result["requests"]), 2)
    return result


def parse_wrk(out: str) -> dict[str, float]:
    def ms(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    result = {"requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}  # type: ignore[union-attr]
    for p in ("50", "90", "99"):
        result[f"p{p}_ms"] = round(ms(re.search(rf"\s{p}(?:\.000)?%\s+(\S+)", out).group(1)), 2)  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non_2xx"] = int(errors.group(1)) if errors else 0
    socket_errors = re.search(r"Socket errors: (.*)", out)
    result["socket_errors"] = socket_errors.group(1) if socket_errors else "none"  # type: ignore[assignment]
    result["requests"] = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return result


WIDGET_FACETS = "category,service,lang,site"  # what the widget asks for (query_api/static/widget.js)
PEER_ROUNDS = 3
PEER_SECONDS = 10


def widget_paths() -> list[str]:
    """The benchmark's searches as the widget sends them: its facets, ten results, names in English."""
    return [f"{p}&{urllib.parse.urlencode({'facets': WIDGET_FACETS, 'ui_lang': 'en'})}" for p in search_paths()]


def tree_cpu_s(pid: int) -> float:
    """User and system CPU seconds of a process and every process below it, from /proc."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it ended meanwhile
        child = int(stat.parent.name)
        parents[child] = int(fields[1])
        times[child] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    total, wanted = 0.0, {pid}
    for child in sorted(parents):  # ancestors are not always numbered lower: walk up from each
        ancestor = child
        while ancestor not in wanted and ancestor in parents and ancestor > 1:
            ancestor = parents[ancestor]
        if ancestor in wanted:
            total += times[child]
    return total


def same_top_tens(ours: str, bare: str, paths: list[str]) -> None:
    """Stop the run when our API and the peer disagree on a query's top 10: then they would not be
    doing the same work."""
    different = []
    for path in paths:
        mine = [r["id"] for r in httpx.get(ours + path, timeout=60).json()["results"]]
        theirs = httpx.get(bare + path, timeout=60).json()["ids"]
        if mine != theirs:
            different.append(path)
    if different:
        sys.exit(f"the API and the bare peer gave different top 10s for {len(different)} of {len(paths)} "
                 f"queries, such as {urllib.parse.unquote(different[0])}")


def compare_with_peer(wrk_bin: str, data: Path, work: Path) -> dict[str, Any]:
    paths = widget_paths()
    (work / "bare.paths").write_text("\n".join(paths) + "\n")
    ours_port = free_port()
    ours = serve(data, ours_port, work, "ours", {"SMESEARCH_BACKEND": "embedded", "SMESEARCH_SEARCH_CACHE_S": "0"})
    servers = {"ours": (f"http://127.0.0.1:{ours_port}", ours)}
    for name, engine in (("bare", "binding"), ("bare_native", "native")):
        port = free_port()
        servers[name] = (f"http://127.0.0.1:{port}", subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "bench.bare_app:app", "--port", str(port), "--workers", "2",
             "--no-access-log", "--log-level", "warning"], cwd=ROOT,
            stdout=(work / f"{name}.log").open("wb"), stderr=subprocess.STDOUT,
            env={**os.environ, "SMESEARCH_DATA_DIR": str(data), "BARE_PATHS": str(work / "bare.paths"),
                 "BARE_ENGINE": engine, "PYTHONPATH": str(ROOT)}))
    try:
        ours_url = servers["ours"][0]
        wait_until_up(f"{ours_url}/readyz", ours)
        for name in ("bare", "bare_native"):
            url, process = servers[name]
            wait_until_up(f"{url}/api/search?{paths[0].split('?', 1)[1]}", process)
            same_top_tens(ours_url, url, paths)
        rounds: dict[str, list[dict[str, float]]] = {}
        for _ in range(PEER_ROUNDS):
            for connections in (8, 32):
                for name, (url, process) in servers.items():
                    rounds.setdefault(f"{name}_{connections}", []).append(
                        drive(wrk_bin, url, paths, work, name, connections, 2, PEER_SECONDS, process))
    finally:
        for _, process in servers.values():
            stop(process)
    out: dict[str, Any] = {"queries": len(paths), "rounds": PEER_ROUNDS, "seconds": PEER_SECONDS,
                           "facets": WIDGET_FACETS}
    for name, runs in rounds.items():
        out[name] = {key: statistics.median(r[key] for r in runs)
                     for key in ("requests_per_s", "p50_ms", "p99_ms", "cpu_ms_per_request")}
        out[name]["non_2xx"] = sum(r["non_2xx"] for r in runs)
    for connections in (8, 32):
        for peer, key in (("bare", "cpu_ratio"), ("bare_native", "cpu_ratio_native")):
            out[f"{key}_{connections}"] = round(out[f"ours_{connections}"]["cpu_ms_per_request"]
                                                / out[f"{peer}_{connections}"]["cpu_ms_per_request"], 2)
    return out


def serve(data: Path, port: int, work: Path, name: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    log = (work / f"{name}.log").open("wb")
    return subprocess.Popen([sys.executable, "-m", "smesearch", "serve", "--port", str(port), "--workers", "2"],
                            stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "SMESEARCH_DATA_DIR": str(data), "SMESEARCH_RATE_LIMIT": "", **env})


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    wrk_bin = wrk()
    work = OUT / f"api-load-{count}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    corpus = write(count)
    analyser = Analyser()
    data = work / "data"
    built = OUT / f"data-{count}"  # bench.import_docs's index of the same corpus, when it has run
    if (built / "index" / "embedded").exists():
        shutil.copytree(built, data)
    else:
        embedded = open_backend(Settings(data_dir=data))
        load(embedded, analyser, corpus)
        embedded.close()
    result: dict[str, Any] = {"machine": machine(), "documents": count, "connections": CONNECTIONS,
                              "seconds": SECONDS, "workers": 2}
    result["peer"] = compare_with_peer(wrk_bin, data, work)
    if "--peer" in sys.argv:
        (OUT / "api_load_peer.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return

    with tempfile.TemporaryDirectory() as trivial_dir:
        Path(trivial_dir, "trivial_app.py").write_text(TRIVIAL_APP)
        port = free_port()
        trivial = subprocess.Popen([sys.executable, "-m", "uvicorn", "trivial_app:app", "--port", str(port),
                                    "--no-access-log", "--log-level", "warning"], cwd=trivial_dir)
        try:
            wait_until_up(f"http://127.0.0.1:{port}/ping", trivial)
            result["ceiling_trivial_endpoint_1_worker"] = drive(wrk_bin, f"http://127.0.0.1:{port}",
                                                                ["/ping"], work, "ping")
        finally:
            stop(trivial)

    port = free_port()
    server = serve(data, port, work, "embedded", {"SMESEARCH_BACKEND": "embedded"})
    try:
        wait_until_up(f"http://127.0.0.1:{port}/readyz", server)
        base = f"http://127.0.0.1:{port}"
        result["embedded_search"] = drive(wrk_bin, base, search_paths(), work, "search")
        result["embedded_suggest"] = drive(wrk_bin, base, suggest_paths(), work, "suggest")
        # At 32 connections a latency is mostly queueing (Little's law: 32 / requests per second);
        # one connection shows what a single typist waits.
        result["embedded_suggest_1_connection"] = drive(wrk_bin, base, suggest_paths(), work, "suggest-1", 1)
    finally:
        stop(server)
    port = free_port()
    server = serve(data, port, work, "embedded-uncached", {"SMESEARCH_BACKEND": "embedded",
                                                           "SMESEARCH_SEARCH_CACHE_S": "0"})
    try:
        wait_until_up(f"http://127.0.0.1:{port}/readyz", server)
        result["embedded_search_uncached"] = drive(wrk_bin, f"http://127.0.0.1:{port}", search_paths(), work,
                                                   "search-uncached")
    finally:
        stop(server)
    ceiling = result["ceiling_trivial_endpoint_1_worker"]["requests_per_s"]
    result["embedded_search"]["share_of_ceiling"] = round(result["embedded_search"]["requests_per_s"] / ceiling, 3)

    url, started = start_node(work / "es-node")
    try:
        es_env = {"SMESEARCH_BACKEND": "elasticsearch", "SMESEARCH_ES_URL": url, "SMESEARCH_ES_INDEX": ALIAS,
                  "SMESEARCH_ES_REPLICAS": "0"}
        es_settings = Settings(backend="elasticsearch", data_dir=work, es_url=url, es_index=ALIAS, es_replicas=0)
        elastic = open_backend(es_settings)
        elastic.drop()
        elastic.close()
        elastic = open_backend(es_settings)
        load(elastic, analyser, corpus)
        elastic.close()
        port = free_port()
        server = serve(data, port, work, "elasticsearch", es_env)
        try:
            wait_until_up(f"http://127.0.0.1:{port}/readyz", server)
            result["elasticsearch_search"] = drive(wrk_bin, f"http://127.0.0.1:{port}", search_paths(), work,
                                                   "es-search")
        finally:
            stop(server)
        port = free_port()
        server = serve(data, port, work, "elasticsearch-uncached", {**es_env, "SMESEARCH_SEARCH_CACHE_S": "0"})
        try:
            wait_until_up(f"http://127.0.0.1:{port}/readyz", server)
            result["elasticsearch_search_uncached"] = drive(wrk_bin, f"http://127.0.0.1:{port}", search_paths(),
                                                            work, "es-search-uncached")
        finally:
            stop(server)
    finally:
        if started:
            subprocess.run([str(ROOT / "deploy" / "elasticsearch-local.sh"), "stop", str(work / "es-node")],
                           check=False)
    (OUT / "api_load.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
