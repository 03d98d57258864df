"""Upload and download of ticket attachments, streamed between the client and the attachment store.

`POST /tickets/{ticketId}/attachments?filename=NAME` takes the file as the raw request body (its
type in Content-Type) and returns the attachment's metadata; `&messageId=ID` joins it to one of the
caller's messages on the ticket. `GET /tickets/attachments/{attachmentId}`
returns the file as a download. Both ids are GraphQL global ids. The size limit is enforced while
receiving: the upload stops at the first byte over it, and nothing is kept of a failed upload.
Errors are JSON, except that a browser following a download link (see `is_browser_visit`) is sent
to the sign-in page when signed out and gets the portal's 404 page when the file is not found.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from typing import Any
from urllib.parse import quote

from graphql_relay import to_global_id
from starlette.concurrency import iterate_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from gateway.connections import decode_global_id
from gateway.context import RequestContext
from gateway.errors import GatewayError, to_gateway_error
from gateway.portal.operations import PageSession
from gateway.portal.pages import not_found
from gateway.portal.rendering import redirect
from gateway.rpc import RpcError
from services.common.errors import NotFound, ValidationFailed, field_error, text
from services.common.sizes import size_text
from services.tickets.attachment_store import LocalAttachmentStore, PendingFile
from services.tickets.graphql.http import authenticated_context, content_disposition, error_response

logger = logging.getLogger(__name__)


class UploadTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"upload over {limit} bytes")
        self.limit = limit


def too_large(limit: int) -> GatewayError:
    size = size_text(limit)
    return GatewayError.of(ValidationFailed, fields=[field_error(
        "file", "TOO_LARGE", f"Le fichier dépasse la taille maximale de {size['fr']}.",
        f"The file exceeds the maximum size of {size['en']}.")])


def attachment_json(attachment: dict[str, Any]) -> dict[str, Any]:
    global_id = to_global_id("TicketAttachment", attachment["id"])
    message_id = attachment.get("message_id")
    return {"id": global_id, "messageId": to_global_id("TicketMessage", message_id) if message_id else None,
            "filename": attachment["filename"], "contentType": attachment["content_type"],
            "size": attachment["size"], "sha256": attachment["sha256"], "createdAt": attachment["created_at"],
            "downloadUrl": f"/tickets/attachments/{global_id}"}


async def _receive(request: Request, pending: PendingFile, limit: int) -> tuple[int, str]:
    """Write the body into `pending`; return its size and SHA-256, or raise UploadTooLarge."""
    digest = hashlib.sha256()
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise UploadTooLarge(limit)
        digest.update(chunk)
        await asyncio.to_thread(pending.write, chunk)
    return size, digest.hexdigest()


async def _store_and_record(request: Request, context: RequestContext, ticket_id: str, message_id: str | None,
                            limit: int) -> dict[str, Any]:
    store = LocalAttachmentStore()
    pending = await asyncio.to_thread(store.begin)
    try:
        size, sha256 = await _receive(request, pending, limit)
        if size == 0:
            raise GatewayError.of(ValidationFailed, fields=[field_error(
                "file", "EMPTY", "Le fichier est vide.", "The file is empty.")])
        key = await asyncio.to_thread(pending.commit)
    except BaseException:
        await asyncio.to_thread(pending.abort)
        raise
    try:
        return await context.rpc.call(
            "tickets", "add_ticket_attachment", context=context.rpc_context(), ticket_id=ticket_id,
            storage_key=key, filename=request.query_params.get("filename") or "",
            content_type=request.headers.get("content-type") or "", size=size, sha256=sha256,
            message_id=message_id)
    except BaseException:
        # The metadata was not recorded, so the stored file would be unreachable: remove it.
        await asyncio.to_thread(store.delete, key)
        raise


async def upload_attachment(request: Request) -> Response:
    request_id = uuid.uuid4().hex[:12]
    try:
        context = await authenticated_context(request, "tickets:write")
        request_id = context.request_id
        ticket_id = decode_global_id(request.path_params["ticket_id"], "Ticket", field="ticketId")
        message_global_id = request.query_params.get("messageId")
        message_id = decode_global_id(message_global_id, "TicketMessage", "messageId") if message_global_id else None
        limits = await context.rpc.call("tickets", "check_ticket_upload", context=context.rpc_context(),
                                        ticket_id=ticket_id)
        limit = int(limits["max_bytes"])
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise too_large(limit)
        attachment = await _store_and_record(request, context, ticket_id, message_id, limit)
    except UploadTooLarge as exc:
        logger.warning("request %s: upload over %s bytes stopped", request_id, exc.limit)
        return error_response(request, too_large(exc.limit), request_id, status=413)
    except (GatewayError, RpcError) as exc:
        status = 413 if isinstance(exc, GatewayError) and any(
            item.get("code") == "TOO_LARGE" for item in exc.fields) else None
        return error_response(request, exc, request_id, status=status)
    return JSONResponse(attachment_json(attachment), status_code=201)


async def download_attachment(request: Request) -> Response:
    request_id = uuid.uuid4().hex[:12]
    try:
        context = await authenticated_context(request, "tickets:read")
        request_id = context.request_id
        attachment_id = decode_global_id(request.path_params["attachment_id"], "TicketAttachment")
        attachment = await context.rpc.call("tickets", "get_ticket_attachment", context=context.rpc_context(),
                                            attachment_id=attachment_id)
    except (GatewayError, RpcError) as exc:
        return await download_error(request, exc, request_id)

    store = LocalAttachmentStore()
    try:
        chunks = store.open(attachment["storage_key"])
        first = await asyncio.to_thread(next, chunks, b"")
    except FileNotFoundError:
        logger.error("request %s: file of attachment %s missing from the store", request_id, attachment["id"])
        return await download_error(
            request, GatewayError.of(NotFound, text("Fichier introuvable.", "File not found.")), request_id)

    async def body() -> Any:
        yield first
        async for chunk in iterate_in_threadpool(chunks):
            yield chunk

    return StreamingResponse(body(), media_type=attachment["content_type"], headers={
        "Content-Disposition": content_disposition(attachment["filename"]),
        "Content-Length": str(attachment["size"]),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
        "X-Checksum-Sha256": attachment["sha256"],
    })


def is_browser_visit(request: Request) -> bool:
    """Tell whether a person's browser opened the link: it accepts HTML and sends no API token."""
    return "text/html" in request.headers.get("accept", "") and not request.headers.get("authorization")


async def download_error(request: Request, exc: Exception, request_id: str) -> Response:
    """Return a failed download's error: portal pages for a browser's sign-in and not found, JSON otherwise."""
    error = to_gateway_error(exc)
    if error is None or not is_browser_visit(request) or error.code not in ("UNAUTHENTICATED", "NOT_FOUND"):
        return error_response(request, exc, request_id)
    page = await PageSession(request).start()
    if error.code == "UNAUTHENTICATED":
        return redirect(page, f"/connexion?suivant={quote(request.url.path)}")
    return not_found(page)


routes = [
    Route("/tickets/{ticket_id}/attachments", upload_attachment, methods=["POST"]),
    Route("/tickets/attachments/{attachment_id}", download_attachment, methods=["GET"]),
]
