"""What the web console shows, built from the EC2 API's own Describe handlers and presenters.

The side panel is the Describe handler's own output (EC2's, or for a managed service's resource,
named by its ARN, that service's: DescribeDBInstances, DescribeCacheClusters,
GetFunctionConfiguration, ...) and the topology rearranges Describe output (the same handlers
boto3 reaches), so the console cannot show a resource differently from DescribeXxx; only
instances and ENIs, the bulk of a big topology, and the managed services' placement (which ENIs
a database, cache cluster or function uses, which no Describe tells) are read through the control
functions their presenters call. Everything is read from a snapshot of the store taken under its
lock, then rendered without holding it.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from vpclab import wire
from vpclab.api.context import RequestContext
from vpclab.api.registry import find_handler
from vpclab.control import elasticache, instances, peering, rds
from vpclab.control.lambda_functions import LAMBDA_REQUESTER, enis_of
from vpclab.control.network_interfaces import public_address
from vpclab.control.store import Store, Tx
from vpclab.model.base import Resource, kind_of_id
from vpclab.model.errors import DomainError
from vpclab.model.flow_log import FlowLog
from vpclab.model.gateways import Address, EgressOnlyInternetGateway, InternetGateway, NatGateway
from vpclab.model.interface import Instance, NetworkInterface
from vpclab.model.lifecycle import nat_gateway_state, nat_gateway_visible
from vpclab.model.network_acl import NetworkAcl
from vpclab.model.peering import VpcPeeringConnection
from vpclab.model.route_state import is_public_subnet
from vpclab.model.route_table import RouteTable
from vpclab.model.security_group import PrefixList, SecurityGroup
from vpclab.model.services import (
    CacheCluster,
    CacheSubnetGroup,
    DbInstance,
    DbSubnetGroup,
    LambdaFunction,
    function_state,
)
from vpclab.model.state import Clock, View
from vpclab.model.vpc import Subnet, Vpc

# The Describe operation that renders each kind the console can show in its side panel.
DESCRIBE_ACTIONS: dict[type[Resource], str] = {
    Vpc: "DescribeVpcs",
    Subnet: "DescribeSubnets",
    RouteTable: "DescribeRouteTables",
    NetworkAcl: "DescribeNetworkAcls",
    SecurityGroup: "DescribeSecurityGroups",
    InternetGateway: "DescribeInternetGateways",
    EgressOnlyInternetGateway: "DescribeEgressOnlyInternetGateways",
    NatGateway: "DescribeNatGateways",
    VpcPeeringConnection: "DescribeVpcPeeringConnections",
    NetworkInterface: "DescribeNetworkInterfaces",
    Instance: "DescribeInstances",
    Address: "DescribeAddresses",
    PrefixList: "DescribeManagedPrefixLists",
    FlowLog: "DescribeFlowLogs",
}


@dataclass(frozen=True)
class ServiceRead:
    """How the side panel reads a managed service's resource, named by its ARN: the service's own
    Describe (or Lambda's GetFunctionConfiguration) for that one name."""

    service: str  # the ARN's service, and the handler table's
    action: str
    name_member: str
    list_key: str | None  # None: the answer is the resource itself
    options: tuple[tuple[str, Any], ...] = ()

    def params(self, name: str) -> dict[str, Any]:
        """The request naming one resource."""
        return {self.name_member: name, **dict(self.options)}


# Managed services' kinds the side panel shows (their ARN's resource type is the class's).
SERVICE_READS: dict[type[Resource], ServiceRead] = {
    DbInstance: ServiceRead("rds", "DescribeDBInstances", "DBInstanceIdentifier", "DBInstances"),
    DbSubnetGroup: ServiceRead(
        "rds", "DescribeDBSubnetGroups", "DBSubnetGroupName", "DBSubnetGroups"
    ),
    CacheCluster: ServiceRead(
        "elasticache",
        "DescribeCacheClusters",
        "CacheClusterId",
        "CacheClusters",
        (("ShowCacheNodeInfo", True),),
    ),
    CacheSubnetGroup: ServiceRead(
        "elasticache", "DescribeCacheSubnetGroups", "CacheSubnetGroupName", "CacheSubnetGroups"
    ),
    LambdaFunction: ServiceRead("lambda", "GetFunctionConfiguration", "FunctionName", None),
}


def service_arn(cls: type[Resource], account: str, region: str, name: str) -> str:
    """The ARN of a managed service's resource (how the console names it: names alone clash)."""
    return f"arn:aws:{SERVICE_READS[cls].service}:{region}:{account}:{cls.resource_type}:{name}"


# Who places a requester-managed ENI -> the service the console draws it as.
SERVICE_REQUESTERS = {
    LAMBDA_REQUESTER: "lambda",
    "amazon-elasticache": "elasticache",
    "amazon-rds": "rds",
}


@dataclass(frozen=True)
class Snapshot:
    """A private copy of every partition and its version, consistent as of one instant."""

    store: Store

    @classmethod
    def of(cls, live: Store) -> Snapshot:
        """Copy the tables (resources are frozen, so they are shared) under the store lock."""
        copy = Store(None, clock=live.clock)
        with live.lock:
            copy.partitions = {
                key: {kind: dict(items) for kind, items in tables.items()}
                for key, tables in live.partitions.items()
            }
            copy.versions = dict(live.versions)
        return cls(copy)

    def version(self, account: str, region: str) -> int:
        """The partition's change counter when the snapshot was taken."""
        return self.store.version(account, region)

    def describe(
        self,
        account: str,
        region: str,
        action: str,
        params: dict[str, Any],
        service: str = "ec2",
    ) -> dict[str, Any]:
        """Run a read handler (EC2's Describe by default) on the snapshot, as the service's API
        would for this caller."""
        handler = find_handler(service, action)
        assert handler is not None, action
        tx = Tx(self.store, account, region, {})
        ctx = RequestContext(account, region, "vpclab-console", tx, self.store, service=service)
        try:
            return handler(ctx, params)
        finally:
            tx.discard()


# Stored instance states that never move on the clock (every other one settles or, terminated,
# leaves Describe after a while), so clock_states can skip the bulk of a big partition.
_CLOCK_STILL_INSTANCE_STATES = ("running", "stopped")


def clock_states(view: View) -> tuple[Any, ...]:
    """Every state the console draws that moves on the clock alone, as of now: instances settling
    or leaving Describe an hour after termination, NAT gateways becoming available or leaving
    Describe, peerings provisioning, expiring (7 days) or leaving Describe (PCX-2, PCX-3), and
    the managed services' statuses. Read through the functions Describe uses, so it changes
    exactly when what the console shows does."""
    now, settle = view.now(), view.clock.settle_seconds
    moving_instances = tuple(
        (i.id, instances.state_of(view, i), instances.visible(view, i))
        for i in view.all(Instance)
        if i.state not in _CLOCK_STILL_INSTANCE_STATES
    )
    nats = tuple(
        (n.id, nat_gateway_state(n, now, settle), nat_gateway_visible(n, now, settle))
        for n in view.all(NatGateway)
    )
    peerings = tuple((p.id, p.status) for p in peering.visible(view))
    services = (
        tuple((db.id, rds.status_of(view, db)) for db in view.all(DbInstance)),
        tuple((c.id, elasticache.status_of(view, c)) for c in view.all(CacheCluster)),
        tuple((f.id, function_state(f, now, settle)) for f in view.all(LambdaFunction)),
    )
    return (moving_instances, nats, peerings, services)


@dataclass
class _Seen:
    """One partition's store version as the console first saw it, and the console versions given
    to what it has looked like since (whether settled, and its clock-moved states)."""

    version: int
    since: float
    numbers: dict[tuple[bool, tuple[Any, ...]], int]
    next_number: int


class LiveVersions:
    """Partition versions as the console polls them. They move with every change, once more when
    the clock-driven states that change started (pending instances, NAT gateways) have all
    settled, which happens `settle_seconds` after it without any change to the store, and again
    whenever a state the console draws moves on the clock alone however long after a change (a
    terminated instance or deleted NAT gateway leaving Describe after an hour, a peering request
    expiring after 7 days): see `clock_states`.

    A console version only grows while the partition's look moves forward (a caller that judged
    an earlier instant may get that instant's number back; the console only compares versions for
    equality). Store version v starts at 2v (or past the last number given).
    """

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], _Seen] = {}
        self._lock = threading.Lock()

    def _since(self, partition: tuple[str, str], version: int, now: float) -> _Seen:
        """The partition's record for this store version (a new one when the version moved);
        called under the lock."""
        seen = self._seen.get(partition)
        if seen is None or seen.version != version:
            start = max(2 * version, seen.next_number if seen else 0)
            seen = self._seen[partition] = _Seen(version, now, {}, start)
        return seen

    def of(
        self,
        partition: tuple[str, str],
        version: int,
        now: float,
        settle: float,
        moved: tuple[Any, ...] = (),
    ) -> int:
        """The console version of a partition whose store version is `version` at time `now`,
        with `moved` its clock_states then."""
        with self._lock:
            seen = self._since(partition, version, now)
            look = (now >= seen.since + settle, moved)
            if look not in seen.numbers:
                seen.numbers[look] = seen.next_number
                seen.next_number += 1
            return seen.numbers[look]

    def in_snapshot(self, snapshot: Snapshot, partition: tuple[str, str]) -> int:
        """The console version of a partition as of a snapshot."""
        clock = snapshot.store.clock
        version = snapshot.version(*partition)
        moved = clock_states(snapshot.store.view(*partition))
        return self.of(partition, version, clock.now(), clock.settle_seconds, moved)

    def settled(
        self, versions: Mapping[tuple[str, str], int], clock: Clock
    ) -> tuple[tuple[tuple[str, str], int], ...] | None:
        """These store versions when every partition has settled (a compiled world built now
        cannot go stale on the settle delay), else None."""
        now = clock.now()
        with self._lock:
            since = {key: self._since(key, versions[key], now).since for key in versions}
        if all(now >= since[key] + clock.settle_seconds for key in versions):
            return tuple((key, versions[key]) for key in sorted(versions))
        return None


