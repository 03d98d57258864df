"""Measure the gateway's latency and throughput on a system started for the purpose.

    python -m tests.perf.bench_gateway [--database postgresql] [--requests 1000] [--gateway-workers 2]

The script starts the five services and the gateway with `tests.support.system.System` (a fresh
RabbitMQ virtual host and fresh databases in a temporary directory), then measures each scenario:

- `graphql-products`: `{ products { edges { node { id name } } } }`, one RPC call to catalog per
  request, measured only when the schema has the public `products` query;
- `graphql-typename`: `{ __typename }`, the gateway's own cost with no RPC call;
- `readyz`: `GET /readyz`, five concurrent `ping` RPC calls, one per service;
- `rpc-gateway-client`: `catalog.ping` through the gateway's asyncio `RpcClient`, run in this
  process without HTTP, with `--concurrency` calls in flight for the throughput;
- `rpc-direct`: `catalog.ping` through the blocking `SyncRpcClient`, sequential only.

For each scenario it reports sequential latency (p50, p99) and the throughput of `--concurrency`
connections, each sending its next request as soon as the previous reply arrives. Every run is
bounded by a request count and a duration. Traffic goes to 127.0.0.1 only. The client runs on the
same machine as the system, so it takes CPU time from the services and the gateway.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable

import httpx

# nameko imports eventlet, which warns at import that it is deprecated; the report needs no such line.
warnings.filterwarnings("ignore", message="(?s).*Eventlet is deprecated")

from gateway.rpc import RpcClient  # noqa: E402
from services.common.caller import CONTEXT_KEY, Caller  # noqa: E402
from services.common.sync_rpc import SyncRpcClient  # noqa: E402
from tests.support.system import SERVICE_NAMES, System  # noqa: E402

PRODUCTS_QUERY = "{ products { edges { node { id name } } } }"
TYPENAME_QUERY = "{ __typename }"
QUERY_FIELDS_QUERY = "{ __schema { queryType { fields { name } } } }"
WARM_UP_REQUESTS = 50


@dataclass
class Result:
    scenario: str
    rpc_calls: int
    sequential_requests: int
    p50_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    concurrency: int | None = None
    concurrent_requests: int | None = None
    concurrent_seconds: float | None = None
    requests_per_second: float | None = None


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Measure the gateway's latency and throughput on 127.0.0.1.")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite",
                        help="database backend of the services (default: sqlite)")
    parser.add_argument("--requests", type=int, default=1000,
                        help="requests per sequential run and max requests per concurrent run (default: 1000)")
    parser.add_argument("--concurrency", type=int, default=16,
                        help="connections sending requests at once in the throughput run (default: 16)")
    parser.add_argument("--max-seconds", type=float, default=30.0,
                        help="max duration of each run in seconds; a run stops at whichever limit comes first "
                             "(default: 30)")
    parser.add_argument("--gateway-workers", type=int, default=1,
                        help="uvicorn worker processes of the gateway (default: 1, as in the test suite)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    return parser.parse_args(argv)


def percentile(sorted_seconds: list[float], fraction: float) -> float:
    """Return the nearest-rank percentile, in milliseconds, of sorted durations in seconds."""
    index = max(0, min(len(sorted_seconds) - 1, round(fraction * len(sorted_seconds)) - 1))
    return sorted_seconds[index] * 1000


def measure_sequential(send: Callable[[], None], requests: int, max_seconds: float) -> list[float]:
    """Send requests one after another and return each one's duration in seconds, sorted."""
    for _ in range(WARM_UP_REQUESTS):
        send()

    durations = []
    deadline = time.monotonic() + max_seconds
    while len(durations) < requests and time.monotonic() < deadline:
        started = time.perf_counter()
        send()
        durations.append(time.perf_counter() - started)
    return sorted(durations)


