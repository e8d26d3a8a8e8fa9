"""Errors raised when a request cannot be decoded at the wire level."""

from __future__ import annotations


class WireError(Exception):
    """A client error detected while decoding a request (maps to an AWS error response)."""

    code: str
    message: str
    status: int

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        """Keep the AWS error code, message and HTTP status together for the error envelope."""
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
