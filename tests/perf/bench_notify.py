"""Measure how fast the notify service turns new tickets into e-mails handed to SMTP.

    python -m tests.perf.bench_notify [--rate 150] [--seconds 60] [--database postgresql] [--notify-instances 2]

The script starts the five services and the gateway (`tests.support.system.System`, fresh virtual
host and databases), a recording SMTP server on 127.0.0.1, then publishes `ticket_created` events
to the tickets service's exchange at `--rate` per second for `--seconds`, as the tickets outbox does
right after a ticket's commit. Each event's publication time stands for the commit time. The SMTP
server notes when each message arrives. The script prints the latency from publication to SMTP
(p50, p95, max), the e-mails per second, and the count of e-mails against the count expected (one
per active agent or admin per ticket). It waits at most `--drain-seconds` for the last e-mails.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pika
from aiosmtpd.controller import Controller

from services.common import demo
from services.common.events import make_envelope
from tests.support.system import System, free_port

NUMBER_PATTERN = re.compile(rb"BENCH-\d{6}")
AGENTS_PER_TICKET = 3  # the demo data's two agents and one admin, as auth's list_agents returns them


class TimingHandler:
    """aiosmtpd handler that notes the arrival time of each message, keyed by ticket number."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.arrivals: list[tuple[str, float]] = []
        # (ticket number, recipient) of each message, to count the messages received twice.
        self.deliveries: list[tuple[str, str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        arrived = time.time()
        found = NUMBER_PATTERN.search(envelope.original_content or envelope.content)
        number = found.group(0).decode() if found else ""
        with self.lock:
            self.arrivals.append((number, arrived))
            self.deliveries.extend((number, recipient.lower()) for recipient in envelope.rcpt_tos)
        return "250 OK"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(fraction * len(ordered))) - 1))]


def cpu_seconds(pid: int) -> float:
    """Return the user and system CPU time a running process has used, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ticket_event(index: int) -> dict[str, Any]:
    number = f"BENCH-{index:06d}"
    data = {
        "ticket_id": str(uuid.uuid4()), "number": number, "title": f"Demande de mesure {number}",
        "organisation_id": demo.ORG_SAINT_AUBIN, "requester_id": demo.USER_MLEROY, "follower_ids": [],
        "status": "new", "severity": "major", "product_name": "Carrus", "actor_id": demo.USER_MLEROY,
    }
    return make_envelope("ticket_created", data, {"type": "user", "user_id": demo.USER_MLEROY})


def publish(amqp_uri: str, rate: float, seconds: float) -> dict[str, float]:
    """Publish `rate` events per second for `seconds`; return each ticket number's publication time."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    channel = connection.channel()
    channel.exchange_declare("tickets.events", exchange_type="topic", durable=True)
    published: dict[str, float] = {}
    started = time.monotonic()
    total = int(rate * seconds)
    for index in range(total):
        # Pace to the schedule, so a slow publish is caught up rather than stretching the run.
        due = started + index / rate
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        envelope = ticket_event(index)
        published[envelope["data"]["number"]] = time.time()
        channel.basic_publish("tickets.events", "ticket_created", json.dumps(envelope),
                              pika.BasicProperties(content_type="application/json", delivery_mode=2))
    connection.close()
    return published


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure ticket-to-e-mail latency of the notify service.")
    parser.add_argument("--rate", type=float, default=150.0, help="tickets per second (default 150)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to publish (default 60)")
    parser.add_argument("--drain-seconds", type=float, default=600.0,
                        help="how long to wait for the last e-mails after publishing (default 600)")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--notify-instances", type=int, default=1,
                        help="notify processes consuming the same queues (default 1)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    options = parser.parse_args(argv)

    handler = TimingHandler()
    smtp_port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    work_dir = Path(tempfile.mkdtemp(prefix="bench-notify-"))
    system = System(work_dir, options.database, extra_env={
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port), "SMTP_SECURITY": "none",
        "MAIL_FROM": "Portail <no-reply@example.fr>",
    })
    try:
        system.start()
        for index in range(1, options.notify_instances):
            system.start_extra_instance("notify", index)
        published = publish(system.amqp_uri, options.rate, options.seconds)
        expected = len(published) * AGENTS_PER_TICKET
        deadline = time.monotonic() + options.drain_seconds
        while len(handler.arrivals) < expected and time.monotonic() < deadline:
            time.sleep(0.5)
        notify_cpu = sum(cpu_seconds(process.pid) for name, process in system.processes.items()
                         if name.startswith("notify"))
    finally:
        system.stop()
        controller.stop()

    latencies = [(arrived - published[number]) * 1000 for number, arrived in handler.arrivals if number in published]
    first, last = min(published.values()), max(arrived for _number, arrived in handler.arrivals) \
        if handler.arrivals else (0.0, 0.0)
    results = {
        "rate_requested": options.rate, "seconds": options.seconds, "database": options.database,
        "notify_instances": options.notify_instances,
        "tickets": len(published), "emails_expected": expected, "emails_received": len(handler.arrivals),
        "emails_received_twice": len(handler.deliveries) - len(set(handler.deliveries)),
        "p50_ms": round(percentile(latencies, 0.50), 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 0.95), 1) if latencies else None,
        "max_ms": round(max(latencies), 1) if latencies else None,
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
        "emails_per_second": round(len(handler.arrivals) / (last - first), 1) if last > first else None,
        # User and system time of the notify processes over the whole run, start-up included.
        "notify_cpu_seconds": round(notify_cpu, 1),
        "notify_cpu_ms_per_email": round(1000 * notify_cpu / len(handler.arrivals), 2) if handler.arrivals else None,
    }
    print(json.dumps(results, indent=1))
    if options.json:
        options.json.write_text(json.dumps(results, indent=1))
    return 0 if results["emails_received"] == expected and results["emails_received_twice"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