async def measure_concurrent(send: Callable[[httpx.AsyncClient], Awaitable[None]], base_url: str,
                             concurrency: int, requests: int, max_seconds: float) -> tuple[int, float]:
    """Run `concurrency` loops over one pooled client and return the requests completed and the seconds taken."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
        await asyncio.gather(*(send(client) for _ in range(concurrency)))

        completed = 0
        deadline = time.monotonic() + max_seconds

        async def loop() -> None:
            nonlocal completed
            while completed < requests and time.monotonic() < deadline:
                completed += 1
                await send(client)

        started = time.perf_counter()
        await asyncio.gather(*(loop() for _ in range(concurrency)))
        return completed, time.perf_counter() - started


def check_graphql_reply(response: httpx.Response) -> None:
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise RuntimeError(f"GraphQL request failed with {response.status_code}: {body.get('errors')}")


def graphql_scenario(system: System, name: str, query: str, rpc_calls: int,
                     options: argparse.Namespace) -> Result:
    payload = {"query": query}
    with httpx.Client(base_url=system.base_url, timeout=30) as client:
        durations = measure_sequential(lambda: check_graphql_reply(client.post("/graphql", json=payload)),
                                       options.requests, options.max_seconds)

    async def send(async_client: httpx.AsyncClient) -> None:
        check_graphql_reply(await async_client.post("/graphql", json=payload))

    completed, seconds = asyncio.run(measure_concurrent(send, system.base_url, options.concurrency,
                                                        options.requests, options.max_seconds))
    return summarise(name, rpc_calls, durations, options.concurrency, completed, seconds)


def readyz_scenario(system: System, options: argparse.Namespace) -> Result:
    def check(response: httpx.Response) -> None:
        if response.status_code != 200:
            raise RuntimeError(f"/readyz returned {response.status_code}: {response.text}")

    with httpx.Client(base_url=system.base_url, timeout=30) as client:
        durations = measure_sequential(lambda: check(client.get("/readyz")), options.requests, options.max_seconds)

    async def send(async_client: httpx.AsyncClient) -> None:
        check(await async_client.get("/readyz"))

    completed, seconds = asyncio.run(measure_concurrent(send, system.base_url, options.concurrency,
                                                        options.requests, options.max_seconds))
    return summarise("readyz", len(SERVICE_NAMES), durations, options.concurrency, completed, seconds)


def gateway_client_scenario(system: System, options: argparse.Namespace) -> Result:
    async def run() -> tuple[list[float], int, float]:
        client = RpcClient(system.vhost.amqp_uri, timeout=10)
        await client.connect()
        try:
            for _ in range(WARM_UP_REQUESTS):
                await client.call("catalog", "ping")

            durations = []
            deadline = time.monotonic() + options.max_seconds
            while len(durations) < options.requests and time.monotonic() < deadline:
                started = time.perf_counter()
                await client.call("catalog", "ping")
                durations.append(time.perf_counter() - started)

            completed = 0
            deadline = time.monotonic() + options.max_seconds

            async def loop() -> None:
                nonlocal completed
                while completed < options.requests and time.monotonic() < deadline:
                    completed += 1
                    await client.call("catalog", "ping")

            started = time.perf_counter()
            await asyncio.gather(*(loop() for _ in range(options.concurrency)))
            return sorted(durations), completed, time.perf_counter() - started
        finally:
            await client.close()

    durations, completed, seconds = asyncio.run(run())
    return summarise("rpc-gateway-client", 1, durations, options.concurrency, completed, seconds)


def direct_rpc_scenario(system: System, options: argparse.Namespace) -> Result:
    context = {CONTEXT_KEY: Caller().to_header()}
    with SyncRpcClient(system.vhost.amqp_uri) as client:
        durations = measure_sequential(lambda: client.call("catalog", "ping", context=context),
                                       options.requests, options.max_seconds)
    return summarise("rpc-direct", 1, durations)


def summarise(scenario: str, rpc_calls: int, durations: list[float], concurrency: int | None = None,
              completed: int | None = None, seconds: float | None = None) -> Result:
    result = Result(scenario=scenario, rpc_calls=rpc_calls, sequential_requests=len(durations),
                    p50_ms=percentile(durations, 0.50), p99_ms=percentile(durations, 0.99),
                    mean_ms=statistics.fmean(durations) * 1000, max_ms=durations[-1] * 1000)
    if completed is not None and seconds:
        result.concurrency = concurrency
        result.concurrent_requests = completed
        result.concurrent_seconds = seconds
        result.requests_per_second = completed / seconds
    return result


def query_fields(system: System) -> set[str]:
    response = httpx.post(f"{system.base_url}/graphql", json={"query": QUERY_FIELDS_QUERY}, timeout=30)
    check_graphql_reply(response)
    return {field["name"] for field in response.json()["data"]["__schema"]["queryType"]["fields"]}


def print_results(results: list[Result]) -> None:
    print(f"{'scenario':<18} {'RPC':>3} {'n':>6} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8} {'max ms':>8}"
          f" {'conc.':>5} {'n conc.':>8} {'req/s':>8}")
    for result in results:
        throughput = (f"{result.concurrency:>5} {result.concurrent_requests:>8} {result.requests_per_second:>8.0f}"
                      if result.requests_per_second else f"{'-':>5} {'-':>8} {'-':>8}")
        print(f"{result.scenario:<18} {result.rpc_calls:>3} {result.sequential_requests:>6} {result.p50_ms:>8.2f}"
              f" {result.p99_ms:>8.2f} {result.mean_ms:>8.2f} {result.max_ms:>8.2f} {throughput}")


def describe_machine() -> dict[str, Any]:
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"cpus": os.cpu_count(), "cpu_model": model, "python": platform.python_version(),
            "system": platform.platform()}


def format_load(load: tuple[float, float, float]) -> str:
    return " ".join(f"{value:.2f}" for value in load)


def main(argv: list[str] | None = None) -> int:
    options = parse_arguments(argv)
    machine = describe_machine()
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    print(f"{started_at}: {machine['cpus']} CPUs ({machine['cpu_model']}), Python {machine['python']}, "
          f"{options.database}, gateway with {options.gateway_workers} worker(s)", flush=True)
    # Other processes on the machine skew every figure: the load average shows how busy it was.
    load_before = os.getloadavg()

    with tempfile.TemporaryDirectory(prefix="portail-bench-") as work_dir:
        system = System(Path(work_dir), options.database, gateway_workers=options.gateway_workers)
        try:
            system.start()
            fields = query_fields(system)
            results = []
            if "products" in fields:
                results.append(graphql_scenario(system, "graphql-products", PRODUCTS_QUERY, 1, options))
            else:
                print("the schema has no `products` query: measuring the fallback scenarios only", flush=True)
            results.append(graphql_scenario(system, "graphql-typename", TYPENAME_QUERY, 0, options))
            results.append(readyz_scenario(system, options))
            results.append(gateway_client_scenario(system, options))
            results.append(direct_rpc_scenario(system, options))
        finally:
            system.stop()

    load_after = os.getloadavg()
    print_results(results)
    print(f"load average (1, 5, 15 min): before {format_load(load_before)}, after {format_load(load_after)}")
    if options.json:
        report = {"started_at": started_at, "machine": machine, "load_before": load_before,
                  "load_after": load_after, "options": {
            key: str(value) for key, value in vars(options).items()}, "results": [asdict(r) for r in results]}
        options.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
