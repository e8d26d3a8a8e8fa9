"""RDS DB subnet groups and DB instances placed in a VPC (spec SVC-2), plus the placement
helpers ElastiCache shares: subnet-group checks and requester-managed service ENIs."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from vpclab.control import addresses, network_interfaces
from vpclab.control.network_interfaces import AddressRequest
from vpclab.control.store import Tx
from vpclab.model.base import Tags, evolve
from vpclab.model.errors import DomainError
from vpclab.model.gateways import InternetGateway
from vpclab.model.interface import NetworkInterface
from vpclab.model.route_state import route_state, subnet_route_table
from vpclab.model.services import (
    DbInstance,
    DbSubnetGroup,
    PlacedService,
    ServiceSubnetGroup,
    service_status,
)
from vpclab.model.state import View
from vpclab.model.vpc import Subnet, Vpc

DEFAULT_PORTS = {
    "postgres": 5432,
    "aurora-postgresql": 5432,
    "mysql": 3306,
    "mariadb": 3306,
    "aurora-mysql": 3306,
    "oracle-ee": 1521,
    "oracle-se2": 1521,
    "sqlserver-ex": 1433,
    "sqlserver-se": 1433,
    "sqlserver-ee": 1433,
    "sqlserver-web": 1433,
}
DEFAULT_VERSIONS = {"postgres": "16.3", "mysql": "8.0.35", "mariadb": "10.11.6"}

GroupT = TypeVar("GroupT", bound=ServiceSubnetGroup)
ServiceT = TypeVar("ServiceT", bound=PlacedService)


def endpoint_suffix(account: str, region: str) -> str:
    """The per-account, per-region label of RDS endpoints (mydb.<suffix>.us-east-1.rds...)."""
    return hashlib.sha256(f"{account}/{region}".encode()).hexdigest()[:12]


# -- shared by RDS and ElastiCache ----------------------------------------------------------------
def subnets_of_one_vpc(
    view: View, subnet_ids: Sequence[str], not_found_code: str, mixed_message: str
) -> list[Subnet]:
    """The named subnets, which must all exist and share one VPC (a subnet group's rule)."""
    found: list[Subnet] = []
    for subnet_id in dict.fromkeys(subnet_ids):
        subnet = view.get(Subnet, subnet_id)
        if subnet is None:
            raise DomainError(not_found_code, f"The subnet ID '{subnet_id}' does not exist")
        found.append(subnet)
    if len({s.vpc_id for s in found}) > 1:
        raise DomainError("InvalidParameterValue", mixed_message)
    return found


def new_subnet_group(
    view: View,
    kind: type[GroupT],
    *,
    name: str,
    description: str,
    subnet_ids: Sequence[str],
    tags: Tags,
    name_taken: DomainError,
    mixed_message: str,
) -> tuple[GroupT, list[Subnet]]:
    """A subnet group not yet stored, with its subnets: the name free (stored lower-case, as
    AWS compares names), the subnets known and of one VPC; the caller adds its own checks."""
    key = name.lower()
    if view.get(kind, key) is not None:
        raise name_taken
    subnets = subnets_of_one_vpc(view, subnet_ids, "InvalidSubnet", mixed_message)
    group = kind(
        id=key,
        description=description,
        vpc_id=subnets[0].vpc_id,
        subnet_ids=tuple(s.id for s in subnets),
        tags=tags,
    )
    return group, subnets


def check_identifier(identifier: str, *, max_length: int, parameter: str) -> None:
    """RDS and ElastiCache identifier rules: 1 to `max_length` letters, digits or hyphens, a
    letter first, no '--' and no hyphen at the end."""
    ok = (
        0 < len(identifier) <= max_length
        and identifier.isascii()
        and identifier[0].isalpha()
        and all(c.isalnum() or c == "-" for c in identifier)
        and "--" not in identifier
        and not identifier.endswith("-")
    )
    if not ok:
        raise DomainError(
            "InvalidParameterValue",
            f"The parameter {parameter} is not a valid identifier. Identifiers must "
            "begin with a letter; must contain only ASCII letters, digits, and hyphens; and "
            "must not end with a hyphen or contain two consecutive hyphens.",
        )


def status_of(view: View, service: PlacedService) -> str:
    """A DB instance's or cache cluster's status now (creating -> available, deleting)."""
    now, settle = view.now(), view.clock.settle_seconds
    return service_status(service.created_at, service.deleted_at, now, settle)


def live_services(view: View, kind: type[ServiceT]) -> list[ServiceT]:
    """The DB instances or cache clusters Describe lists: deleted ones are gone."""
    return [s for s in view.all(kind) if status_of(view, s) != "deleted"]


def find_live_service(view: View, kind: type[ServiceT], name: str) -> ServiceT | None:
    """The DB instance or cache cluster of that name (case-insensitive) unless gone."""
    service = view.get(kind, name.lower())
    if service is None or status_of(view, service) == "deleted":
        return None
    return service


def delete_unused_subnet_group(
    tx: Tx,
    group: ServiceSubnetGroup,
    service_kind: type[PlacedService],
    in_use: Callable[[str], DomainError],
) -> None:
    """Delete a subnet group unless a live DB instance or cache cluster uses it; then the
    service's own in-use error, naming the first user."""
    users = [s.id for s in live_services(tx, service_kind) if s.subnet_group == group.id]
    if users:
        raise in_use(users[0])
    tx.delete(type(group), group.id)


def mark_deleting(
    tx: Tx, service: ServiceT, eni_ids: Sequence[str], already_deleting: DomainError
) -> ServiceT:
    """Delete a DB instance or cache cluster: its ENIs released, status `deleting` until the
    clock settles; a second delete meanwhile is refused with the service's own error."""
    if service.deleted_at is not None:
        raise already_deleting
    release_enis(tx, eni_ids)
    deleted = evolve(service, deleted_at=tx.now())
    tx.put(deleted)
    return deleted


def service_groups(view: View, group_ids: Sequence[str], vpc_id: str) -> tuple[str, ...]:
    """Security groups for a service ENI: known and of the subnet group's VPC, else the default."""
    if not group_ids:
        return (network_interfaces.default_group(view, vpc_id),)
    for subnet in view.iter(Subnet):
        if subnet.vpc_id == vpc_id:
            return network_interfaces.check_groups(view, group_ids, subnet)
    raise DomainError("InvalidVPCNetworkStateFault", f"VPC {vpc_id} has no subnets")


def place_service_eni(
    tx: Tx,
    subnet: Subnet,
    groups: tuple[str, ...],
    *,
    description: str,
    requester: str,
    public: bool = False,
) -> NetworkInterface:
    """A requester-managed ENI holding the lowest free address of the subnet (SVC-1, SVC-2)."""
    eni = network_interfaces.new_interface(
        tx, subnet, group_ids=groups, addresses=AddressRequest(), description=description
    )
    placed = evolve(
        eni,
        requester_managed=True,
        requester_id=requester,
        public_ip=addresses.new_public_ip(tx) if public else None,
    )
    tx.put(placed)
    return placed


def release_enis(tx: Tx, eni_ids: Sequence[str]) -> None:
    """Remove a service's ENIs when the service is deleted (ENI-8: only the owner can)."""
    for eni_id in eni_ids:
        eni = tx.get(NetworkInterface, eni_id)
        if eni is not None:
            network_interfaces.release(tx, eni)


def least_used_subnet(view: View, subnets: Sequence[Subnet]) -> Subnet:
    """The subnet a managed service picks: the one with the most free addresses, by id order."""
    from vpclab.control.addressing import usable_count, used_addresses

    return max(
        sorted(subnets, key=lambda s: s.id),
        key=lambda s: usable_count(s.cidr_block) - len(used_addresses(view, s.id)),
    )


# -- DB subnet groups ------------------------------------------------------------------------------
def subnet_group_missing(name: str) -> DomainError:
    """RDS's error for an unknown DB subnet group."""
    return DomainError("DBSubnetGroupNotFoundFault", f"DBSubnetGroup '{name}' not found.")


def require_subnet_group(view: View, name: str) -> DbSubnetGroup:
    """The DB subnet group of that name (names are case-insensitive and stored lower-case)."""
    group = view.get(DbSubnetGroup, name.lower())
    if group is None:
        raise subnet_group_missing(name)
    return group


def create_db_subnet_group(
    tx: Tx, *, name: str, description: str, subnet_ids: Sequence[str], tags: Tags = ()
) -> DbSubnetGroup:
    """CreateDBSubnetGroup: subnets of one VPC in at least two AZs (SVC-2)."""
    group, subnets = new_subnet_group(
        tx,
        DbSubnetGroup,
        name=name,
        description=description,
        subnet_ids=subnet_ids,
        tags=tags,
        name_taken=DomainError(
            "DBSubnetGroupAlreadyExists", f"The DB subnet group '{name}' already exists."
        ),
        mixed_message="Subnets must all belong to the same VPC.",
    )
    zones = sorted({s.availability_zone for s in subnets})
    if len(zones) < 2:
        raise DomainError(
            "DBSubnetGroupDoesNotCoverEnoughAZs",
            "The DB subnet group doesn't meet Availability Zone (AZ) coverage requirement. "
            f"Current AZ coverage: {', '.join(zones)}. Add subnets to cover at least 2 AZs.",
        )
    tx.put(group)
    return group


def delete_db_subnet_group(tx: Tx, name: str) -> None:
    """DeleteDBSubnetGroup: refused while a DB instance uses the group."""
    delete_unused_subnet_group(
        tx,
        require_subnet_group(tx, name),
        DbInstance,
        lambda user: DomainError(
            "InvalidDBSubnetGroupStateFault",
            f"Cannot delete the subnet group '{name}' because at least one database instance: "
            f"{user} is still using it.",
        ),
    )


# -- DB instances ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class DbRequest:
    """What CreateDBInstance asks for, in model terms."""

    identifier: str
    engine: str
    instance_class: str
    subnet_group: str
    master_username: str = "admin"
    allocated_storage: int = 20
    port: int | None = None
    group_ids: tuple[str, ...] = ()
    publicly_accessible: bool = False
    engine_version: str | None = None
    tags: Tags = ()


def visible_instances(view: View) -> list[DbInstance]:
    """The DB instances Describe lists: deleted ones are gone."""
    return live_services(view, DbInstance)


def require_instance(view: View, identifier: str) -> DbInstance:
    """The DB instance of that identifier, or RDS's DBInstanceNotFound."""
    db = find_live_service(view, DbInstance, identifier)
    if db is None:
        raise DomainError("DBInstanceNotFound", f"DBInstance {identifier} not found.")
    return db


def check_public_access(view: View, group: DbSubnetGroup) -> None:
    """SVC-2: a public DB needs an attached IGW routed from its subnets and DNS support+hostnames."""
    vpc = view.get(Vpc, group.vpc_id)
    igws = {igw.id for igw in view.iter(InternetGateway) if igw.vpc_id == group.vpc_id}
    if not igws:
        raise DomainError(
            "InvalidVPCNetworkStateFault",
            "Cannot create a publicly accessible DBInstance. The specified VPC has no internet "
            "gateway attached.Update the VPC and then try again",
        )
    for subnet_id in group.subnet_ids:
        table = subnet_route_table(view, subnet_id)
        if not any(r.target.id in igws and route_state(view, r) == "active" for r in table.routes):
            raise DomainError(
                "InvalidVPCNetworkStateFault",
                f"Cannot create a publicly accessible DBInstance. The specified subnet "
                f"{subnet_id} does not route to an internet gateway.",
            )
    if vpc is None or not (vpc.enable_dns_support and vpc.enable_dns_hostnames):
        raise DomainError(
            "InvalidVPCNetworkStateFault",
            "Cannot create a publicly accessible DBInstance. The specified VPC does not support "
            "DNS resolution, DNS hostnames, or both. Update the VPC and then try again",
        )


def create_db_instance(tx: Tx, request: DbRequest) -> DbInstance:
    """CreateDBInstance in a DB subnet group: a private ENI, public only when allowed (SVC-2)."""
    check_identifier(request.identifier, max_length=63, parameter="DBInstanceIdentifier")
    key = request.identifier.lower()
    if find_live_service(tx, DbInstance, key) is not None:
        raise DomainError("DBInstanceAlreadyExists", "DB instance already exists")
    if request.engine not in DEFAULT_PORTS:
        raise DomainError("InvalidParameterValue", f"Invalid DB engine: {request.engine}")
    group = require_subnet_group(tx, request.subnet_group)
    groups = service_groups(tx, request.group_ids, group.vpc_id)
    if request.publicly_accessible:
        check_public_access(tx, group)
    subnets = [s for s in (tx.get(Subnet, i) for i in group.subnet_ids) if s is not None]
    subnet = least_used_subnet(tx, subnets)
    eni = place_service_eni(
        tx,
        subnet,
        groups,
        description="RDSNetworkInterface",
        requester="amazon-rds",
        public=request.publicly_accessible,
    )
    db = DbInstance(
        id=key,
        engine=request.engine,
        engine_version=request.engine_version or DEFAULT_VERSIONS.get(request.engine, "1.0"),
        instance_class=request.instance_class,
        master_username=request.master_username,
        allocated_storage=request.allocated_storage,
        port=request.port or DEFAULT_PORTS[request.engine],
        subnet_group=group.id,
        vpc_id=group.vpc_id,
        groups=groups,
        publicly_accessible=request.publicly_accessible,
        eni_id=eni.id,
        resource_id="db-" + hashlib.sha256(eni.id.encode()).hexdigest()[:26].upper(),
        created_at=tx.now(),
        tags=request.tags,
    )
    tx.put(db)
    return db


def modify_db_instance(
    tx: Tx,
    identifier: str,
    *,
    group_ids: Sequence[str] | None = None,
    publicly_accessible: bool | None = None,
    port: int | None = None,
) -> DbInstance:
    """ModifyDBInstance: security groups, public accessibility (SVC-2 again) and port."""
    db = require_instance(tx, identifier)
    eni = tx.get(NetworkInterface, db.eni_id)
    if eni is None:
        raise DomainError("InvalidDBInstanceState", f"DB instance {identifier} has no network")
    groups = service_groups(tx, group_ids, db.vpc_id) if group_ids else db.groups
    public = db.publicly_accessible if publicly_accessible is None else publicly_accessible
    if public and not db.publicly_accessible:
        check_public_access(tx, require_subnet_group(tx, db.subnet_group))
    public_ip = eni.public_ip if public else None
    if public and public_ip is None:
        public_ip = addresses.new_public_ip(tx)
    tx.put(evolve(eni, groups=groups, public_ip=public_ip))
    changed = evolve(db, groups=groups, publicly_accessible=public, port=port or db.port)
    tx.put(changed)
    return changed


def delete_db_instance(tx: Tx, identifier: str) -> DbInstance:
    """DeleteDBInstance: status deleting, its ENI released; gone once the clock settles."""
    db = require_instance(tx, identifier)
    already_deleting = DomainError(
        "InvalidDBInstanceState", f"Instance {identifier} is already being deleted."
    )
    return mark_deleting(tx, db, (db.eni_id,), already_deleting)


def endpoint_address(view: View, db: DbInstance) -> str:
    """The DNS name of the DB's endpoint (resolves to its private address inside the VPC)."""
    return f"{db.id}.{endpoint_suffix(view.account, view.region)}.{view.region}.rds.amazonaws.com"
