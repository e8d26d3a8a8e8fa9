"""What RDS and ElastiCache handle alike: tags on create, Marker/MaxRecords paging, describes
of one-or-all, and subnet groups (`DBSubnetGroup` / `CacheSubnetGroup`), written once."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from vpclab.api.context import RequestContext
from vpclab.model.errors import DomainError
from vpclab.model.services import ServiceSubnetGroup
from vpclab.model.vpc import Subnet


class Identified(Protocol):
    """Anything stored with an id (what describes sort by)."""

    @property
    def id(self) -> str:
        """The resource's id."""
        ...


Item = TypeVar("Item", bound=Identified)


def rds_tags(params: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The Tags of an RDS or ElastiCache create request as model tags."""
    return tuple((t["Key"], t.get("Value", "")) for t in params.get("Tags") or [])


def paginate(items: list[Any], params: dict[str, Any]) -> tuple[list[Any], str | None]:
    """RDS's Marker/MaxRecords paging (MaxRecords 20..100, default 100)."""
    size = params.get("MaxRecords") or 100
    if not 20 <= size <= 100:
        raise DomainError(
            "InvalidParameterValue", "Invalid value for MaxRecords. Must be between 20 and 100"
        )
    start = int(params.get("Marker") or 0)
    page = items[start : start + size]
    following = start + size
    return page, (str(following) if following < len(items) else None)


def listing(
    params: dict[str, Any],
    key: str,
    chosen: Item | None,
    everything: Callable[[], Iterable[Item]],
    present: Callable[[Item], dict[str, Any]],
) -> dict[str, Any]:
    """A Describe answer: the one item asked for by name, else all of them by id, paged."""
    found = [chosen] if chosen is not None else sorted(everything(), key=lambda i: i.id)
    page, marker = paginate(found, params)
    out: dict[str, Any] = {key: [present(item) for item in page]}
    if marker:
        out["Marker"] = marker
    return out


def subnet_entries(
    ctx: RequestContext, group: ServiceSubnetGroup, **service_members: Any
) -> list[dict[str, Any]]:
    """A subnet group's Subnets: each id with its zone, plus the members only that service
    shows (RDS's SubnetStatus, ElastiCache's SupportedNetworkTypes)."""
    entries = []
    for subnet_id in group.subnet_ids:
        subnet = ctx.tx.get(Subnet, subnet_id)
        zone = subnet.availability_zone if subnet else ""
        entries.append(
            {
                "SubnetIdentifier": subnet_id,
                "SubnetAvailabilityZone": {"Name": zone},
                **service_members,
            }
        )
    return entries


@dataclass(frozen=True, slots=True)
class SubnetGroups:
    """One service's subnet groups: its name prefix (`DB`, `Cache`) and control functions."""

    prefix: str
    create: Callable[..., Any]
    require: Callable[[Any, str], Any]
    all: Callable[[Any], Iterable[Any]]
    delete: Callable[[Any, str], None]
    present: Callable[[RequestContext, Any], dict[str, Any]]

    def create_from(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """Create{prefix}SubnetGroup: the group made from the request, presented."""
        group = self.create(
            ctx.tx,
            name=params[f"{self.prefix}SubnetGroupName"],
            description=params[f"{self.prefix}SubnetGroupDescription"],
            subnet_ids=params["SubnetIds"],
            tags=rds_tags(params),
        )
        return {f"{self.prefix}SubnetGroup": self.present(ctx, group)}

    def describe(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """Describe{prefix}SubnetGroups: all of them, or one by name."""
        name = params.get(f"{self.prefix}SubnetGroupName")
        return listing(
            params,
            f"{self.prefix}SubnetGroups",
            self.require(ctx.tx, name) if name else None,
            lambda: self.all(ctx.tx),
            lambda group: self.present(ctx, group),
        )

    def delete_from(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """Delete{prefix}SubnetGroup (the control function refuses one still in use)."""
        self.delete(ctx.tx, params[f"{self.prefix}SubnetGroupName"])
        return {}
