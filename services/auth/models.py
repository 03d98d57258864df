"""Tables of the auth service.

Secrets never reach the database in clear: passwords are argon2id hashes, and session, API and
reset tokens are stored as SHA-256 digests of random values, so a copy of the database signs no one in.
"""
from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Enum, ForeignKey, Index, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.events import utc_now
from services.common.event_tables import OutboxRecord, ProcessedEventRecord


class Base(DeclarativeBase):
    pass


class Outbox(OutboxRecord, Base):
    pass


class ProcessedEvent(ProcessedEventRecord, Base):
    pass


def new_id() -> str:
    return str(uuid.uuid4())


class Role(str, enum.Enum):
    CUSTOMER = "customer"
    # Sees and acts on every ticket of the organisation and manages colleagues' access.
    CUSTOMER_MANAGER = "customer_manager"
    AGENT = "agent"
    ADMIN = "admin"


class OrganisationKind(str, enum.Enum):
    CUSTOMER = "customer"
    VENDOR = "vendor"


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(Enum(OrganisationKind, native_enum=False, length=20),
                                                   default=OrganisationKind.CUSTOMER)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class User(Base):
    """An account of a customer or of the vendor's staff.

    `email` is stored lower-cased, which makes the unique constraint case-insensitive.
    `product_space_ids` is None when the user sees every product space of the organisation's
    contracts, otherwise the product ids whose spaces they may open.
    """

    __tablename__ = "user_account"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    language: Mapped[str] = mapped_column(String(2), default="fr")
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20), default=Role.CUSTOMER)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set for the previous platform's initial passwords, which stop working after a delay.
    password_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    product_space_ids: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    support_access: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, onupdate=utc_now)

    @property
    def display_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.email


class UserSession(Base):
    """A signed-in browser. A remembered session ends at `expires_at`; another one after `IDLE_TIMEOUT`."""

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember_me: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    client_ip: Mapped[str | None] = mapped_column(String(45), nullable=True)
    user_agent: Mapped[str | None] = mapped_column(String(300), nullable=True)


class ApiToken(Base):
    """A bearer token of a third-party system; it acts as `user_id`, limited to `scopes`."""

    __tablename__ = "api_token"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_by_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # First characters of the token, shown in lists so that people can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PasswordTokenPurpose(str, enum.Enum):
    RESET = "reset"
    INVITATION = "invitation"


class PasswordToken(Base):
    """A single-use link to set a password.

    `password_fingerprint` is a digest of the password hash current when the token was made. The
    token dies as soon as the password changes, because the fingerprints no longer match.
    """

    __tablename__ = "password_token"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[PasswordTokenPurpose] = mapped_column(
        Enum(PasswordTokenPurpose, native_enum=False, length=20), default=PasswordTokenPurpose.RESET)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    password_fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ThrottleAttempt(Base):
    """One counted attempt of a throttled operation (sign-in, reset request) for an account or address.

    `key` is a digest of the operation, the kind of key and its value, so addresses and e-mails are not
    kept in clear for this purpose.
    """

    __tablename__ = "throttle_attempt"
    __table_args__ = (Index("ix_throttle_attempt_key_time", "key", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class AuditAction(str, enum.Enum):
    LOGIN_SUCCEEDED = "login_succeeded"
    LOGIN_FAILED = "login_failed"
    LOGIN_THROTTLED = "login_throttled"
    LOGOUT = "logout"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET_REQUESTED = "password_reset_requested"
    PASSWORD_RESET_COMPLETED = "password_reset_completed"
    SESSION_REVOKED = "session_revoked"
    TOKEN_CREATED = "token_created"
    TOKEN_USED = "token_used"
    TOKEN_REVOKED = "token_revoked"
    USER_CREATED = "user_created"
    ROLE_CHANGED = "role_changed"
    SECOND_FACTOR_ENABLED = "second_factor_enabled"
    SECOND_FACTOR_DISABLED = "second_factor_disabled"
    SECOND_FACTOR_FAILED = "second_factor_failed"
    SECOND_FACTOR_RESET = "second_factor_reset"
    RECOVERY_CODE_USED = "recovery_code_used"
    RECOVERY_CODES_REGENERATED = "recovery_codes_regenerated"
    SECURITY_SETTING_CHANGED = "security_setting_changed"
    USER_DEACTIVATED = "user_deactivated"
    USER_REACTIVATED = "user_reactivated"
    INVITATION_RESENT = "invitation_resent"
    ORGANISATION_CREATED = "organisation_created"
    ORGANISATION_RENAMED = "organisation_renamed"
    ACCOUNTS_IMPORTED = "accounts_imported"


class AuditEntry(Base):
    """One line of the security audit log, readable by admins."""

    __tablename__ = "audit_entry"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, index=True)
    action: Mapped[AuditAction] = mapped_column(Enum(AuditAction, native_enum=False, length=40), index=True)
    user_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    actor_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    organisation_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # The e-mail typed at a failed sign-in, which may belong to no account.
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    client_ip: Mapped[str | None] = mapped_column(String(45), nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class SecondFactor(Base):
    """The TOTP (RFC 6238) secret of an account, pending until a first code confirms it.

    NOTE: `secret` is stored in clear (base32), because the project has no server-side key to encrypt it
    with. A copy of the database therefore lets its holder compute codes, though the password is still needed.
    """

    __tablename__ = "second_factor"

    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    # None while the enrolment waits for its first code; the second factor is enabled once set.
    enabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Time step (Unix time // 30) of the last accepted code; codes of this step or older are rejected.
    last_time_step: Mapped[int | None] = mapped_column(Integer, nullable=True)


class RecoveryCode(Base):
    """A single-use code that replaces a TOTP code once, stored as a SHA-256 digest."""

    __tablename__ = "recovery_code"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SecondFactorChallenge(Base):
    """The pending second step of a sign-in whose password was correct; single-use and short-lived."""

    __tablename__ = "second_factor_challenge"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember_me: Mapped[bool] = mapped_column(Boolean, default=False)
    client_ip: Mapped[str | None] = mapped_column(String(45), nullable=True)
    user_agent: Mapped[str | None] = mapped_column(String(300), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Set when the challenge opened a session or died after too many wrong codes.
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SecuritySetting(Base):
    """A platform-wide security setting changed by admins, such as the second factor required for staff."""

    __tablename__ = "security_setting"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    updated_by_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
