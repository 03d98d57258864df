"""Several instances of a service may start at once with `--migrate` against one database."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

INSTANCES = 4
START_TIMEOUT_SECONDS = 60
# Each process imports everything, reports that it is ready, then waits for the start signal, so
# that the upgrades overlap instead of being spread out by interpreter start-up.
UPGRADE_SCRIPT = """
import pathlib, sys, time
from services.common import migrations
ready, start = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
ready.touch()
while not start.exists():
    time.sleep(0.005)
migrations.upgrade("news")
"""


def test_concurrent_upgrades_all_succeed(empty_postgresql_database, tmp_path):
    env = dict(os.environ, NEWS_DATABASE_URL=empty_postgresql_database, PORTAIL_VAR_DIR=str(tmp_path))

    start_signal = tmp_path / "start"
    ready_files = [tmp_path / f"ready-{index}" for index in range(INSTANCES)]
    processes = [subprocess.Popen([sys.executable, "-c", UPGRADE_SCRIPT, str(ready), str(start_signal)], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for ready in ready_files]
    wait_for_files(ready_files)
    start_signal.touch()
    outputs = [process.communicate(timeout=120)[0].decode(errors="replace") for process in processes]

    for process, output in zip(processes, outputs):
        assert process.returncode == 0, output[-3000:]


def wait_for_files(paths: list[Path]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not all(path.exists() for path in paths):
        assert time.monotonic() < deadline, f"upgrade processes not ready within {START_TIMEOUT_SECONDS}s"
        time.sleep(0.05)
