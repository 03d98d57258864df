"""The nameko dependency that gives each worker the `Caller` of the call it serves."""
from __future__ import annotations

from typing import Any

from nameko.extensions import DependencyProvider

from services.common.caller import CONTEXT_KEY, Caller


class CallerProvider(DependencyProvider):
    """Inject the `Caller` decoded from the call's context data.

    The gateway always sends a caller, anonymous or not. A call with none comes from another
    service's own work, so it is marked internal; the broker is the trust boundary.
    """

    def get_dependency(self, worker_ctx: Any) -> Caller:
        raw = worker_ctx.context_data.get(CONTEXT_KEY)
        if raw is None:
            return Caller(extra={"internal": True})
        return Caller.from_header(raw)
