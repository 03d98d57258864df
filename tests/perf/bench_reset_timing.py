"""Compare the time of « Mot de passe oublié ? » for an existing and an unknown e-mail address.

    python -m tests.perf.bench_reset_timing [--database sqlite] [--rounds 3]

The response is the same either way. Its time must be about the same too, or timing would tell
which addresses have accounts. The script starts the system, then sends `requestPasswordReset`
alternately for the demo accounts and for unknown addresses. Each request comes from its own client
address (X-Forwarded-For, trusted from 127.0.0.1), so the per-address limit does not interfere.
Each e-mail is sent at most `--rounds` times, because the per-e-mail limit is 3 an hour. The script
prints the median and the 90th percentile of each kind and their difference.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from tests.support.system import System

RESET = """mutation($input: RequestPasswordResetInput!) { requestPasswordReset(input: $input) { message } }"""
DEMO_EMAILS = ["jdupont@example.fr", "mleroy@example.fr", "pmartin@vallee-du-lys.example.fr",
               "cbernard@eksae.example.fr", "lpetit@eksae.example.fr", "aroux@eksae.example.fr"]


def timed_reset(client: httpx.Client, email: str, address: str) -> float:
    started = time.perf_counter()
    response = client.post("/graphql", json={"query": RESET, "variables": {"input": {"email": email}}},
                           headers={"X-Forwarded-For": address})
    elapsed = time.perf_counter() - started
    body = response.json()
    if body.get("errors"):
        raise SystemExit(f"reset for {email} failed: {body['errors']}")
    return elapsed


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[max(0, round(0.9 * len(ordered)) - 1)]
    return f"median {statistics.median(ordered) * 1000:6.1f} ms, p90 {p90 * 1000:6.1f} ms, n={len(ordered)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compare reset request times for known and unknown e-mails.")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--rounds", type=int, default=3, help="requests per e-mail (at most 3, the hourly limit)")
    options = parser.parse_args(argv)

    system = System(Path(tempfile.mkdtemp(prefix="bench-reset-")), options.database)
    known: list[float] = []
    unknown: list[float] = []
    try:
        system.start()
        with httpx.Client(base_url=system.base_url, timeout=30) as client:
            # Warm-up with addresses of their own, so that first-call costs fall outside the figures.
            for index in range(5):
                timed_reset(client, f"echauffement-{index}@example.fr", f"198.51.100.{200 + index}")
            address = 0
            for _round in range(min(options.rounds, 3)):
                for email in DEMO_EMAILS:
                    address += 1
                    known.append(timed_reset(client, email, f"203.0.113.{address}"))
                    address += 1
                    unknown.append(timed_reset(client, f"inconnu-{uuid.uuid4().hex[:8]}@example.fr",
                                               f"203.0.113.{address}"))
    finally:
        system.stop()

    print(f"existing accounts: {summary(known)}")
    print(f"unknown addresses: {summary(unknown)}")
    difference = (statistics.median(known) - statistics.median(unknown)) * 1000
    print(f"median difference (existing - unknown): {difference:+.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
