"""Measure the ticket list, ticket creation and the Excel export on 100,000 tickets.

    python -m tests.perf.bench_tickets [--database postgresql] [--tickets 100000] [--gateway-workers 2]

The script starts the system (`tests.support.system.System`: fresh virtual host and databases),
loads `--tickets` tickets spread over 1,000 organisations straight into the tickets service's
database (Saint-Aubin, a demo organisation, is one of them, so its customer manager has a list),
then measures through the gateway on 127.0.0.1:

- a customer manager's first page of 50 tickets with 8 columns: sequential p50/p99, and the
  throughput of 16 connections, with the CPU time each process (and RabbitMQ and PostgreSQL) spent
  per page meanwhile;
- ticket creation through `createTicket`: sequential and with 16 at once;
- the Excel export of every ticket by an agent: its time and the peak resident memory of the process
  that wrote it (the export child, as the tickets service logs it), while the list's p99 is measured
  again during the export. The tickets service's own peak (VmHWM) is printed too.

Targets on a 2-core machine: first page p50 ≤ 25 ms and ≥ 300 requests/s at 16 connections, ≥ 150
creations/s, export of 100,000 rows in ≤ 8 s with ≤ 100 MiB peak memory, list p99 at most doubled
during the export. The script prints each figure beside its target, whether it meets it, and by how
much it misses it otherwise.
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
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert

from services.common import demo
from services.common.database import make_engine
from services.common.events import utc_now
from services.tickets.lifecycle import TicketState, TicketStatus
from services.tickets.models import Ticket
from services.tickets.search import ticket_search_text
from services.tickets.vocabulary import RequestNature, Severity
from tests.support.system import System

DEMO_PASSWORD = "Portail-Demo-2026!"
ORGANISATIONS = 1000
FIRST_PAGE = """{ tickets(tab: ALL, first: 50) { totalCount edges { node {
  number title statusLabel severityLabel product { name } site { name } enteredAt updatedAt } } } }"""
FORM_OPTIONS = """{ ticketFormOptions { contracts { id services { id name } products { id name } sites { id } } } }"""
CREATE = "mutation($i: CreateTicketInput!) { createTicket(input: $i) { ticket { number } } }"
STATUSES = [TicketStatus.NEW, TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED, TicketStatus.CLOSED]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(fraction * len(ordered))) - 1))]


def target_verdict(value: float | None, bound: float, at_most: bool) -> str:
    """Say whether `value` meets its target, and by how much it misses it."""
    if value is None or bound <= 0:
        return "not judged"
    if (value <= bound) if at_most else (value >= bound):
        return "met"
    if at_most:
        return f"missed by {100 * (value - bound) / bound:.0f} %"
    return f"missed, {bound / value:.1f} × short" if value > 0 else "missed"


def load_tickets(url: str, count: int) -> None:
    """Insert `count` tickets over ORGANISATIONS organisations, in batches, as the service stores them."""
    engine = make_engine(url)
    organisations = [demo.ORG_SAINT_AUBIN] + [str(uuid.uuid5(uuid.NAMESPACE_URL, f"org-{i}"))
                                              for i in range(ORGANISATIONS - 1)]
    now = utc_now()
    batch: list[dict[str, Any]] = []
    with engine.begin() as connection:
        for index in range(count):
            status = STATUSES[index % len(STATUSES)]
            title = f"Demande chargée n° {index}"
            batch.append({
                "id": str(uuid.uuid4()), "number": f"2025-{index + 1:06d}", "organisation_id":
                organisations[index % ORGANISATIONS], "version": 1, "contract_id": demo.CONTRACT_SAINT_AUBIN,
                "contract_number": "CTR-2026-0142", "services": [{"id": "x", "name": "Assistance"}],
                "product_id": demo.PRODUCT_CARRUS, "product_name": "Carrus", "site_id": demo.SITE_MAIRIE,
                "site_name": "Mairie", "nature": RequestNature.INCIDENT, "severity": Severity.MAJOR,
                "reference_1": "", "reference_2": "", "title": title,
                "search_text": ticket_search_text(title, "", ""),
                "description": "Chargée par le banc de mesure.", "requester_id": demo.USER_MLEROY,
                "contacts": [], "created_by_id": demo.USER_MLEROY, "status": status,
                "state": TicketState.FINISHED if status == TicketStatus.CLOSED else TicketState.AWAITING_SUPPORT,
                "entered_at": now - timedelta(minutes=index), "updated_at": now - timedelta(minutes=index),
            })
            if len(batch) == 5000:
                connection.execute(insert(Ticket), batch)
                batch = []
        if batch:
            connection.execute(insert(Ticket), batch)
    engine.dispose()


def signed_in(base_url: str, email_address: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=120)
    client.post("/graphql", json={"query": "mutation($i: LoginInput!) { login(input: $i) { mustChangePassword } }",
                                  "variables": {"i": {"email": email_address, "password": DEMO_PASSWORD}}})
    return client


def timed_queries(client: httpx.Client, count: int) -> list[float]:
    durations = []
    for _ in range(count):
        started = time.perf_counter()
        body = client.post("/graphql", json={"query": FIRST_PAGE}).json()
        durations.append((time.perf_counter() - started) * 1000)
        assert not body.get("errors"), body
    return durations


def throughput(base_url: str, cookies: httpx.Cookies, total: int, connections: int, query: str,
               variables: Any = None) -> float:
    """Send `total` requests over `connections` clients; return requests per second."""
    def worker(share: int) -> None:
        with httpx.Client(base_url=base_url, cookies=cookies, timeout=120) as client:
            for index in range(share):
                payload = {"query": query, "variables": variables(index) if callable(variables) else variables}
                client.post("/graphql", json=payload)

    started = time.perf_counter()
    with ThreadPoolExecutor(connections) as pool:
        list(pool.map(worker, [total // connections] * connections))
    return (total // connections * connections) / (time.perf_counter() - started)


def cpu_by_process(system: System) -> dict[str, float]:
    """Return the CPU seconds used so far by each process of the system, RabbitMQ and PostgreSQL, from /proc."""
    names = {str(process.pid): name for name, process in system.processes.items()}
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        command, fields = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        name = names.get(entry.name) or ("postgresql" if command.startswith("postgres") else
                                         "rabbitmq" if command in ("beam.smp", "erl_child_setup") else None)
        if name is not None:
            used[name] = used.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return used


def peak_memory_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def export_peak_mib(log_path: Path) -> float | None:
    """Return the peak memory the tickets service logged for its last export child, in MiB."""
    found = re.findall(r"export \S+: \d+ rows in [\d.]+ s by child \d+, peak memory ([\d.]+) MiB",
                       log_path.read_text(errors="replace"))
    return float(found[-1]) if found else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure ticket lists, creation and export on many tickets.")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets to load (default 100,000)")
    parser.add_argument("--creations", type=int, default=160, help="tickets to create in each creation test")
    parser.add_argument("--gateway-workers", type=int, default=1,
                        help="uvicorn worker processes of the gateway (default 1; the manifests run 2)")
    options = parser.parse_args(argv)

    system = System(Path(tempfile.mkdtemp(prefix="bench-tickets-")), options.database,
                    extra_env={"PORTAIL_RPC_TIMEOUT": "30"}, gateway_workers=options.gateway_workers)
    results: dict[str, Any] = {"database": options.database, "tickets": options.tickets,
                               "gateway_workers": options.gateway_workers}
    try:
        system.start()
        started = time.perf_counter()
        load_tickets(system.databases.url("tickets"), options.tickets)
        results["load_seconds"] = round(time.perf_counter() - started, 1)

        manager = signed_in(system.base_url, "mleroy@example.fr")
        timed_queries(manager, 20)  # warm-up
        sequential = timed_queries(manager, 200)
        results["first_page_p50_ms"] = round(percentile(sequential, 0.5), 1)
        results["first_page_p99_ms"] = round(percentile(sequential, 0.99), 1)
        before, client_before = cpu_by_process(system), time.process_time()
        results["first_page_rps_16"] = round(throughput(system.base_url, manager.cookies, 800, 16, FIRST_PAGE), 1)
        after = cpu_by_process(system)
        after["benchmark client"] = time.process_time() - client_before
        # Where a page's work is done: CPU milliseconds per request of each process during the 800.
        results["first_page_cpu_ms"] = {name: round(1000 * (after[name] - before.get(name, 0.0)) / 800, 2)
                                        for name in sorted(after, key=lambda key: before.get(key, 0.0) - after[key])
                                        if after[name] - before.get(name, 0.0) > 0.01}

        contract = manager.post("/graphql", json={"query": FORM_OPTIONS}).json()["data"]["ticketFormOptions"][
            "contracts"][0]
        values = {"contractId": contract["id"], "serviceIds": [contract["services"][0]["id"]],
                  "productId": contract["products"][0]["id"], "siteId": contract["sites"][0]["id"],
                  "nature": "INCIDENT", "severity": "MINOR", "title": "Création mesurée", "description": "Mesure."}
        started = time.perf_counter()
        for _ in range(options.creations // 4):
            body = manager.post("/graphql", json={"query": CREATE, "variables": {"i": values}}).json()
            assert not body.get("errors"), body
        results["creations_per_second_sequential"] = round(
            (options.creations // 4) / (time.perf_counter() - started), 1)
        results["creations_per_second_16"] = round(
            throughput(system.base_url, manager.cookies, options.creations, 16, CREATE, {"i": values}), 1)

        agent = signed_in(system.base_url, "cbernard@eksae.example.fr")
        tickets_pid = system.processes["tickets"].pid
        during: list[float] = []
        stop = threading.Event()

        def list_during_export() -> None:
            with httpx.Client(base_url=system.base_url, cookies=manager.cookies, timeout=120) as client:
                while not stop.is_set():
                    during.extend(timed_queries(client, 1))

        watcher = threading.Thread(target=list_during_export)
        watcher.start()
        started = time.perf_counter()
        export = agent.get("/tickets/export.xlsx", params={"tab": "all"}, timeout=600)
        results["export_seconds"] = round(time.perf_counter() - started, 1)
        stop.set()
        watcher.join()
        results["export_status"] = export.status_code
        results["export_rows"] = int(export.headers.get("x-row-count", "0"))
        results["export_megabytes"] = round(len(export.content) / 1e6, 1)
        results["export_process_peak_mib"] = export_peak_mib(system.log_path("tickets"))
        results["tickets_service_peak_mib"] = round(peak_memory_kib(tickets_pid) / 1024, 1)
        results["list_p99_during_export_ms"] = round(percentile(during, 0.99), 1) if during else None
        results["list_p50_during_export_ms"] = round(statistics.median(during), 1) if during else None
    finally:
        system.stop()

    # Each target as (bound, whether the result must stay at or below it, how it reads).
    p99_limit = 2 * results.get("first_page_p99_ms", 0)
    targets = {"first_page_p50_ms": (25, True, "≤ 25"), "first_page_rps_16": (300, False, "≥ 300"),
               "creations_per_second_16": (150, False, "≥ 150"),
               # The export's target is set for 100,000 rows; a smaller run is not judged by it.
               "export_seconds": (8 if options.tickets >= 100_000 else 0, True, "≤ 8 for 100,000 rows"),
               "export_process_peak_mib": (100, True, "≤ 100"),
               "list_p99_during_export_ms": (p99_limit, True, f"≤ {p99_limit:.0f} (2 × p99)")}
    for key, value in results.items():
        if isinstance(value, dict):
            print(key)
            for name, part in value.items():
                print(f"  {name:34} {part!s:>12}")
            continue
        verdict = target_verdict(value, *targets[key][:2]) if key in targets else ""
        print(f"{key:36} {value!s:>12}   {('target ' + targets[key][2] + ': ' + verdict) if key in targets else ''}")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
