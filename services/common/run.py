"""Start one service: `python -m services.common.run NAME [--migrate]`.

eventlet must patch the standard library before anything else imports sockets or threads, so this
module patches first and imports the service afterwards.
"""
import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import errno  # noqa: E402
import importlib  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from services.common.log_filters import drop_expected_tracebacks  # noqa: E402

SERVICE_NAMES = ("auth", "catalog", "news", "tickets", "notify")

logger = logging.getLogger("services.run")

HEARTBEAT_INTERVAL_SECONDS = 5
# Workers are greenlets, so many cost little. A call waiting for a slow step (a password hash, an SMTP
# reply) keeps its worker, so 10 were too few: a burst of 20 sign-ins delayed every other call of the
# auth service by about 0.5 s (tests/perf/test_auth_signin_load.py).
DEFAULT_MAX_WORKERS = 40
# notify's workers spend most of their time waiting for SMTP replies. In the notification benchmark
# (docs/benchmarks.md), one instance sent about 90 e-mails/s with 10 workers and 160/s with 60.
SERVICE_MAX_WORKERS = {"notify": 60}


def configure_logging() -> None:
    level = os.environ.get("PORTAIL_LOG_LEVEL", "INFO").upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # kombu logs every reconnection attempt at warning with a traceback; one line is enough here.
    logging.getLogger("kombu").setLevel(logging.ERROR)
    logging.getLogger("nameko.containers").addFilter(drop_expected_tracebacks)


def nameko_config(service: str) -> dict:
    from services.common import config

    max_workers = config.optional_int("PORTAIL_MAX_WORKERS", SERVICE_MAX_WORKERS.get(service, DEFAULT_MAX_WORKERS))
    return {
        "AMQP_URI": config.amqp_uri(),
        "max_workers": max_workers,
        # nameko 3 takes each consumer's prefetch from PREFETCH_COUNT (10 by default), not from
        # max_workers. With 10 calls in progress, any other call waited in RabbitMQ, even with idle workers.
        "PREFETCH_COUNT": max_workers,
        "parent_calls_tracked": 10,
        "serializer": "json",
        "HEARTBEAT": 30,
    }


def write_heartbeat(path: Path) -> None:
    """Touch `path` every few seconds for as long as the eventlet hub schedules green threads.

    A container probe that checks the file's age detects a started service (the file exists) and a
    hub blocked by CPU-bound work (the file stops changing), without a call through the broker,
    to which any instance of the service could reply.
    """
    while True:
        try:
            path.touch()
        except OSError:
            logger.exception("failed to write heartbeat file %s; heartbeat stopped", path)
            return
        eventlet.sleep(HEARTBEAT_INTERVAL_SECONDS)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run one service of the support portal.")
    parser.add_argument("service", choices=SERVICE_NAMES)
    parser.add_argument("--migrate", action="store_true", help="apply the database migrations before starting")
    parser.add_argument("--demo", action="store_true", help="load the demo data when the database has none")
    args = parser.parse_args(argv)
    configure_logging()

    heartbeat_file = os.environ.get("PORTAIL_HEARTBEAT_FILE")
    if heartbeat_file:
        # A file left by an earlier run in the same volume must not report this run as started.
        Path(heartbeat_file).unlink(missing_ok=True)

    from nameko import config as nameko_global_config
    from nameko.runners import ServiceRunner

    from services.common import migrations

    if args.migrate:
        migrations.upgrade(args.service)
    if args.demo:
        from services.common.demo import load_demo

        load_demo(args.service)

    nameko_global_config.setup(nameko_config(args.service))
    module = importlib.import_module(f"services.{args.service}.service")
    runner = ServiceRunner()
    runner.add_service(module.SERVICE_CLASS)

    def shutdown(_signum: int, _frame: object) -> None:
        # Signal handlers run in the hub's main loop and cannot block: stop from a green thread.
        eventlet.spawn_n(runner.stop)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    runner.start()
    logger.info("service %s started (pid %s)", args.service, os.getpid())
    if heartbeat_file:
        eventlet.spawn_n(write_heartbeat, Path(heartbeat_file))
    waiter = eventlet.spawn(runner.wait)
    while True:
        try:
            waiter.wait()
            break
        except OSError as exc:
            if exc.errno != errno.EINTR:
                raise
    logger.info("service %s stopped", args.service)
    sys.exit(0)


if __name__ == "__main__":
    main()
