"""What a handler knows about the request it serves."""

from __future__ import annotations

from dataclasses import dataclass, field

from vpclab.control.store import Store, Tx


@dataclass
class Settings:
    """Server-wide options that change behaviour (quotas, timing)."""

    quotas: str = "off"  # "off" or "aws" (Appendix B)
    auth: str = "any"


@dataclass
class RequestContext:
    """The caller (account, region), the request id, and the transaction the handler works in."""

    account: str
    region: str
    request_id: str
    tx: Tx
    store: Store
    settings: Settings = field(default_factory=Settings)
    service: str = "ec2"

    @property
    def quotas_on(self) -> bool:
        """Whether per-account resource-count quotas are enforced (`--quotas aws`)."""
        return self.settings.quotas == "aws"
