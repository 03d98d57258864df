"""The deployment manifests parse, and each of them runs every service with its own database.

Docker and Kubernetes are not available to the suite, so these checks read the YAML only.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.system import SERVICE_NAMES

pytestmark = pytest.mark.unit

DEPLOY_DIR = Path(__file__).resolve().parents[2] / "deploy"
K8S_DIR = DEPLOY_DIR / "k8s"
YAML_FILES = sorted([DEPLOY_DIR / "compose.yaml", *K8S_DIR.glob("*.yaml")])


def load_documents(path: Path) -> list[dict[str, Any]]:
    return [document for document in yaml.safe_load_all(path.read_text(encoding="utf-8")) if document]


def compose() -> dict[str, Any]:
    return load_documents(DEPLOY_DIR / "compose.yaml")[0]


def k8s_objects(kind: str) -> dict[str, dict[str, Any]]:
    objects = {}
    for path in K8S_DIR.glob("*.yaml"):
        for document in load_documents(path):
            if document.get("kind") == kind:
                objects[document["metadata"]["name"]] = document
    return objects


def database_name(url: str) -> str:
    return url.rsplit("/", 1)[1]


def k8s_env(container: dict[str, Any]) -> dict[str, Any]:
    return {variable["name"]: variable for variable in container.get("env", [])}


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda path: path.name)
def test_manifest_parses(path: Path):
    documents = load_documents(path)

    assert documents, f"{path} contains no YAML document"
    for document in documents:
        assert isinstance(document, dict), path


def test_compose_runs_every_service_with_migrations():
    services = compose()["services"]

    for name in SERVICE_NAMES:
        assert name in services, f"{name} missing from compose.yaml"
        assert services[name]["command"] == ["python", "-m", "services.common.run", name, "--migrate"]
        assert "healthcheck" in services[name], name


def test_compose_gives_each_service_its_own_database():
    services = compose()["services"]
    databases = {}

    for name in SERVICE_NAMES:
        environment = services[name]["environment"]
        own_key = f"{name.upper()}_DATABASE_URL"
        database_keys = sorted(key for key in environment if key.endswith("_DATABASE_URL"))
        assert database_keys == [own_key], name
        assert environment[own_key].startswith("postgresql+psycopg2://"), name
        assert "AMQP_URI" in environment, name
        databases[name] = database_name(environment[own_key])

    assert len(set(databases.values())) == len(SERVICE_NAMES), databases


def test_compose_init_script_creates_every_database():
    postgres = compose()["services"]["postgres"]
    script_mount = next(volume for volume in postgres["volumes"] if "docker-entrypoint-initdb.d" in volume)
    script = (DEPLOY_DIR / script_mount.split(":")[0]).read_text(encoding="utf-8")
    services = compose()["services"]

    loop = re.search(r"for service in ([a-z ]+); do", script)
    assert loop is not None
    assert loop.group(1).split() == list(SERVICE_NAMES)
    for name in SERVICE_NAMES:
        url = services[name]["environment"][f"{name.upper()}_DATABASE_URL"]
        assert database_name(url) == f"portail_{name}"
        assert f"{name.upper()}_DB_PASSWORD" in postgres["environment"], name


def test_compose_gateway_runs_uvicorn_workers_with_health_checks():
    gateway = compose()["services"]["gateway"]
    command = gateway["command"]
    health_test = " ".join(gateway["healthcheck"]["test"])

    assert command[:3] == ["uvicorn", "gateway.app:create_app", "--factory"]
    assert command[command.index("--workers") + 1] == "2"
    assert "/healthz" in health_test
    assert "/readyz" in health_test
    for key in ("AMQP_URI", "PORTAIL_PUBLIC_URL"):
        assert key in gateway["environment"], key
    assert not [key for key in gateway["environment"] if key.endswith("_DATABASE_URL")]


def test_compose_rabbitmq_has_management():
    rabbitmq = compose()["services"]["rabbitmq"]

    assert rabbitmq["image"].endswith("-management")


def test_compose_notify_has_smtp_settings():
    environment = compose()["services"]["notify"]["environment"]

    for key in ("SMTP_HOST", "SMTP_SECURITY", "SMTP_PORT", "SMTP_USERNAME", "SMTP_PASSWORD",
                "MAIL_FROM"):
        assert key in environment, key


def test_k8s_deploys_every_service_with_replicas():
    deployments = k8s_objects("Deployment")

    for name in [*SERVICE_NAMES, "gateway"]:
        assert name in deployments, f"no Deployment for {name}"
        assert deployments[name]["spec"]["replicas"] >= 2, name
        labels = deployments[name]["spec"]["template"]["metadata"]["labels"]
        assert deployments[name]["spec"]["selector"]["matchLabels"].items() <= labels.items(), name


def test_k8s_service_reads_own_database_url():
    deployments = k8s_objects("Deployment")

    for name in SERVICE_NAMES:
        container = deployments[name]["spec"]["template"]["spec"]["containers"][0]
        env = k8s_env(container)
        own_key = f"{name.upper()}_DATABASE_URL"
        assert container["command"] == ["python", "-m", "services.common.run", name, "--migrate"]
        assert sorted(key for key in env if key.endswith("_DATABASE_URL")) == [own_key], name
        assert env[own_key]["valueFrom"]["secretKeyRef"] == {"name": "portail-secrets", "key": own_key}
        assert env["AMQP_URI"]["valueFrom"]["secretKeyRef"]["name"] == "portail-secrets"
        assert container["envFrom"] == [{"configMapRef": {"name": "portail-config"}}]
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert probe in container, f"{name} has no {probe}"


def test_k8s_secret_example_has_every_key_referenced():
    secret = k8s_objects("Secret")["portail-secrets"]
    referenced = set()

    for deployment in k8s_objects("Deployment").values():
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            for variable in container.get("env", []):
                reference = variable.get("valueFrom", {}).get("secretKeyRef")
                if reference:
                    referenced.add(reference["key"])

    assert referenced <= set(secret["stringData"]), referenced - set(secret["stringData"])
    databases = [database_name(secret["stringData"][f"{name.upper()}_DATABASE_URL"]) for name in SERVICE_NAMES]
    assert len(set(databases)) == len(SERVICE_NAMES), databases


def test_k8s_gateway_probes_health_endpoints():
    container = k8s_objects("Deployment")["gateway"]["spec"]["template"]["spec"]["containers"][0]

    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["command"][container["command"].index("--workers") + 1] == "2"


def test_k8s_gateway_exposed_through_service_and_ingress():
    service = k8s_objects("Service")["gateway"]
    ingress = k8s_objects("Ingress")["gateway"]

    assert service["spec"]["selector"] == {"app.kubernetes.io/name": "gateway"}
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == "gateway"
    assert backend["port"]["name"] == service["spec"]["ports"][0]["name"]


def test_k8s_kustomization_lists_manifests():
    kustomization = load_documents(K8S_DIR / "kustomization.yaml")[0]
    manifests = {path.name for path in K8S_DIR.glob("*.yaml")} - {"kustomization.yaml", "secret.example.yaml"}

    assert set(kustomization["resources"]) == manifests
