"""Domain errors carry a stable code and a translated message; views show the message, the API
returns both as JSON."""

from __future__ import annotations


class DomainError(Exception):
    code = "invalid"
    status = 400

    def __init__(self, message, code: str | None = None, status: int | None = None, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status
        self.field = field


class NotPermitted(DomainError):
    code = "forbidden"
    status = 403


class NotFound(DomainError):
    code = "not_found"
    status = 404


class DeadlinePassed(DomainError):
    code = "deadline_passed"
    status = 409


class QuotaExceeded(DomainError):
    code = "quota_exceeded"
    status = 409
