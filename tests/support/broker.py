"""A private RabbitMQ node for tests that stop and restart the broker.

Restarting the machine's shared RabbitMQ would break every other test run and every other user of
it, so those tests start a node of their own on another port, with its data under a temporary
directory, and stop it at the end.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

START_TIMEOUT_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class PrivateBroker:
    """One RabbitMQ node, run by the `rabbitmq` system user like the packaged server."""

    def __init__(self, work_dir: Path, name: str = "portailtest") -> None:
        self.work_dir = work_dir
        self.port = _free_port()
        self.node = f"{name}{self.port}@localhost"

    @property
    def amqp_uri(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(_free_port()),
            "RABBITMQ_MNESIA_BASE": str(self.work_dir / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.work_dir / "log"),
            "RABBITMQ_PID_FILE": str(self.work_dir / "pid"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.work_dir / "enabled_plugins"),
            "RABBITMQ_FEATURE_FLAGS_FILE": str(self.work_dir / "feature_flags"),
            # The machine's configuration file names the shared node's listener; this one names ours.
            "RABBITMQ_CONFIG_FILE": str(self.work_dir / "rabbitmq.conf"),
        })
        return env

    def start(self) -> None:
        if shutil.which("rabbitmq-server") is None:
            raise RuntimeError("rabbitmq-server not found: install RabbitMQ (apt-get install rabbitmq-server)")
        (self.work_dir / "log").mkdir(parents=True, exist_ok=True)
        (self.work_dir / "enabled_plugins").write_text("[].\n")
        (self.work_dir / "rabbitmq.conf").write_text(f"listeners.tcp.default = 127.0.0.1:{self.port}\n")
        # The packaged scripts drop to the rabbitmq user, which must own the node's files.
        subprocess.run(["chown", "-R", "rabbitmq:rabbitmq", str(self.work_dir)], check=False)
        subprocess.run(["rabbitmq-server", "-detached"], env=self.environment(), check=True, capture_output=True)
        self.wait_open()

    def wait_open(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not _port_open(self.port):
            if time.monotonic() > deadline:
                raise RuntimeError(f"RabbitMQ node {self.node} did not open port {self.port}; "
                                   f"see {self.work_dir / 'log'}")
            time.sleep(0.2)

    def ctl(self, *args: str) -> None:
        subprocess.run(["rabbitmqctl", "-n", self.node, *args], env=self.environment(), check=True,
                       capture_output=True, timeout=120)

    def restart_app(self) -> None:
        """Stop and start the broker application: every connection drops, durable state stays."""
        self.ctl("stop_app")
        self.ctl("start_app")
        self.wait_open()

    def stop(self) -> None:
        try:
            self.ctl("stop")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pass
