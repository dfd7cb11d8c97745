"""`smesearch backup` while the API serves and an import writes, and `smesearch restore` into a
fresh directory: the same search results, keys, catalog, schedules, run records and listings come back;
a damaged backup or a non-empty target is refused with the reason."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tarfile
import time
import uuid
from pathlib import Path

import httpx2 as httpx
import pytest

from operations.operators import OperatorKeys
from tests.helpers import run, serving, stored_count, write_jsonl

LISTINGS = [{"url": f"https://a.example.cn/{i}", "title": f"沈阳汽车零部件企业寻求日本合资伙伴 {i}",
             "body": "生产刹车系统，寻求合资合作。" if i % 2 else "自動車部品の販売代理店を募集します。"}
            for i in range(120)]
QUERIES = ["汽车零部件", "代理店", "合资 刹车", "site:a.example.cn"]


def results(data: Path) -> list[object]:
    answers = []
    for query in QUERIES:
        found = run(data, "search", query, "--json")
        assert found.returncode == 0, found.stderr
        answers.append(json.loads(found.stdout)["results"])
    return answers


def test_a_backup_taken_while_serving_restores_to_the_same_service(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run(data, "import", str(write_jsonl(tmp_path / "l.jsonl", LISTINGS))).returncode == 0
    key = OperatorKeys(data / "operators.sqlite").add("ops", "admin")
    assert run(data, "sources", "add", "acme", "--start-url", "https://acme.example.cn/", "--name-zh", "艾克美",
               "--name-en", "Acme", "--name-ja", "アクメ").returncode == 0
    assert run(data, "schedule", "add", "acme", "--every", "6h").returncode == 0
    posted = run(data, "listings", "add", "--kind", "offer", "--service", "agent", "--title", "Brake pad agent",
                 "--description", "We distribute brake pads in Japan.", "--company", "Osaka Trading",
                 "--email", "hello@osaka.example.com")
    assert posted.returncode == 0, posted.stderr
    listing_id, token = posted.stdout.split()
    before = results(data)
    archive = tmp_path / "backups" / "data.tar.gz"
    with serving(data, env={"SMESEARCH_RATE_LIMIT": ""}) as (base, _):
        for query in QUERIES:  # the search log and caches are being written meanwhile
            assert httpx.get(f"{base}/api/search", params={"q": query}).status_code == 200
        made = run(data, "backup", str(archive))
        assert made.returncode == 0, made.stderr
        assert "121 documents" in made.stdout  # the listing is a document too
    restored = tmp_path / "restored"
    back = run(restored, "restore", str(archive))
    assert back.returncode == 0, back.stderr
    assert "121 documents" in back.stdout and "rebuilt" not in back.stdout
    assert results(restored) == before
    assert OperatorKeys(restored / "operators.sqlite").check(key) is not None  # the same keys open the console
    assert "acme" in run(restored, "sources", "list").stdout
    assert "acme" in run(restored, "schedule", "list").stdout
    # Enterprises' listings come back, with their owners' tokens.
    assert json.loads(run(restored, "listings", "show", listing_id).stdout)["title"] == "Brake pad agent"
    assert run(restored, "listings", "withdraw", listing_id, "--token", token).returncode == 0
    # The restored directory is a working one: more documents go in.
    more = write_jsonl(tmp_path / "more.jsonl", [{"url": "https://b.example.cn/x", "title": "新的合资项目"}])
    assert run(restored, "import", str(more)).returncode == 0
    assert "121" in run(restored, "stats").stdout  # 120 + 1, the listing withdrawn


def test_a_backup_during_an_import_restores_a_consistent_index(tmp_path: Path) -> None:
    data = tmp_path / "data"
    many = [{"url": f"https://bulk.example.cn/{i}", "title": f"沈阳机床厂寻求代理 {i}", "body": "数控机床。" * 20}
            for i in range(6000)]
    corpus = write_jsonl(tmp_path / "bulk.jsonl", many)
    env = {"SMESEARCH_IMPORT_BATCH_SIZE": "500", "SMESEARCH_INDEX_WORKERS": "0"}
    assert run(data, "import", str(write_jsonl(tmp_path / "l.jsonl", LISTINGS))).returncode == 0
    importing = subprocess.Popen([sys.executable, "-m", "smesearch", "--data-dir", str(data), "import", str(corpus)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 env={**os.environ, **env})
    try:
        store = data / "index" / "embedded" / "documents.sqlite"
        deadline = time.monotonic() + 120
        while stored_count(store) <= 120:  # the import has committed a batch: it is mid-way
            assert importing.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        made = run(data, "backup", str(tmp_path / "mid-import.tar"))
        assert made.returncode == 0, made.stderr
    finally:
        importing.wait(300)
    restored = tmp_path / "restored"
    back = run(restored, "restore", str(tmp_path / "mid-import.tar"))
    assert back.returncode == 0, back.stderr
    stats = json.loads(run(restored, "stats", "--json").stdout)
    found = re.search(r"(\d+) results", run(restored, "search", "沈阳机床厂", "--limit", "1").stdout)
    assert found and 120 < stats["documents"] < 6120, "the backup was not taken during the import"
    # The index answers for exactly the documents the store holds (rebuilt from it if they differed).
    assert int(found.group(1)) == stats["documents"] - 120


def test_restore_refuses_a_non_empty_directory_and_a_damaged_backup(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run(data, "import", str(write_jsonl(tmp_path / "l.jsonl", LISTINGS[:5]))).returncode == 0
    archive = tmp_path / "b.tar"
    assert run(data, "backup", str(archive)).returncode == 0
    occupied = run(data, "restore", str(archive))
    assert occupied.returncode == 1 and "is not empty" in occupied.stderr
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as original, tarfile.open(damaged, "w") as copy:
        for member in original.getmembers():
            body = original.extractfile(member)
            content = body.read() if body else b""
            if member.name.endswith("documents.sqlite"):
                content = content[:-100] + b"\0" * 100
            copy.addfile(member, io.BytesIO(content))
    refused = run(tmp_path / "fresh", "restore", str(damaged))
    assert refused.returncode == 1 and "documents.sqlite is missing or does not match its checksum" in refused.stderr
    assert not (tmp_path / "fresh").exists() or not any((tmp_path / "fresh").iterdir())  # nothing half-restored
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar file at all")
    assert "is not a smesearch backup" in run(tmp_path / "fresh", "restore", str(junk)).stderr
    inside = run(data, "backup", str(data / "b.tar"))
    assert inside.returncode == 1 and "outside the data directory" in inside.stderr


def test_an_elasticsearch_index_is_backed_up_as_a_cluster_snapshot_and_restored(tmp_path: Path) -> None:
    """README "Backup": a filesystem repository registered on the node (its path.repo), named in
    SMESEARCH_ES_SNAPSHOT_REPOSITORY; backup takes a snapshot, restore brings it back behind the alias."""
    url, snapshots = os.environ.get("SMESEARCH_TEST_ES_URL"), os.environ.get("SMESEARCH_TEST_ES_SNAPSHOT_DIR")
    if not (url and snapshots):
        if os.environ.get("CI"):
            pytest.fail("SMESEARCH_TEST_ES_URL and _SNAPSHOT_DIR are not set: .ci/run must start Elasticsearch")
        pytest.skip("Elasticsearch not started (deploy/with-test-services.sh sets SMESEARCH_TEST_ES_URL)")
    from elasticsearch import Elasticsearch

    repository = f"smesearch-test-{uuid.uuid4().hex[:8]}"
    client = Elasticsearch(url)
    client.snapshot.create_repository(name=repository, repository={
        "type": "fs", "settings": {"location": f"{snapshots}/{repository}"}})
    alias = f"smesearch-test-{uuid.uuid4().hex[:12]}"
    env = {"SMESEARCH_BACKEND": "elasticsearch", "SMESEARCH_ES_URL": url, "SMESEARCH_ES_INDEX": alias,
           "SMESEARCH_ES_REPLICAS": "0", "SMESEARCH_ES_SNAPSHOT_REPOSITORY": repository}
    data = tmp_path / "data"
    try:
        assert run(data, "import", str(write_jsonl(tmp_path / "l.jsonl", LISTINGS)), env=env).returncode == 0
        before = [json.loads(run(data, "search", q, "--json", env=env).stdout)["results"] for q in QUERIES]
        made = run(data, "backup", str(tmp_path / "es.tar"), env=env)
        assert made.returncode == 0, made.stderr
        assert f"taken in {repository}" in made.stdout
        # The cluster loses the documents: the alias now points at an empty index.
        client.indices.delete(index=f"{alias}-*")
        client.indices.delete_index_template(name=alias)
        assert "0 results" in run(data, "search", "汽车零部件", env=env).stdout
        back = run(tmp_path / "restored", "restore", str(tmp_path / "es.tar"), env=env)
        assert back.returncode == 0, back.stderr
        assert f"{alias} points at it" in back.stdout
        assert [json.loads(run(data, "search", q, "--json", env=env).stdout)["results"] for q in QUERIES] == before
    finally:
        client.indices.delete(index=f"{alias}-*", allow_no_indices=True)
        client.options(ignore_status=404).indices.delete_index_template(name=alias)
        client.snapshot.delete_repository(name=repository)
        client.close()
