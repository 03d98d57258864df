"""Pure logic of the TOTP second factor (RFC 6238): codes, replay rejection, recovery codes, QR code.

Codes are the usual authenticator-app ones: 6 digits, 30-second time steps, HMAC-SHA1. A code is
accepted for the current step and one step either side, to allow for clock drift, but never for a step
at or before the last accepted one, so that an observed code cannot be replayed.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime

import pyotp
import segno

VALID_WINDOW = 1
RECOVERY_CODE_COUNT = 10
# 16 characters of a 30-letter alphabet carry about 78 random bits, so an unsalted fast digest is enough.
RECOVERY_CODE_LENGTH = 16
RECOVERY_CODE_GROUP = 4
# Without 0/O, 1/I/L and U, so that a code copied by hand is read back correctly.
RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
TOTP_CODE = re.compile(r"^\d{6}$")


def new_secret() -> str:
    """Return a random base32 secret of 160 bits, the HMAC-SHA1 key length RFC 4226 recommends."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account_name: str, issuer: str) -> str:
    """Return the `otpauth://totp/...` URI that authenticator apps read from a QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=issuer)


def qr_code_svg(uri: str, title: str) -> str:
    """Return an inline `<svg>` QR code of `uri`, to embed in a page without any network resource."""
    return segno.make_qr(uri, error="m").svg_inline(scale=4, border=4, title=title, svgclass="qr-code",
                                                    lineclass=None)


def normalize_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").upper()


def is_totp_code(code: str) -> bool:
    return bool(TOTP_CODE.match(normalize_code(code)))


def time_step(secret: str, moment: datetime) -> int:
    return pyotp.TOTP(secret).timecode(moment)


def accepted_time_step(secret: str, code: str, last_time_step: int | None, moment: datetime) -> int | None:
    """Return the time step whose code is `code`, within one step of `moment` and after `last_time_step`.

    Returns None when the code matches no such step, including a code already accepted once.
    """
    code = normalize_code(code)
    if not TOTP_CODE.match(code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(moment)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if last_time_step is not None and step <= last_time_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """Return `count` random recovery codes, written in groups of four (`ABCD-EFGH-JKMN-PQRS`)."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        codes.append("-".join(raw[i:i + RECOVERY_CODE_GROUP] for i in range(0, len(raw), RECOVERY_CODE_GROUP)))
    return codes


def recovery_code_digest(code: str) -> str:
    """Return the stored digest of a recovery code, ignoring case, spaces and hyphens as typed."""
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()