def partitions(snapshot: Snapshot, default: tuple[str, str], live: LiveVersions) -> dict[str, Any]:
    """Every partition holding resources (and the default one), with its console version."""
    keys = {key for key, tables in snapshot.store.partitions.items() if any(tables.values())}
    keys.add(default)
    listed = [
        {
            "account": account,
            "region": region,
            "version": live.in_snapshot(snapshot, (account, region)),
        }
        for account, region in sorted(keys)
    ]
    return {"partitions": listed, "default": {"account": default[0], "region": default[1]}}


def _ids_member(action: str) -> str:
    """The input member of a Describe that lists ids (VpcIds, GroupIds, ...), from botocore."""
    op = wire.operation_model("ec2", action)
    assert op is not None, action
    (member,) = [m for m in op.input_shape.members if m.endswith("Ids")]
    return str(member)


def _items(action: str, result: dict[str, Any]) -> list[dict[str, Any]]:
    """The resources of a Describe result (instances come out of their reservations)."""
    if action == "DescribeInstances":
        return [i for r in result["Reservations"] for i in r["Instances"]]
    op = wire.operation_model("ec2", action)
    assert op is not None, action
    (key,) = [k for k, v in op.output_shape.members.items() if v.type_name == "list"]
    items: list[dict[str, Any]] = result[key]
    return items


