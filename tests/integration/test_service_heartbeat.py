"""A service started with PORTAIL_HEARTBEAT_FILE keeps that file fresh for container probes."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.system import RabbitVhost

pytestmark = pytest.mark.integration

START_TIMEOUT_SECONDS = 60
# The service touches the file every 5 seconds.
REFRESH_TIMEOUT_SECONDS = 15


def wait_for(condition, timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.1)


def test_heartbeat_file_replaced_then_refreshed(tmp_path: Path):
    heartbeat = tmp_path / "heartbeat"
    heartbeat.write_text("left by an earlier run")
    os.utime(heartbeat, (1, 1))
    vhost = RabbitVhost()
    vhost.create()
    env = dict(os.environ, AMQP_URI=vhost.amqp_uri, PORTAIL_VAR_DIR=str(tmp_path / "var"),
               NEWS_DATABASE_URL=f"sqlite:///{tmp_path / 'news.db'}", PORTAIL_HEARTBEAT_FILE=str(heartbeat))
    log = open(tmp_path / "news.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "services.common.run", "news", "--migrate"], env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(lambda: heartbeat.exists() and heartbeat.stat().st_mtime > 1, START_TIMEOUT_SECONDS,
                 f"no fresh heartbeat file; see {tmp_path / 'news.log'}")
        first_beat = heartbeat.stat().st_mtime

        wait_for(lambda: heartbeat.stat().st_mtime > first_beat, REFRESH_TIMEOUT_SECONDS,
                 "heartbeat file not refreshed")

        assert process.poll() is None
        assert heartbeat.read_text() == ""
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        vhost.delete()
