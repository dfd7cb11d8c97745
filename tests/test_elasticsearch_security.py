"""A cluster as production runs one: https with its own CA, and users with passwords
(deploy/elasticsearch-local.sh with SMESEARCH_ES_SECURITY=on). Commands reach it with the
settings a deployment sets, and say clearly what is wrong when the credentials or the CA are.
While it is down, the search API answers 503 with a sentence, never a traceback.

Elastic's integ-test distribution cannot create API keys (the security index needs the
analysis-common module, which that distribution leaves out), so an API key is tested as far as
the cluster's refusal of one it does not know.

Needs a JDK 21+ and the integ-test distribution; without them the tests are skipped with the
reason locally and fail under CI=true.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import free_port, run, write_jsonl
from tests.test_elasticsearch_cluster import SCRIPT


def start(node: Path, port: int) -> dict[str, str]:
    started = subprocess.run([str(SCRIPT), "start", str(node), str(port)], capture_output=True, text=True,
                             timeout=300, env={**os.environ, "SMESEARCH_ES_SECURITY": "on",
                                               "SMESEARCH_ES_PASSWORD": "elastic-pw"})
    if started.returncode != 0:
        reason = f"could not start a secured Elasticsearch node: {started.stderr.strip()[-300:]}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    settings = dict(shlex.split(line.removeprefix("export "))[0].split("=", 1) for line in started.stdout.splitlines())
    return settings | {"SMESEARCH_BACKEND": "elasticsearch", "SMESEARCH_ES_INDEX": f"secured-{port}"}


@pytest.fixture(scope="module")
def secured() -> Iterator[tuple[Path, int, dict[str, str]]]:
    """A secured node (its directory, port, and the SMESEARCH_* settings that reach it) with a
    second user, `reader`, who may only read."""
    root = Path(tempfile.mkdtemp(prefix="smesearch-es-secured-"))
    root.chmod(0o755)  # under root the node runs as nobody
    node, port = root / "node", free_port()
    try:
        settings = start(node, port)
        subprocess.run([str(SCRIPT), "useradd", str(node), "reader", "reader-pw", "viewer"], check=True,
                       capture_output=True, timeout=120)
        yield node, port, settings
    finally:
        subprocess.run([str(SCRIPT), "stop", str(node)], capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def test_the_script_prints_what_a_client_needs_for_https_and_a_password(
        secured: tuple[Path, int, dict[str, str]]) -> None:
    _, port, settings = secured
    assert settings["SMESEARCH_ES_URL"] == f"https://127.0.0.1:{port}"
    assert settings["SMESEARCH_ES_USERNAME"] == "elastic" and settings["SMESEARCH_ES_PASSWORD"] == "elastic-pw"
    assert Path(settings["SMESEARCH_ES_CA_FILE"]).read_text().startswith("-----BEGIN CERTIFICATE-----")


def test_commands_index_and_search_over_https_with_a_user_and_password(
        secured: tuple[Path, int, dict[str, str]], tmp_path: Path) -> None:
    _, _, settings = secured
    listings = write_jsonl(tmp_path / "l.jsonl", [
        {"url": "https://a.example.cn/auto", "title": "沈阳汽车零部件企业寻求日本合资伙伴", "body": "生产刹车系统。"}])
    imported = run(tmp_path / "data", "import", str(listings), env=settings)
    assert imported.returncode == 0, imported.stderr
    found = json.loads(run(tmp_path / "data", "search", "汽车零部件", "--json", env=settings).stdout)["results"]
    assert [r["url"] for r in found] == ["https://a.example.cn/auto"]


@pytest.mark.parametrize(("change", "message"), [
    ({"SMESEARCH_ES_PASSWORD": "wrong"},
     "did not accept the user 'elastic' and its password while trying to check the index (401)"),
    ({"SMESEARCH_ES_USERNAME": "", "SMESEARCH_ES_API_KEY": "bm90LWEta2V5Om5vdC1hLXNlY3JldA=="},
     "did not accept the API key while trying to check the index (401): check SMESEARCH_ES_API_KEY"),
    ({"SMESEARCH_ES_USERNAME": ""}, "did not accept a request without credentials"),
    ({"SMESEARCH_ES_USERNAME": "reader", "SMESEARCH_ES_PASSWORD": "reader-pw"},
     "does not allow the user 'reader' and its password to write the index template (403)"),
    ({"SMESEARCH_ES_CA_FILE": ""}, "a certificate we could not verify"),
    ({"SMESEARCH_ES_CA_FILE": "/nonexistent/ca.crt"}, "the CA file /nonexistent/ca.crt (SMESEARCH_ES_CA_FILE) "
                                                      "does not exist"),
], ids=["wrong-password", "unknown-api-key", "no-credentials", "read-only-user", "no-ca", "missing-ca-file"])
def test_wrong_credentials_or_certificates_are_a_clear_error(
        secured: tuple[Path, int, dict[str, str]], tmp_path: Path, change: dict[str, str], message: str) -> None:
    _, _, settings = secured
    failed = run(tmp_path / "data", "stats", env=settings | {"SMESEARCH_ES_INDEX": f"{tmp_path.name}-x"} | change)
    assert failed.returncode != 0
    assert message in failed.stderr
    assert "Traceback" not in failed.stderr


def test_searches_answer_503_with_a_message_while_the_cluster_is_down(
        secured: tuple[Path, int, dict[str, str]], tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from config.settings import Settings
    from indexer.pipeline import Indexer
    from operations.app import App
    from query_api.app import create_app
    from tests.helpers import doc

    node, port, settings = secured
    app = App(Settings(data_dir=tmp_path, backend="elasticsearch",
                       es_url=settings["SMESEARCH_ES_URL"], es_index="outage-api", es_username="elastic",
                       es_password="elastic-pw", es_ca_file=settings["SMESEARCH_ES_CA_FILE"], es_replicas=0))
    Indexer(app.analyser, app.backend).index([doc("https://a.example.cn/1", title="沈阳汽车零部件企业")])
    client = TestClient(create_app(app), base_url="http://localhost", raise_server_exceptions=False)
    assert client.get("/api/search", params={"q": "汽车零部件"}).json()["total"] == 1
    subprocess.run([str(SCRIPT), "stop", str(node)], check=True, timeout=60)
    try:
        down = client.get("/api/search", params={"q": "沈阳 零部件"})  # not a query the cache has seen
        assert down.status_code == 503
        assert down.headers["content-type"] == "application/problem+json"
        problem = down.json()
        assert problem["title"] == "Index unavailable"
        assert f"Elasticsearch at https://127.0.0.1:{port} is unreachable" in problem["detail"]
        assert "Traceback" not in down.text and "File \"" not in down.text
        # Probes tell the orchestrator: alive, but not ready; the metrics still answer.
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 503
        assert "smesearch_index_up 0.0" in client.get("/metrics").text
    finally:
        start(node, port)
    assert client.get("/api/search", params={"q": "沈阳 零部件"}).json()["total"] == 1  # back without a restart
