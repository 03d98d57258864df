"""The `ping` RPC method of every service, used by the gateway's readiness check."""
from __future__ import annotations

from typing import Any

from services.common.rpc_entrypoint import rpc


class HealthMixin:
    name: str

    @rpc
    def ping(self) -> dict[str, Any]:
        """Return the service's name. Any reply proves that the service consumes its queue."""
        return {"service": self.name, "status": "ok"}