def _service_kind(arn: str, account: str, region: str) -> tuple[type[Resource], str] | None:
    """The managed-service kind and name an ARN names (None: not such an ARN). An ARN of another
    account or region than the one asked for is InvalidParameterValue."""
    parts = arn.split(":", 6)
    if len(parts) != 7 or parts[0] != "arn" or not parts[6]:
        return None
    service, arn_region, arn_account, resource_type, name = parts[2:]
    found = [
        cls
        for cls, read in SERVICE_READS.items()
        if read.service == service and cls.resource_type == resource_type
    ]
    if not found:
        return None
    if (arn_account, arn_region) != (account, region):
        raise DomainError(
            "InvalidParameterValue",
            f"The ARN {arn} names account {arn_account} in {arn_region}, not the partition "
            f"asked for ({account} in {region})",
        )
    return found[0], name


def _service_resource(
    snapshot: Snapshot, account: str, region: str, arn: str, cls: type[Resource], name: str
) -> dict[str, Any]:
    """A managed service's resource as that service's own read operation renders it (its
    not-found error when there is none)."""
    read = SERVICE_READS[cls]
    result = snapshot.describe(account, region, read.action, read.params(name), read.service)
    found = result[read.list_key][0] if read.list_key else result
    return {"id": arn, "kind": cls.kind, "describe": _without_absent(found)}


