"""Write a new alembic revision for a service from its models: `python -m services.common.make_migration NAME MESSAGE`.

It compares the models with a scratch SQLite database brought to the latest revision, so the
result does not depend on any database of yours.
"""
from __future__ import annotations

import os
import sys
import tempfile

from alembic import command


def main() -> None:
    service_name, message = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as scratch:
        os.environ[f"{service_name.upper()}_DATABASE_URL"] = f"sqlite:///{scratch}/scratch.db"
        from services.common.migrations import alembic_config

        cfg = alembic_config(service_name)
        command.upgrade(cfg, "head")
        command.revision(cfg, message=message, autogenerate=True)


if __name__ == "__main__":
    main()
