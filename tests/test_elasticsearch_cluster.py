"""Elasticsearch nodes of their own (deploy/elasticsearch-local.sh), for what the shared test
node cannot show: a two-node cluster where an index with one replica keeps answering after a
node is killed, a node stopped in the middle of a crawl, and a node too busy to take every write.

Needs a JDK 21+ and the integ-test distribution the script fetches; without them the test is
skipped with the reason locally and fails under CI=true.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analysis import Analyser
from config import Settings
from indexer.backends import open_backend
from indexer.pipeline import Indexer
from indexer.service import SearchService
from tests.helpers import doc, free_port

SCRIPT = Path(__file__).resolve().parent.parent / "deploy" / "elasticsearch-local.sh"


@pytest.fixture
def node_root() -> Iterator[Path]:
    """Where nodes live: outside pytest's own temporary directory, which only its owner may enter,
    since under root the nodes run as nobody."""
    root = Path(tempfile.mkdtemp(prefix="smesearch-es-"))
    root.chmod(0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)



@pytest.fixture
def cluster(node_root: Path) -> Iterator[tuple[str, Path]]:
    """Node one (master and data) and node two (data only); yields node one's URL and node two's dir."""
    transports = [free_port(), free_port()]
    seeds = ",".join(f"127.0.0.1:{p}" for p in transports)
    dirs = [node_root / "one", node_root / "two"]
    urls = []
    try:
        for n, (where, transport) in enumerate(zip(dirs, transports, strict=True)):
            env = {**os.environ, "SMESEARCH_ES_SEEDS": seeds, "SMESEARCH_ES_TRANSPORT_PORT": str(transport),
                   "SMESEARCH_ES_NODE_NAME": f"node-{n + 1}", "SMESEARCH_ES_CLUSTER_NAME": f"pair-{transports[0]}",
                   "SMESEARCH_ES_MASTERS": "node-1", **({"SMESEARCH_ES_ROLES": "data"} if n else {})}
            started = subprocess.run([str(SCRIPT), "start", str(where), str(free_port())], env=env,
                                     capture_output=True, text=True, timeout=300)
            if started.returncode != 0:
                reason = f"could not start Elasticsearch node {n + 1}: {started.stderr.strip()[-300:]}"
                if os.environ.get("CI"):
                    pytest.fail(reason)
                pytest.skip(reason)
            urls.append(started.stdout.strip().split("=", 1)[1])
        yield urls[0], dirs[1]
    finally:
        for where in dirs:
            subprocess.run([str(SCRIPT), "stop", str(where)], capture_output=True, timeout=60)


def test_an_index_with_a_replica_keeps_answering_after_a_node_dies(cluster: tuple[str, Path], tmp_path: Path) -> None:
    url, second = cluster
    backend = open_backend(Settings(backend="elasticsearch", data_dir=tmp_path, es_url=url, es_index="pair"))
    try:
        client = backend.client  # type: ignore[attr-defined]
        deadline = time.monotonic() + 120
        while client.cluster.health()["number_of_data_nodes"] < 2:
            assert time.monotonic() < deadline, "the second node did not join"
            time.sleep(1)
        client.indices.put_settings(index="pair", settings={"number_of_replicas": 1})
        analyser = Analyser()
        Indexer(analyser, backend).index([doc(f"https://a.example.cn/{n}", title=f"沈阳汽车零部件企业{n}")
                                          for n in range(50)])
        assert client.cluster.health(index="pair", wait_for_status="green", timeout="60s")["status"] == "green"
        service = SearchService(analyser, backend)
        assert service.search("汽车零部件").total == 50

        os.kill(int((second / "elasticsearch.pid").read_text()), signal.SIGKILL)
        deadline = time.monotonic() + 120
        while client.cluster.health()["number_of_data_nodes"] > 1:
            assert time.monotonic() < deadline, "the cluster did not notice the dead node"
            time.sleep(1)
        assert service.search("汽车零部件").total == 50  # the surviving copy answers
    finally:
        backend.close()


def test_a_crawl_during_an_outage_spools_its_documents_and_loses_none(tmp_path: Path, node_root: Path) -> None:
    import yaml

    from crawler.demo_network.server import Resource, SiteServer
    from tests.test_crawl import html

    node = node_root / "node"
    port = free_port()

    def start() -> str:
        started = subprocess.run([str(SCRIPT), "start", str(node), str(port)], capture_output=True, text=True,
                                 timeout=300)
        if started.returncode != 0:
            reason = f"could not start Elasticsearch: {started.stderr.strip()[-300:]}"
            if os.environ.get("CI"):
                pytest.fail(reason)
            pytest.skip(reason)
        return started.stdout.strip().split("=", 1)[1]

    pages = {"/": Resource(html("Index", "Suppliers", links=tuple(f"/{n}.html" for n in range(40))))}
    pages |= {f"/{n}.html": Resource(html(f"Supplier {n}", f"Bearings and valves supplier number {n} in Anshan."),
                                     delay=0.15) for n in range(40)}
    try:
        url = start()
        with SiteServer(pages) as site:
            catalog = tmp_path / "catalog.yaml"
            catalog.write_text(yaml.safe_dump({"sources": [{
                "id": "t", "name": {"zh": "测试", "en": "Test", "ja": "テスト"}, "group": "other", "kind": "site",
                "start_urls": [f"{site.url}/"], "allow_private": True,
                "politeness": {"delay": 0, "concurrency": 2, "autothrottle": False}}]}))
            env = {**os.environ, "SMESEARCH_DATA_DIR": str(tmp_path / "data"), "SMESEARCH_CATALOG": str(catalog),
                   "SMESEARCH_BACKEND": "elasticsearch", "SMESEARCH_ES_URL": url, "SMESEARCH_ES_INDEX": "outage",
                   "SMESEARCH_CRAWL_WORKERS": "0", "SMESEARCH_CRAWL_BATCH_SIZE": "5"}
            crawl = subprocess.Popen([sys.executable, "-m", "smesearch", "crawl", "t"], env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            deadline = time.monotonic() + 120
            while len(site.requests) < 15:
                assert time.monotonic() < deadline and crawl.poll() is None
                time.sleep(0.05)
            subprocess.run([str(SCRIPT), "stop", str(node)], check=True, timeout=60)  # the outage
            output, _ = crawl.communicate(timeout=300)
            assert crawl.returncode == 0, output
            spooled = int(output.split("spooled while the index was unavailable ")[1].split(",")[0])
            assert spooled > 0
            start()  # the cluster is back, with what it had
            again = subprocess.run([sys.executable, "-m", "smesearch", "crawl", "t"], env=env, capture_output=True,
                                   text=True, timeout=300)
            assert again.returncode == 0, again.stderr
            assert f"indexed from the spool {spooled}" in again.stdout
        found = subprocess.run([sys.executable, "-m", "smesearch", "stats", "--json"], env=env, capture_output=True,
                               text=True, timeout=120)
        assert '"documents": 41' in found.stdout  # every page, none lost
        assert not list((tmp_path / "data" / "spool").rglob("*.batch"))
    finally:
        subprocess.run([str(SCRIPT), "stop", str(node)], capture_output=True, timeout=60)


def test_writes_a_busy_node_turns_away_are_sent_again_until_all_arrive(tmp_path: Path, node_root: Path) -> None:
    """A node with one write thread and a queue of one refuses concurrent bulk requests item by
    item with 429; the backend waits and sends those items again, and none is lost."""
    import threading

    node = node_root / "busy"
    started = subprocess.run([str(SCRIPT), "start", str(node), str(free_port())], capture_output=True, text=True,
                             timeout=300, env={**os.environ, "SMESEARCH_ES_SETTINGS":
                                               "thread_pool.write.size: 1\nthread_pool.write.queue_size: 1"})
    if started.returncode != 0:
        reason = f"could not start Elasticsearch: {started.stderr.strip()[-300:]}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        url = started.stdout.strip().split("=", 1)[1]
        backend = open_backend(Settings(backend="elasticsearch", data_dir=tmp_path, es_url=url, es_index="busy", es_replicas=0))
        indexer = Indexer(Analyser(), backend)
        writers = [[indexer.prepare(doc(f"https://a.example.cn/{w}/{n}", title=f"沈阳汽车零部件企业{w}-{n}"))
                    for n in range(300)] for w in range(6)]
        errors: list[BaseException] = []

        def write(batch: list[Any]) -> None:
            try:
                backend.upsert(batch)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(batch,)) for batch in writers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        backend.commit()
        client = backend.client  # type: ignore[attr-defined]
        (stats,) = client.nodes.stats(metric="thread_pool")["nodes"].values()
        assert stats["thread_pool"]["write"]["rejected"] > 0  # the node did turn writes away
        assert errors == []
        assert backend.stats().documents == 1800
        backend.close()
    finally:
        subprocess.run([str(SCRIPT), "stop", str(node)], capture_output=True, timeout=60)