def resource(snapshot: Snapshot, account: str, region: str, resource_id: str) -> dict[str, Any]:
    """One resource as its Describe call renders it: {"id", "kind", "describe"}.

    EC2 resources are named by id, managed services' by ARN (RDS DB instances and subnet groups,
    ElastiCache clusters and subnet groups, Lambda functions). An id of no kind the console shows
    is InvalidID; a known kind gives that Describe's own not-found or malformed error.
    """
    service = _service_kind(resource_id, account, region)
    if service is not None:
        return _service_resource(snapshot, account, region, resource_id, *service)
    cls = kind_of_id(resource_id)
    action = DESCRIBE_ACTIONS.get(cls) if cls is not None else None
    if cls is None or action is None:
        raise DomainError("InvalidID", f"The ID '{resource_id}' is not valid")
    result = snapshot.describe(account, region, action, {_ids_member(action): [resource_id]})
    found = _items(action, result)
    if not found:  # a Describe that hides gone resources rather than failing on them
        from vpclab.control.lookup import missing

        raise missing(cls, resource_id)
    return {"id": resource_id, "kind": cls.resource_type, "describe": _without_absent(found[0])}


def _without_absent(value: Any) -> Any:
    """A presented value as the wire sends it: members that are None are left out."""
    if isinstance(value, dict):
        return {k: _without_absent(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_absent(v) for v in value]
    return value


def _name(tags: Iterable[dict[str, Any]] | None) -> str | None:
    """The Name tag's value, or None."""
    return next((t["Value"] for t in tags or () if t["Key"] == "Name"), None)


def _by_id(items: Iterable[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Items sorted by their id member, so every list the console gets is deterministic."""
    return sorted(items, key=lambda item: str(item[key]))


class _Described:
    """Every Describe the topology needs, run once on one snapshot of one partition (instances
    and ENIs, its bulk, are read through the presenters' own control functions instead)."""

    def __init__(self, snapshot: Snapshot, account: str, region: str) -> None:
        def run(action: str) -> list[dict[str, Any]]:
            """All resources of one Describe, unfiltered."""
            return _items(action, snapshot.describe(account, region, action, {}))

        self.vpcs = run("DescribeVpcs")
        self.subnets = run("DescribeSubnets")
        self.igws = run("DescribeInternetGateways")
        self.eigws = run("DescribeEgressOnlyInternetGateways")
        self.nats = run("DescribeNatGateways")
        self.route_tables = run("DescribeRouteTables")
        self.acls = run("DescribeNetworkAcls")
        self.groups = run("DescribeSecurityGroups")
        self.peerings = run("DescribeVpcPeeringConnections")
        self.flow_logs = run("DescribeFlowLogs")
        view = snapshot.store.view(account, region)
        self.public = {s["SubnetId"]: is_public_subnet(view, s["SubnetId"]) for s in self.subnets}
        self.members = _members(view)
        self.services = _services(view)
        self.vpc_of = {s["SubnetId"]: s["VpcId"] for s in self.subnets} | {
            eni.id: eni.vpc_id for eni in view.all(NetworkInterface)
        }


# A placed service's kind -> its subnet group's kind and how the map titles it.
_PLACED_IN_GROUPS: dict[type[Resource], tuple[type[Resource], str]] = {
    DbInstance: (DbSubnetGroup, "RDS"),
    CacheCluster: (CacheSubnetGroup, "ElastiCache"),
}


def _service_json(
    view: View,
    resource: DbInstance | CacheCluster | LambdaFunction,
    status: str,
    eni_ids: Iterable[str],
) -> dict[str, Any]:
    """A managed service's resource as the topology lists it, with the ENIs it uses (those that
    still exist) and its subnet group, both by the ids the console names them by."""
    cls = type(resource)
    if isinstance(resource, LambdaFunction):
        detail, group = f"Lambda {resource.runtime or resource.package_type}", None
        security_groups = resource.group_ids
    else:
        group_kind, title = _PLACED_IN_GROUPS[cls]
        detail = f"{title} {resource.engine}"
        group = service_arn(group_kind, view.account, view.region, resource.subnet_group)
        security_groups = resource.groups
    return {
        "id": service_arn(cls, view.account, view.region, resource.id),
        "kind": cls.kind,
        "service": SERVICE_READS[cls].service,
        "name": resource.id,
        "detail": detail,
        "status": status,
        "eni_ids": sorted(e for e in eni_ids if view.get(NetworkInterface, e) is not None),
        "subnet_group_id": group,
        "security_group_ids": sorted(security_groups),
    }


def _services(view: View) -> dict[str, list[dict[str, Any]]]:
    """Each VPC's RDS DB instances, ElastiCache clusters and Lambda functions (those their
    Describe lists), read through the control functions their presenters call."""
    by_vpc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for db in rds.visible_instances(view):
        by_vpc[db.vpc_id].append(_service_json(view, db, rds.status_of(view, db), [db.eni_id]))
    for cluster in elasticache.visible_clusters(view):
        status = elasticache.status_of(view, cluster)
        by_vpc[cluster.vpc_id].append(_service_json(view, cluster, status, cluster.node_enis))
    for fn in view.all(LambdaFunction):
        if fn.vpc_id:
            state, _ = function_state(fn, view.now(), view.clock.settle_seconds)
            eni_ids = [eni.id for eni in enis_of(view, fn)]
            by_vpc[fn.vpc_id].append(_service_json(view, fn, state, eni_ids))
    return {vpc: sorted(items, key=lambda item: str(item["id"])) for vpc, items in by_vpc.items()}


# Instances and ENIs are the bulk of a topology (hundreds): rather than render the whole Describe
# shape of each and keep five fields, read those fields through the same control functions the
# presenters use (state, visibility, public address), which is several times faster
# (README, "Web console"); tests check the result against DescribeInstances/NetworkInterfaces.
def _instance_json(view: View, instance: Instance, primary: NetworkInterface) -> dict[str, Any]:
    """An instance as the topology lists it (addresses and groups are its primary ENI's)."""
    mapped = public_address(view, primary, primary.primary_ip)
    return {
        "id": instance.id,
        "name": instance.tag_dict().get("Name"),
        "state": instances.state_of(view, instance),
        "private_ip": primary.primary_ip,
        "public_ip": mapped.public_ip if mapped else None,
        "eni_ids": [],  # filled from the ENIs attached to it
        "security_group_ids": sorted(primary.groups),
    }


def _eni_json(view: View, eni: NetworkInterface) -> dict[str, Any]:
    """An ENI as the topology lists it (service: who placed it, when a managed service did)."""
    mapped = public_address(view, eni, eni.primary_ip)
    return {
        "id": eni.id,
        "name": eni.tag_dict().get("Name"),
        "private_ip": eni.primary_ip,
        "public_ip": mapped.public_ip if mapped else None,
        "interface_type": eni.presented_type,
        "description": eni.description,
        "instance_id": eni.attachment.instance_id if eni.attachment else None,
        "security_group_ids": sorted(eni.groups),
        "service": SERVICE_REQUESTERS.get(eni.requester_id or ""),
    }


Members = dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]


def _members(view: View) -> Members:
    """Instances (those Describe shows, placed by their primary ENI) and ENIs, by subnet id."""
    members: Members = defaultdict(lambda: ([], []))
    enis = {eni.id: eni for eni in view.all(NetworkInterface)}
    drawn: dict[str, dict[str, Any]] = {}
    for instance in view.all(Instance):
        primary = enis.get(instance.primary_eni_id)
        if primary is not None and instances.visible(view, instance):
            drawn[instance.id] = _instance_json(view, instance, primary)
            members[primary.subnet_id][0].append(drawn[instance.id])
    for eni in enis.values():
        members[eni.subnet_id][1].append(_eni_json(view, eni))
        owner = drawn.get(eni.attachment.instance_id) if eni.attachment else None
        if owner is not None:
            owner["eni_ids"].append(eni.id)
    return members


def _subnet_tables(
    described: _Described,
) -> tuple[dict[str, str], dict[str, str]]:
    """Each subnet's route table (explicit, else its VPC's main table) and its network ACL."""
    main_of_vpc = {
        t["VpcId"]: t["RouteTableId"]
        for t in described.route_tables
        if any(a.get("Main") for a in t["Associations"])
    }
    explicit = {
        a["SubnetId"]: t["RouteTableId"]
        for t in described.route_tables
        for a in t["Associations"]
        if a.get("SubnetId")
    }
    route_table = {
        s["SubnetId"]: explicit.get(s["SubnetId"], main_of_vpc.get(s["VpcId"], ""))
        for s in described.subnets
    }
    acl = {a["SubnetId"]: n["NetworkAclId"] for n in described.acls for a in n["Associations"]}
    return route_table, acl


def _subnet_json(
    subnet: dict[str, Any],
    described: _Described,
    tables: tuple[dict[str, str], dict[str, str]],
    members: tuple[list[dict[str, Any]], list[dict[str, Any]]],
) -> dict[str, Any]:
    """A subnet with what lives in it."""
    route_table, acl = tables
    placed, enis = members
    subnet_id = subnet["SubnetId"]
    return {
        "id": subnet_id,
        "name": _name(subnet.get("Tags")),
        "cidr": subnet["CidrBlock"],
        "az": subnet["AvailabilityZone"],
        "public": described.public[subnet_id],
        "route_table_id": route_table.get(subnet_id),
        "network_acl_id": acl.get(subnet_id),
        "instances": _by_id(placed, "id"),
        "enis": _by_id(enis, "id"),
    }


def _attached_to(gateway: dict[str, Any], vpc_id: str) -> dict[str, Any] | None:
    """The gateway's attachment to this VPC, if it has one."""
    return next((a for a in gateway.get("Attachments", ()) if a["VpcId"] == vpc_id), None)


def _vpc_json(
    vpc: dict[str, Any],
    described: _Described,
    tables: tuple[dict[str, str], dict[str, str]],
    members: Members,
) -> dict[str, Any]:
    """A VPC: its AZs and subnets, and the gateways, tables, ACLs and groups of it."""
    vpc_id = vpc["VpcId"]
    zones: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for subnet in _by_id(described.subnets, "SubnetId"):
        if subnet["VpcId"] == vpc_id:
            empty: tuple[list[dict[str, Any]], list[dict[str, Any]]] = ([], [])
            zones[subnet["AvailabilityZone"]].append(
                _subnet_json(subnet, described, tables, members.get(subnet["SubnetId"], empty))
            )
    in_vpc = [t for t in described.route_tables if t["VpcId"] == vpc_id]
    return {
        "id": vpc_id,
        "name": _name(vpc.get("Tags")),
        "cidrs": [a["CidrBlock"] for a in vpc["CidrBlockAssociationSet"]],
        "is_default": vpc["IsDefault"],
        "state": vpc["State"],
        "azs": [{"name": zone, "subnets": zones[zone]} for zone in sorted(zones)],
        "internet_gateways": [
            {"id": g["InternetGatewayId"], "name": _name(g.get("Tags")), "state": attached["State"]}
            for g in _by_id(described.igws, "InternetGatewayId")
            if (attached := _attached_to(g, vpc_id)) is not None
        ],
        "egress_only_internet_gateways": [
            {"id": g["EgressOnlyInternetGatewayId"], "name": _name(g.get("Tags"))}
            for g in _by_id(described.eigws, "EgressOnlyInternetGatewayId")
            if _attached_to(g, vpc_id) is not None
        ],
        "nat_gateways": [
            _nat_json(n) for n in _by_id(described.nats, "NatGatewayId") if n["VpcId"] == vpc_id
        ],
        "route_tables": [
            {
                "id": t["RouteTableId"],
                "name": _name(t.get("Tags")),
                "main": any(a.get("Main") for a in t["Associations"]),
                "subnet_ids": sorted(a["SubnetId"] for a in t["Associations"] if a.get("SubnetId")),
            }
            for t in _by_id(in_vpc, "RouteTableId")
        ],
        "network_acls": [
            {
                "id": n["NetworkAclId"],
                "name": _name(n.get("Tags")),
                "default": n["IsDefault"],
                "subnet_ids": sorted(a["SubnetId"] for a in n["Associations"]),
            }
            for n in _by_id(described.acls, "NetworkAclId")
            if n["VpcId"] == vpc_id
        ],
        "security_groups": [
            {"id": g["GroupId"], "name": _name(g.get("Tags")), "group_name": g["GroupName"]}
            for g in _by_id(described.groups, "GroupId")
            if g.get("VpcId") == vpc_id
        ],
        "services": described.services.get(vpc_id, []),
        "flow_logs": [
            {
                "id": f["FlowLogId"],
                "resource_id": f["ResourceId"],
                "traffic_type": f["TrafficType"],
                "destination": f.get("LogDestination") or f.get("LogGroupName"),
            }
            for f in _by_id(described.flow_logs, "FlowLogId")
            if f["ResourceId"] == vpc_id or described.vpc_of.get(f["ResourceId"]) == vpc_id
        ],
    }


def _nat_json(nat: dict[str, Any]) -> dict[str, Any]:
    """A NAT gateway with its primary addresses."""
    addresses: list[dict[str, Any]] = nat.get("NatGatewayAddresses") or [{}]
    primary = addresses[0]
    return {
        "id": nat["NatGatewayId"],
        "name": _name(nat.get("Tags")),
        "subnet_id": nat["SubnetId"],
        "state": nat["State"],
        "connectivity": nat["ConnectivityType"],
        "public_ip": primary.get("PublicIp"),
        "private_ip": primary.get("PrivateIp"),
    }


def topology(snapshot: Snapshot, account: str, region: str, live: LiveVersions) -> dict[str, Any]:
    """The whole partition as the console draws it (see README, "Web console")."""
    described = _Described(snapshot, account, region)
    tables = _subnet_tables(described)
    members = described.members
    return {
        "account": account,
        "region": region,
        "version": live.in_snapshot(snapshot, (account, region)),
        "vpcs": [_vpc_json(v, described, tables, members) for v in _by_id(described.vpcs, "VpcId")],
        "peering_connections": [
            {
                "id": p["VpcPeeringConnectionId"],
                "name": _name(p.get("Tags")),
                "status": p["Status"]["Code"],
                "requester_vpc_id": p["RequesterVpcInfo"]["VpcId"],
                "accepter_vpc_id": p["AccepterVpcInfo"]["VpcId"],
            }
            for p in _by_id(described.peerings, "VpcPeeringConnectionId")
        ],
    }
