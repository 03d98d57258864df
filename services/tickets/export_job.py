"""Run an Excel export in a child process, away from the service's event loop.

The service checks the request (`export.check_export`), then `run_in_child` starts
`python -m services.tickets.export_job`, writes the job as JSON to its stdin and waits without
blocking other calls (eventlet's green subprocess). The child opens its own database connection,
writes the file to the export store (`export.write_export`), and prints the result as JSON, with its
peak memory. At most MAX_CONCURRENT_EXPORTS children run per service process; further exports wait.
"""
from __future__ import annotations

import json
import logging
import resource
import sys
import time
from typing import Any

logger = logging.getLogger(__name__)

MAX_CONCURRENT_EXPORTS = 2
# Past this, the child is stopped: the gateway stopped waiting for its reply long before.
CHILD_TIMEOUT_SECONDS = 600

# Created on first use in the service: the child process imports this module too, without eventlet.
_slots: Any = None


class ExportFailed(RuntimeError):
    """The export child exited without a result; its error output is in the service's log."""


def run_in_child(job: dict[str, Any]) -> dict[str, Any]:
    """Run `job` (from `check_export`) in a child process and return its result."""
    global _slots
    from eventlet.green import subprocess
    from eventlet.semaphore import Semaphore

    if _slots is None:
        _slots = Semaphore(MAX_CONCURRENT_EXPORTS)
    with _slots:
        started = time.monotonic()
        process = subprocess.Popen([sys.executable, "-m", "services.tickets.export_job"],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            output, errors = process.communicate(json.dumps(job).encode(), timeout=CHILD_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise ExportFailed(f"export child {process.pid} stopped after {CHILD_TIMEOUT_SECONDS} s") from None
    if process.returncode != 0:
        logger.error("export child %s exited with status %s: %s", process.pid, process.returncode,
                     errors.decode(errors="replace")[-4000:])
        raise ExportFailed(f"export child {process.pid} exited with status {process.returncode}")
    result = json.loads(output)
    peak = result.pop("peak_memory_kib")
    logger.info("export %s: %s rows in %.1f s by child %s, peak memory %.1f MiB",
                result["storage_key"], result["row_count"], time.monotonic() - started, process.pid, peak / 1024)
    return result


def peak_memory_kib() -> int:
    """Return this process's peak resident memory in KiB.

    /proc's VmHWM counts from the exec of this program. getrusage's maxrss would include the
    service's own memory, which the child inherited when it was forked, so it is only the fallback.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> int:
    # Imported here: the parent needs none of this to start a child.
    from sqlalchemy.orm import Session

    from services.common import config
    from services.common.caller import Caller
    from services.common.engine import make_engine
    from services.tickets.export import write_export

    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    job = json.load(sys.stdin)
    engine = make_engine(config.database_url("tickets"))
    try:
        with Session(engine) as session:
            result = write_export(session, Caller.from_header(job["caller"]), job["keys"], job["tab"],
                                  job["filters"], job["sort"], job.get("language") or "fr")
    finally:
        engine.dispose()
    result["peak_memory_kib"] = peak_memory_kib()
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
