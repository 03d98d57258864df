"""`./deploy/run` refuses to start a second instance on a virtual host where one already runs."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.run import running_service
from tests.support.system import RabbitVhost, free_port

pytestmark = pytest.mark.integration

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_running_service_found(system):
    assert running_service(system.amqp_uri) == "auth"


def test_running_service_none_on_empty_vhost():
    vhost = RabbitVhost()
    vhost.create()
    try:
        assert running_service(vhost.amqp_uri) is None
    finally:
        vhost.delete()


def test_second_instance_rejected(system, tmp_path):
    env = dict(os.environ, AMQP_URI=system.amqp_uri, PORTAIL_VAR_DIR=str(tmp_path / "var"))

    finished = subprocess.run([sys.executable, "-m", "deploy.run", "--port", str(free_port())], cwd=PROJECT_ROOT,
                              env=env, capture_output=True, text=True, timeout=60)

    assert finished.returncode == 2
    assert "Une autre instance du portail utilise déjà" in finished.stderr
    assert "AMQP_URI=amqp://guest:guest@127.0.0.1:5672/portail2" in finished.stderr
    # Nothing was started: no service log was opened.
    assert not (tmp_path / "var" / "log").exists()
