"""Start the whole system for the test suite: five services and the gateway, as real processes.

Each run gets its own RabbitMQ virtual host and its own databases (SQLite files in a temporary
directory, or fresh PostgreSQL databases when `PORTAIL_TEST_DATABASE=postgresql`), so a run never
touches the data of the one-command run or of another test run.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from services.common.caller import CONTEXT_KEY, Caller
from services.common.sync_rpc import RpcCallFailed, SyncRpcClient

SERVICE_NAMES = ("auth", "catalog", "news", "tickets", "notify")
RABBIT_API = os.environ.get("PORTAIL_TEST_RABBIT_API", "http://127.0.0.1:15672/api")
RABBIT_HOST = os.environ.get("PORTAIL_TEST_RABBIT_HOST", "127.0.0.1:5672")
POSTGRES_ADMIN_URL = os.environ.get("PORTAIL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
START_TIMEOUT_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RabbitVhost:
    """A throwaway virtual host, made through the management API or `rabbitmqctl`."""

    def __init__(self) -> None:
        self.name = f"portail_test_{uuid.uuid4().hex[:10]}"

    def create(self) -> None:
        try:
            response = httpx.put(f"{RABBIT_API}/vhosts/{quote(self.name, safe='')}", auth=("guest", "guest"))
            response.raise_for_status()
            httpx.put(f"{RABBIT_API}/permissions/{quote(self.name, safe='')}/guest", auth=("guest", "guest"),
                      json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
        except httpx.HTTPError:
            subprocess.run(["rabbitmqctl", "add_vhost", self.name], check=True, capture_output=True)
            subprocess.run(["rabbitmqctl", "set_permissions", "-p", self.name, "guest", ".*", ".*", ".*"],
                           check=True, capture_output=True)

    def delete(self) -> None:
        try:
            httpx.delete(f"{RABBIT_API}/vhosts/{quote(self.name, safe='')}", auth=("guest", "guest"))
        except httpx.HTTPError:
            subprocess.run(["rabbitmqctl", "delete_vhost", self.name], capture_output=True)

    @property
    def amqp_uri(self) -> str:
        return f"amqp://guest:guest@{RABBIT_HOST}/{quote(self.name, safe='')}"


class Databases:
    """One database per service for a test run."""

    def __init__(self, backend: str, work_dir: Path) -> None:
        self.backend = backend
        self.work_dir = work_dir
        self.suffix = uuid.uuid4().hex[:8]
        self.created: list[str] = []

    def url(self, service: str) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.work_dir / (service + '.db')}"
        base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
        # SQLAlchemy 2.1 maps a bare postgresql:// URL to psycopg 3, which is not installed (it blocks
        # eventlet's hub); the services use psycopg2.
        if base.startswith("postgresql://"):
            base = "postgresql+psycopg2://" + base[len("postgresql://"):]
        return f"{base}/portail_test_{service}_{self.suffix}"

    def create(self) -> None:
        if self.backend != "postgresql":
            return
        import psycopg2

        connection = psycopg2.connect(POSTGRES_ADMIN_URL)
        connection.autocommit = True
        with connection.cursor() as cursor:
            for service in SERVICE_NAMES:
                name = f"portail_test_{service}_{self.suffix}"
                cursor.execute(f'CREATE DATABASE "{name}"')
                self.created.append(name)
        connection.close()

    def drop(self) -> None:
        if not self.created:
            return
        import psycopg2

        connection = psycopg2.connect(POSTGRES_ADMIN_URL)
        connection.autocommit = True
        with connection.cursor() as cursor:
            for name in self.created:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.close()


class System:
    """The running system under test, with helpers to call it as a client would."""

    def __init__(self, work_dir: Path, backend: str, extra_env: dict[str, str] | None = None,
                 amqp_uri: str | None = None, gateway_workers: int = 1) -> None:
        self.work_dir = work_dir
        # uvicorn worker processes of the gateway: one in the suite, two in the deployment manifests.
        self.gateway_workers = gateway_workers
        # A broker of its own (amqp_uri) needs no throwaway virtual host.
        self.own_broker_uri = amqp_uri
        self.vhost = RabbitVhost()
        self.databases = Databases(backend, work_dir)
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.gateway_port = free_port()
        self.extra_env = extra_env or {}
        self.rpc_client: SyncRpcClient | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "AMQP_URI": self.amqp_uri,
            "PORTAIL_VAR_DIR": str(self.work_dir / "var"),
            "PORTAIL_PUBLIC_URL": self.base_url,
            "PORTAIL_RPC_TIMEOUT": "3",
            "PYTHONUNBUFFERED": "1",
        })
        for service in SERVICE_NAMES:
            env[f"{service.upper()}_DATABASE_URL"] = self.databases.url(service)
        env.update(self.extra_env)
        return env

    @property
    def amqp_uri(self) -> str:
        return self.own_broker_uri or self.vhost.amqp_uri

    def start(self) -> None:
        if self.own_broker_uri is None:
            self.vhost.create()
        self.databases.create()
        for service in SERVICE_NAMES:
            self.start_service(service, wait=False)
        for service in SERVICE_NAMES:
            self.wait_for_service(service)
        self.start_gateway()

    def _spawn(self, name: str, command: list[str]) -> None:
        log = open(self.work_dir / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(command, env=self.env(), stdout=log, stderr=subprocess.STDOUT,
                                                start_new_session=True)

    def start_service(self, service: str, wait: bool = True) -> None:
        self._spawn(service, [sys.executable, "-m", "services.common.run", service, "--migrate", "--demo"])
        if wait:
            self.wait_for_service(service)

    def start_extra_instance(self, service: str, index: int) -> str:
        """Start one more process of `service`, a competing consumer on the same queues; return its name.

        The first instance already migrated the database and loaded the demo data.
        """
        name = f"{service}-{index}"
        self._spawn(name, [sys.executable, "-m", "services.common.run", service])
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while f"service {service} started".encode() not in self.log_path(name).read_bytes():
            if self.processes[name].poll() is not None:
                raise RuntimeError(f"{name} exited with {self.processes[name].returncode}; see {self.log_path(name)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start within {START_TIMEOUT_SECONDS}s; see {self.log_path(name)}")
            time.sleep(0.2)
        return name

    def stop_service(self, service: str) -> None:
        process = self.processes.pop(service, None)
        if process is None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def wait_for_service(self, service: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            process = self.processes[service]
            if process.poll() is not None:
                raise RuntimeError(f"service {service} exited with {process.returncode}; see {self.log_path(service)}")
            try:
                self.rpc(service, "ping", timeout=1.0)
                return
            except (RpcCallFailed, OSError, Exception):
                time.sleep(0.2)
        raise RuntimeError(f"service {service} did not reply to ping within {START_TIMEOUT_SECONDS}s; "
                           f"see {self.log_path(service)}")

    def start_gateway(self) -> None:
        workers = ["--workers", str(self.gateway_workers)] if self.gateway_workers > 1 else []
        self._spawn("gateway", [sys.executable, "-m", "uvicorn", "gateway.app:create_app", "--factory",
                                "--host", "127.0.0.1", "--port", str(self.gateway_port), "--log-level", "warning",
                                *workers])
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base_url}/readyz", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.processes["gateway"].poll() is not None:
                raise RuntimeError(f"gateway exited; see {self.log_path('gateway')}")
            time.sleep(0.2)
        raise RuntimeError(f"gateway not ready within {START_TIMEOUT_SECONDS}s; see {self.log_path('gateway')}")

    def log_path(self, name: str) -> Path:
        return self.work_dir / f"{name}.log"

    def stop(self) -> None:
        for name in list(self.processes):
            self.stop_service(name)
        if self.rpc_client is not None:
            self.rpc_client.close()
        if self.own_broker_uri is None:
            self.vhost.delete()
        self.databases.drop()

    def rpc(self, service: str, method: str, caller: Caller | None = None, timeout: float = 10.0,
            **kwargs: Any) -> Any:
        """Call a service directly, as another service would, with `caller` in the context."""
        if self.rpc_client is None:
            self.rpc_client = SyncRpcClient(self.amqp_uri)
        context = {CONTEXT_KEY: (caller or Caller()).to_header()}
        try:
            return self.rpc_client.call(service, method, context=context, timeout=timeout, **kwargs)
        except OSError:
            self.rpc_client = None
            raise

    def client(self, **kwargs: Any) -> "GraphQLClient":
        return GraphQLClient(self.base_url, **kwargs)


class GraphQLClient:
    """An HTTP client with its own cookie jar, as one browser or one third-party system."""

    def __init__(self, base_url: str, token: str | None = None, language: str | None = None) -> None:
        headers = {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if language:
            headers["Accept-Language"] = language
        self.http = httpx.Client(base_url=base_url, headers=headers, timeout=30)

    def execute(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.http.post("/graphql", json={"query": query, "variables": variables or {}})
        return response.json()

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Execute and return `data`, failing with the errors when there are any."""
        body = self.execute(query, variables)
        assert not body.get("errors"), json.dumps(body.get("errors"), ensure_ascii=False, indent=1)
        return body["data"]

    def login(self, email: str, password: str, remember_me: bool = False) -> dict[str, Any]:
        return self.data(
            """mutation($input: LoginInput!) { login(input: $input) {
                 user { id email role } mustChangePassword } }""",
            {"input": {"email": email, "password": password, "rememberMe": remember_me}},
        )["login"]

    def close(self) -> None:
        self.http.close()
