"""Domain errors: an AWS error code with its message, raised by control code, rendered by the api."""

from __future__ import annotations


class DomainError(Exception):
    """A request AWS would refuse, carrying the exact EC2 error code."""

    status = 400

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def idempotency_mismatch() -> DomainError:
    """A ClientToken used again with other arguments: one error, in EC2's words, everywhere."""
    return DomainError(
        "IdempotentParameterMismatch",
        "Arguments on this idempotent request are inconsistent with arguments used in previous "
        "request(s).",
    )


def not_found(code: str, resource_id: str, kind: str = "") -> DomainError:
    """The usual 'does not exist' error, worded as EC2 words it."""
    noun = kind or "ID"
    return DomainError(code, f"The {noun} '{resource_id}' does not exist")


def invalid_value(name: str, value: object, reason: str = "") -> DomainError:
    """InvalidParameterValue in EC2's 'Value (x) for parameter y is invalid.' form."""
    tail = f" {reason}" if reason else ""
    return DomainError(
        "InvalidParameterValue", f"Value ({value}) for parameter {name} is invalid.{tail}"
    )


def dependency(kind: str, resource_id: str) -> DomainError:
    """DependencyViolation with AWS's observed wording (VPC-25, SUB-14, RT-16, IGW-5)."""
    return DomainError(
        "DependencyViolation", f"The {kind} '{resource_id}' has dependencies and cannot be deleted."
    )
