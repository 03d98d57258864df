"""Run every service and the gateway on one machine, with SQLite files under var/.

Checks that RabbitMQ accepts connections, applies each service's migrations, loads the demo data on first start,
starts the five services and the gateway, prints the portal's URL, and stops every process on
Ctrl-C or SIGTERM.
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pika
from pika.exceptions import AMQPError, ChannelClosedByBroker

from services.common import config
from services.common.sync_rpc import RpcCallFailed, SyncRpcClient

SERVICE_NAMES = ("auth", "catalog", "news", "tickets", "notify")
START_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 15

logger = logging.getLogger("deploy.run")

BROKER_HELP = """\
RabbitMQ ne répond pas sur {uri_safe} ({error}).
RabbitMQ is not answering on {uri_safe}.

Pour le démarrer / to start it:
    sudo rabbitmq-server -detached          (installed, stopped)
    sudo systemctl start rabbitmq-server    (with systemd)
Pour l'installer / to install it (Debian, Ubuntu):
    sudo apt-get install -y rabbitmq-server
Ou indiquez un autre courtier / or point to another broker:
    AMQP_URI=amqp://user:password@host:5672/vhost ./deploy/run
"""


def check_broker(uri: str) -> str | None:
    """Return None when RabbitMQ accepts a connection on `uri`, else the error."""
    try:
        params = pika.URLParameters(uri)
        params.socket_timeout = 3
        params.connection_attempts = 1
        pika.BlockingConnection(params).close()
        return None
    except (AMQPError, OSError) as exc:
        return str(exc) or type(exc).__name__


OTHER_INSTANCE_HELP = """\
Une autre instance du portail utilise déjà {uri_safe} : le service {service} y répond déjà.
Deux instances sur le même hôte virtuel se répondraient l'une à l'autre, chacune avec ses propres
données. Arrêtez l'autre instance, ou donnez à celle-ci son propre hôte virtuel.
Another instance of the portal already uses {uri_safe}: its {service} service is running there.
Two instances on one virtual host would take each other's calls, each from its own data. Stop the
other instance, or give this one its own virtual host:

    sudo rabbitmqctl add_vhost portail2
    sudo rabbitmqctl set_permissions -p portail2 guest '.*' '.*' '.*'
    AMQP_URI=amqp://guest:guest@127.0.0.1:5672/portail2 ./deploy/run --port 8001
"""


def running_service(uri: str) -> str | None:
    """Return the name of a service that already consumes its RPC queue on `uri`, or None.

    nameko names each service's queue `rpc-<service>`, so a consumer there means that another
    instance of the system is running on this virtual host.
    """
    connection = pika.BlockingConnection(pika.URLParameters(uri))
    try:
        for name in SERVICE_NAMES:
            channel = connection.channel()
            try:
                declared = channel.queue_declare(queue=f"rpc-{name}", passive=True)
            except ChannelClosedByBroker:
                continue  # No such queue. The broker closed this channel, and the next name opens another.
            if declared.method.consumer_count > 0:
                return name
            channel.close()
        return None
    finally:
        connection.close()


def safe_uri(uri: str) -> str:
    params = pika.URLParameters(uri)
    return f"amqp://{params.host}:{params.port}{params.virtual_host if params.virtual_host != '/' else '/'}"


class Supervisor:
    """Start the child processes and stop all of them together."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def spawn(self, name: str, command: list[str]) -> None:
        log = open(self.log_dir / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                                start_new_session=True)
        logger.info("started %s (pid %s), log in %s", name, self.processes[name].pid, self.log_dir / f"{name}.log")

    def exited(self) -> list[str]:
        return [name for name, process in self.processes.items() if process.poll() is not None]

    def stop_all(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for name, process in self.processes.items():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.warning("%s did not stop within %ss; killing pid %s", name, STOP_TIMEOUT_SECONDS, process.pid)
                process.kill()
                process.wait()
        logger.info("every process stopped")


def wait_for_services(supervisor: Supervisor) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    pending = list(SERVICE_NAMES)
    with SyncRpcClient(timeout=2) as client:
        while pending:
            failed = [name for name in supervisor.exited() if name in pending]
            if failed:
                raise RuntimeError(f"service {failed[0]} exited at start; see var/log/{failed[0]}.log")
            if time.monotonic() > deadline:
                raise RuntimeError(f"services {', '.join(pending)} did not reply to ping within {START_TIMEOUT_SECONDS}s")
            name = pending[0]
            try:
                client.call(name, "ping", timeout=1)
                pending.pop(0)
                logger.info("service %s replied to ping", name)
            except RpcCallFailed:
                time.sleep(0.3)


def wait_for_gateway(url: str, supervisor: Supervisor) -> None:
    import httpx

    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if "gateway" in supervisor.exited():
            raise RuntimeError("the gateway exited at start; see var/log/gateway.log")
        try:
            if httpx.get(f"{url}/readyz", timeout=3).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the gateway was not ready within {START_TIMEOUT_SECONDS}s; see var/log/gateway.log")


def main() -> int:
    parser = argparse.ArgumentParser(description="Run the support portal on this machine.")
    parser.add_argument("--host", default=os.environ.get("PORTAIL_HOST", "127.0.0.1"),
                        help="address the gateway listens on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORTAIL_PORT", "8000")),
                        help="port of the gateway (default 8000)")
    parser.add_argument("--no-demo", action="store_true", help="do not load the demo data on first start")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    # pika warns about each ping the broker returns while a service's queue does not exist yet:
    # expected during start-up, and the wait for the services reports what matters.
    logging.getLogger("pika").setLevel(logging.ERROR)
    logging.getLogger("httpx").setLevel(logging.WARNING)

    uri = config.amqp_uri()
    error = check_broker(uri)
    if error:
        print(BROKER_HELP.format(uri_safe=safe_uri(uri), error=error), file=sys.stderr)
        return 2
    service = running_service(uri)
    if service:
        print(OTHER_INSTANCE_HELP.format(uri_safe=safe_uri(uri), service=service), file=sys.stderr)
        return 2

    var = config.var_dir()
    log_dir = var / "log"
    log_dir.mkdir(exist_ok=True)
    os.environ.setdefault("PORTAIL_PUBLIC_URL", f"http://{args.host}:{args.port}")

    supervisor = Supervisor(log_dir)
    stopping = False

    def request_stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        for name in SERVICE_NAMES:
            command = [sys.executable, "-m", "services.common.run", name, "--migrate"]
            if not args.no_demo:
                command.append("--demo")
            supervisor.spawn(name, command)
        wait_for_services(supervisor)
        supervisor.spawn("gateway", [sys.executable, "-m", "uvicorn", "gateway.app:create_app", "--factory",
                                     "--host", args.host, "--port", str(args.port)])
        url = f"http://{args.host}:{args.port}"
        wait_for_gateway(url, supervisor)
        print(f"\nPortail prêt / portal ready: {url}/\n"
              f"Explorateur GraphQL / GraphQL explorer: {url}/graphql\n"
              f"Données / data: {var}   Journaux / logs: {log_dir}\n"
              "Ctrl-C pour tout arrêter / to stop everything.\n", flush=True)
        while not stopping:
            exited = supervisor.exited()
            if exited:
                logger.error("%s exited unexpectedly; see %s. Stopping everything.", exited[0], log_dir)
                return 1
            time.sleep(0.5)
        return 0
    except RuntimeError as exc:
        logger.error("%s", exc)
        return 1
    finally:
        supervisor.stop_all()


if __name__ == "__main__":
    sys.exit(main())
