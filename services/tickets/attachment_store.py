"""Storage of attachment files: an interface, and its implementation on the local disk.

Files never travel through RabbitMQ: the gateway streams them into the store and out of it, and the
tickets service keeps only their metadata. An S3-compatible store implements the same three
methods, with a multipart upload that is completed or aborted at the end.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import BinaryIO, Iterator, Protocol

from services.common import config

ATTACHMENTS_DIR_KEY = "PORTAIL_ATTACHMENTS_DIR"
READ_CHUNK_BYTES = 64 * 1024


class AttachmentStore(Protocol):
    def begin(self) -> "PendingFile": ...

    def open(self, key: str) -> Iterator[bytes]: ...

    def delete(self, key: str) -> None: ...


class PendingFile:
    """A file being written under a temporary name; visible under `key` only once committed."""

    def __init__(self, root: Path) -> None:
        self.key = uuid.uuid4().hex
        self.final_path = root / self.key[:2] / self.key
        self.final_path.parent.mkdir(parents=True, exist_ok=True)
        self.temporary_path = self.final_path.with_name(self.key + ".part")
        self.file: BinaryIO = open(self.temporary_path, "xb")

    def write(self, chunk: bytes) -> None:
        self.file.write(chunk)

    def commit(self) -> str:
        """Make the file durable under its key and return the key."""
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        os.replace(self.temporary_path, self.final_path)
        return self.key

    def abort(self) -> None:
        """Drop what was written, so a failed upload leaves nothing behind."""
        self.file.close()
        self.temporary_path.unlink(missing_ok=True)


class LocalAttachmentStore:
    """Files under `PORTAIL_ATTACHMENTS_DIR`, or `attachments/` in the var directory."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or Path(os.environ.get(ATTACHMENTS_DIR_KEY) or config.var_dir() / "attachments")
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        if not key.isalnum():
            raise ValueError(f"invalid attachment key {key!r}")
        return self.root / key[:2] / key

    def begin(self) -> PendingFile:
        return PendingFile(self.root)

    def open(self, key: str) -> Iterator[bytes]:
        with open(self._path(key), "rb") as file:
            while chunk := file.read(READ_CHUNK_BYTES):
                yield chunk

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def export_store() -> LocalAttachmentStore:
    """Return the store of Excel exports: `exports/` beside the attachments, on the same shared disk.

    Attachment keys are hexadecimal, so the `exports` folder never meets an attachment's folder.
    """
    return LocalAttachmentStore(LocalAttachmentStore().root / "exports")
