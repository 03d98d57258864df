"""Sign-ins under load: hashing passwords must not stall the other requests of the auth service.

Opt-in because it measures latency, which another busy process on the machine distorts:
`PORTAIL_PERF=1 python -m pytest tests/perf -q`.
"""
from __future__ import annotations

import asyncio
import os
import statistics
import threading
import time

import httpx
import pytest

from services.auth.demo import DEMO_PASSWORD

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(os.environ.get("PORTAIL_PERF") != "1", reason="latency benchmark; set PORTAIL_PERF=1"),
]

CONCURRENT_SIGN_INS = 20
READERS = 4
ME = "{ me { user { email } role } }"
LOGIN = """mutation($input: LoginInput!) { login(input: $input) { mustChangePassword } }"""


def p99(latencies: list[float]) -> float:
    return statistics.quantiles(latencies, n=100)[98]


def read_until(stop: threading.Event, client, latencies: list[float]) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        body = client.execute(ME)
        latencies.append(time.perf_counter() - started)
        assert "errors" not in body, body


def measure_reads(readers, duration: float | None = None, stop: threading.Event | None = None) -> list[float]:
    """Run the readers until `stop` is set or `duration` elapses; return every latency in seconds."""
    stop = stop or threading.Event()
    latencies: list[float] = []
    threads = [threading.Thread(target=read_until, args=(stop, reader, latencies)) for reader in readers]
    for thread in threads:
        thread.start()
    if duration is not None:
        time.sleep(duration)
        stop.set()
    for thread in threads:
        thread.join()
    return latencies


async def sign_in_all(clients: list[httpx.AsyncClient]) -> list[dict]:
    """Send one sign-in per client at once, from one thread, so the client adds little CPU of its own."""
    variables = {"input": {"email": "lpetit@eksae.example.fr", "password": DEMO_PASSWORD}}
    responses = await asyncio.gather(*(
        client.post("/graphql", json={"query": LOGIN, "variables": variables}) for client in clients))
    return [response.json() for response in responses]


async def burst(base_url: str, count: int, ready: threading.Event, go: threading.Event) -> tuple[list[dict], float]:
    """Open `count` clients (one per browser, so none sends another's cookie), then sign in with all at once.

    Clients are made before the measured window: each one builds a TLS context, about 10 ms of CPU
    that would otherwise hold this process's GIL and delay the readers' own requests.
    """
    clients = [httpx.AsyncClient(base_url=base_url, timeout=30) for _ in range(count)]
    try:
        ready.set()
        await asyncio.get_running_loop().run_in_executor(None, go.wait)
        started = time.perf_counter()
        results = await sign_in_all(clients)
        return results, time.perf_counter() - started
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))


def test_signin_burst_keeps_other_queries_fast(system):
    readers = [system.client() for _ in range(READERS)]
    for reader in readers:
        reader.login("cbernard@eksae.example.fr", DEMO_PASSWORD)
    baseline = measure_reads(readers, duration=3.0)

    ready, go, stop = threading.Event(), threading.Event(), threading.Event()
    outcome: list[tuple[list[dict], float]] = []
    signing = threading.Thread(target=lambda: outcome.append(
        asyncio.run(burst(system.base_url, CONCURRENT_SIGN_INS, ready, go))))
    signing.start()
    ready.wait()
    during: list[float] = []
    reading = threading.Thread(target=lambda: during.extend(measure_reads(readers, stop=stop)))
    reading.start()
    go.set()
    signing.join()
    stop.set()
    reading.join()
    results, burst_seconds = outcome[0]

    print(f"\nbaseline p99 {p99(baseline) * 1000:.1f} ms over {len(baseline)} reads; "
          f"during the burst p99 {p99(during) * 1000:.1f} ms over {len(during)} reads; "
          f"{CONCURRENT_SIGN_INS} sign-ins took {burst_seconds:.2f} s")
    assert [body.get("errors") for body in results] == [None] * CONCURRENT_SIGN_INS
    assert p99(during) <= 2 * p99(baseline)
