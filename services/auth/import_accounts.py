"""Import accounts from the previous platform: `python -m services.auth.import_accounts FILE [--legacy-passwords] [--dry-run]`.

It writes to the auth database named by `AUTH_DATABASE_URL`; invitation e-mails leave through the
outbox, which the running auth service publishes.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from sqlalchemy.orm import Session

from services.auth.importer import import_accounts, read_rows
from services.auth.passwords import hash_password_blocking
from services.common import config
from services.common.database import make_engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Create or update accounts from a CSV or XLSX export with the "
                                                 "columns email, first name, last name, organisation, phone, role.")
    parser.add_argument("file", type=Path, help="the export, .csv (comma or semicolon) or .xlsx")
    parser.add_argument("--legacy-passwords", action="store_true",
                        help="give new accounts the previous platform's initial password instead of an invitation")
    parser.add_argument("--dry-run", action="store_true", help="report what would be done and change nothing")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    try:
        rows = read_rows(args.file)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    engine = make_engine(config.database_url("auth"))
    try:
        with Session(engine) as session:
            report = import_accounts(session, rows, "legacy" if args.legacy_passwords else "invitation",
                                     dry_run=args.dry_run, hash_password=hash_password_blocking)
    finally:
        engine.dispose()
    prefix = "[dry run] " if args.dry_run else ""
    for line in report.lines():
        print(prefix + line)
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
