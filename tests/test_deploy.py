"""The deploy files agree with the code they run. No Docker engine runs here, so the image is
not built in CI; these checks catch what breaks deploy files silently: a package the image does
not copy, a command or setting that does not exist, an Elasticsearch other than the one tested."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from config.settings import Settings
from tests.helpers import run

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "deploy" / "Dockerfile").read_text()
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "deploy" / "docker-compose.yml").read_text())
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_the_image_copies_every_package_and_installs_extras_that_exist() -> None:
    copied = {line.split()[1] for line in DOCKERFILE.splitlines() if line.startswith("COPY ") and "--from" not in line}
    packages = {name.rstrip("*") for name in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]}
    assert packages <= copied and {"pyproject.toml"} <= copied
    extras = set(PYPROJECT["project"]["optional-dependencies"])
    for wanted in re.findall(r"'\.?(?:sme-market-search)?\[([a-z,]+)\]'", DOCKERFILE):
        assert set(wanted.split(",")) <= extras


def test_the_compose_node_is_the_version_ci_tests_with_its_data_on_a_volume_and_memory_bounded() -> None:
    node = COMPOSE["services"]["elasticsearch"]
    tested = re.search(r"version=\$\{SMESEARCH_ES_VERSION:-([0-9.]+)\}",
                       (ROOT / "deploy" / "elasticsearch-local.sh").read_text())
    assert tested and node["image"].endswith(f":{tested.group(1)}")
    assert any(v.endswith(":/usr/share/elasticsearch/data") and v.split(":")[0] in COMPOSE["volumes"]
               for v in node["volumes"])
    limit_gb = int(node["mem_limit"].removesuffix("g"))
    heap = re.search(r"-Xmx(\d+)g", node["environment"]["ES_JAVA_OPTS"])
    assert heap and int(heap.group(1)) * 2 <= limit_gb  # half for the heap, half for the file cache


@pytest.mark.parametrize("service", ["api", "scheduler"])
def test_compose_services_run_commands_and_settings_that_exist(service: str, tmp_path: Path) -> None:
    spec = COMPOSE["services"][service]
    command = spec["command"]
    line = command[-1] if command[0] == "sh" else shlex.join(command)
    invoked = re.findall(r"smesearch ([a-z]+)((?: --?[a-z-]+)*)", line)
    assert invoked, f"{service} runs no smesearch command"
    for name, options in invoked:
        helped = run(tmp_path, name, "--help")
        assert helped.returncode == 0, f"{service}: smesearch {name} does not exist"
        for option in options.split():
            assert option in helped.stdout, f"{service}: smesearch {name} has no {option}"
    fields = set(Settings.model_fields)
    for variable in spec["environment"]:
        if variable.startswith("SMESEARCH_"):
            assert variable.removeprefix("SMESEARCH_").lower() in fields, f"{variable} is not a setting"
    assert spec["depends_on"]["elasticsearch"]["condition"] == "service_healthy"


def test_the_api_is_published_on_the_port_the_image_serves() -> None:
    port = re.search(r"SMESEARCH_PORT=(\d+)", DOCKERFILE)
    assert port and COMPOSE["services"]["api"]["ports"] == [f"{port.group(1)}:{port.group(1)}"]
