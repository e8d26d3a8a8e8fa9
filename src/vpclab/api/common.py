"""Small presentation helpers shared by every family's presenters."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from vpclab.api.context import RequestContext
from vpclab.control import tags as tagging
from vpclab.model.base import Resource, Tags


def arn(ctx: RequestContext, resource_type: str, resource_id: str) -> str:
    """The ARN of an EC2 resource of the caller's account and region."""
    return f"arn:aws:ec2:{ctx.region}:{ctx.account}:{resource_type}/{resource_id}"


def tag_list(resource: Resource) -> list[dict[str, str]]:
    """Tags as EC2 returns them."""
    return [{"Key": k, "Value": v} for k, v in resource.tags]


def timestamp(seconds: float) -> datetime:
    """An epoch time as the aware datetime the wire layer encodes."""
    return datetime.fromtimestamp(seconds, tz=UTC)


def spec_tags(params: dict[str, Any], resource_type: str) -> Tags:
    """Tags requested through TagSpecifications for a resource of this type."""
    return tagging.from_specs(params.get("TagSpecifications"), resource_type)


def required(params: dict[str, Any], name: str) -> Any:
    """A parameter the operation cannot do without (MissingParameter, as EC2 words it)."""
    value = params.get(name)
    if value is None or value == [] or value == "":
        raise_missing(name)
    return value


def raise_missing(name: str) -> None:
    """Raise EC2's MissingParameter for a parameter."""
    from vpclab.model.errors import DomainError

    raise DomainError("MissingParameter", f"The request must contain the parameter {name}")
