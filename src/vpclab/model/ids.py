"""Resource identifiers in AWS form: a prefix, a dash and 17 hexadecimal digits."""

from __future__ import annotations

import re
import secrets

_ID = re.compile(r"^([a-z0-9]+(?:-[a-z0-9]+)*)-([0-9a-f]{8}|[0-9a-f]{17})$")


def new_id(prefix: str) -> str:
    """A fresh id such as vpc-0a1b2c3d4e5f60718 (random, like AWS)."""
    return f"{prefix}-0{secrets.token_hex(8)}"


def has_prefix(resource_id: str, prefix: str) -> bool:
    """Whether an id is well formed for the given prefix (8 or 17 hex digits, as AWS accepts)."""
    match = _ID.match(resource_id)
    return match is not None and match.group(1) == prefix


def random_mac() -> str:
    """A locally administered unicast MAC address, as EC2 hands out for ENIs."""
    raw = bytearray(secrets.token_bytes(6))
    raw[0] = (raw[0] & 0xFC) | 0x02
    return ":".join(f"{b:02x}" for b in raw)
