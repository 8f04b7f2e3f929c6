"""Domain exceptions. Services raise them; the API handler and view helpers turn them into answers.

NotFound is also what a caller gets for another team's object: the same error for missing
and forbidden, so ids can't be probed.
"""

from typing import Any


class DomainError(Exception):
    default_message = "The request could not be completed."

    def __init__(self, message: str | None = None):
        self.message = message or self.default_message
        super().__init__(self.message)


class NotFound(DomainError):
    default_message = "Not found."


class PermissionDenied(DomainError):
    default_message = "You are not allowed to do this."


class TransitionNotAllowed(DomainError):
    def __init__(self, current: str, target: str, message: str | None = None):
        self.current = current
        self.target = target
        super().__init__(message or f"Can't go from {current} to {target}.")


class Conflict(DomainError):
    """Someone else changed the record first (optimistic lock)."""

    def __init__(self, message: str, *, current: Any = None):
        self.current = current
        super().__init__(message)


class ValidationError(DomainError):
    """Bad input, reported by field: ``{"field": "message"}`` or a plain message."""

    def __init__(self, errors: dict[str, str | list[str] | dict] | str):
        if isinstance(errors, str):
            errors = {"non_field_errors": errors}
        # A dict value holds the field errors of one item of a list (bulk input), as DRF does.
        self.errors = {k: v if isinstance(v, list | dict) else [v] for k, v in errors.items()}
        super().__init__(
            "; ".join(
                f"{k}: {' '.join(map(str, v.values() if isinstance(v, dict) else v))}" for k, v in self.errors.items()
            )
        )


class InvalidPassword(DomainError):
    default_message = "The password is not correct. Nothing was signed."


class SigningLocked(DomainError):
    default_message = "Signing is locked after too many wrong passwords. Try again later."


class ServiceUnavailable(DomainError):
    """A server the action needs (the task broker, the cache) can't be reached: a 503, nothing
    written. Broker and Redis connection errors are answered the same way."""

    default_message = "A service this action needs (the task queue or the cache) is unreachable."


class StorageUnavailable(ServiceUnavailable):
    """The file storage (disk or bucket) failed a write or read: a 503 with a clear message, and
    nothing recorded (the caller's transaction rolls back; ``core.storage`` removes partial files)."""

    default_message = "The file storage failed (it is full or unreachable). Nothing was saved."
