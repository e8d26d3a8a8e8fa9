"""Route tables, routes and associations with AWS's validations (spec section 3)."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TypeVar

from vpclab.control import defaults, peering
from vpclab.control.lookup import require
from vpclab.control.store import Tx
from vpclab.model.base import Tags, evolve
from vpclab.model.cidr import AnyNet, parse_v4, parse_v6
from vpclab.model.errors import DomainError, dependency, idempotency_mismatch
from vpclab.model.gateways import EgressOnlyInternetGateway, InternetGateway, NatGateway
from vpclab.model.ids import new_id
from vpclab.model.interface import Instance, NetworkInterface
from vpclab.model.lifecycle import instance_state, nat_gateway_state
from vpclab.model.network_acl import NetworkAcl
from vpclab.model.peering import VpcPeeringConnection
from vpclab.model.route_table import Route, RouteTable, RouteTableAssociation, RouteTarget
from vpclab.model.security_group import PrefixList
from vpclab.model.vpc import Subnet, Vpc

MAX_ROUTE_TABLES_PER_VPC = 200  # main included (RT-22)
MAX_ROUTES_PER_TABLE = 50  # non-propagated, per address family (RT-22)
LOCAL_ORIGIN = "CreateRouteTable"
RESERVED_V4 = ipaddress.IPv4Network("169.254.168.0/22")  # RT-7
RESERVED_V6 = ipaddress.IPv6Network("fd00:ec2::/32")  # RT-7
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")  # RT-10, AMB-32

# Request member -> the filter-style name AWS uses for it in route error messages.
DESTINATION_NAMES = {
    "DestinationCidrBlock": "destination-cidr-block",
    "DestinationIpv6CidrBlock": "destination-ipv6-cidr-block",
    "DestinationPrefixListId": "destination-prefix-list-id",
}
# Targets of families vpclab does not emulate: such an id can never exist (RT-9).
ABSENT_TARGETS = {
    "TransitGatewayId": (
        "InvalidTransitGatewayID.NotFound",
        "The transitGateway ID '{id}' does not exist",
    ),
    "VpcEndpointId": ("InvalidVpcEndpointId.NotFound", "The Vpc Endpoint Id '{id}' does not exist"),
    "LocalGatewayId": (
        "InvalidLocalGatewayID.NotFound",
        "The localGateway ID '{id}' does not exist",
    ),
    "CarrierGatewayId": (
        "InvalidCarrierGatewayID.NotFound",
        "The carrierGateway ID '{id}' does not exist",
    ),
    "CoreNetworkArn": ("InvalidParameterValue", "The core network '{id}' does not exist"),
    "OdbNetworkArn": ("InvalidParameterValue", "The ODB network '{id}' does not exist"),
}
TARGET_PARAMS = (
    "GatewayId",
    "NatGatewayId",
    "NetworkInterfaceId",
    "InstanceId",
    "VpcPeeringConnectionId",
    "EgressOnlyInternetGatewayId",
    *ABSENT_TARGETS,
)
TERMINAL_PEERING = ("deleted", "rejected", "failed", "expired")


@dataclass(frozen=True, slots=True)
class Destination:
    """A route destination as requested, canonicalised (VPC-3), with its network when it is a CIDR."""

    member: str
    value: str
    network: AnyNet | None

    def fields(self) -> dict[str, str]:
        """The Route constructor argument this destination fills."""
        name = {
            "DestinationCidrBlock": "destination",
            "DestinationIpv6CidrBlock": "destination_ipv6",
            "DestinationPrefixListId": "destination_prefix_list",
        }[self.member]
        return {name: self.value}

    @property
    def is_ipv6(self) -> bool:
        """Whether the destination is an IPv6 block."""
        return self.member == "DestinationIpv6CidrBlock"


# -- tables ------------------------------------------------------------------------------------
Tokened = TypeVar("Tokened", RouteTable, EgressOnlyInternetGateway, NetworkAcl)


def repeated_request(tx: Tx, cls: type[Tokened], token: str | None, vpc_id: str) -> Tokened | None:
    """What an earlier create with this ClientToken made (None if new); other VPC: a mismatch."""
    if not token:
        return None
    for earlier in tx.iter(cls):
        if earlier.client_token != token:
            continue
        if earlier.vpc_id != vpc_id:
            raise idempotency_mismatch()
        return earlier
    return None


def create_route_table(
    tx: Tx, vpc_id: str, *, tags: Tags = (), quotas: bool = False, client_token: str | None = None
) -> RouteTable:
    """CreateRouteTable: only the local routes to start with (RT-1, RT-16), within quota (RT-22)."""
    vpc = require(tx, Vpc, vpc_id)
    earlier = repeated_request(tx, RouteTable, client_token, vpc_id)
    if earlier is not None:
        return earlier
    if (
        quotas
        and sum(1 for t in tx.iter(RouteTable) if t.vpc_id == vpc_id) >= MAX_ROUTE_TABLES_PER_VPC
    ):
        raise DomainError(
            "RouteTableLimitExceeded",
            f"The maximum number of route tables for {vpc_id} has been reached.",
        )
    table = RouteTable(
        id=new_id("rtb"),
        vpc_id=vpc.id,
        routes=defaults.local_routes(vpc),
        tags=tags,
        client_token=client_token,
    )
    tx.put(table)
    return table


def delete_route_table(tx: Tx, rtb_id: str) -> None:
    """DeleteRouteTable: never the main table (AMB-9), never one with associations (RT-16)."""
    table = require(tx, RouteTable, rtb_id)
    if table.associations:
        raise dependency("routeTable", rtb_id)
    tx.delete(RouteTable, rtb_id)


# -- destinations ------------------------------------------------------------------------------
def _parse_destination(member: str, value: str) -> Destination:
    """One destination value checked for syntax and canonicalised (VPC-3, VPC-4)."""
    if member == "DestinationPrefixListId":
        return Destination(member, value, None)
    network: AnyNet | None = (
        parse_v6(value) if member == "DestinationIpv6CidrBlock" else parse_v4(value)
    )
    if network is None:
        raise DomainError(
            "InvalidParameterValue",
            f"Value ({value}) for parameter {_camel(member)} is invalid. This is not a valid CIDR block.",
        )
    return Destination(member, str(network), network)


def _camel(member: str) -> str:
    """A request member in the lower-camel form EC2 names parameters in messages."""
    return member[0].lower() + member[1:]


def requested_destination(params: Mapping[str, object]) -> Destination:
    """The one destination of a route request (RT-9)."""
    given = [(m, v) for m in DESTINATION_NAMES if isinstance(v := params.get(m), str) and v]
    if not given:
        raise DomainError(
            "MissingParameter",
            "The request must contain the parameter destinationCidrBlock, "
            "destinationIpv6CidrBlock or destinationPrefixListId",
        )
    if len(given) > 1:
        raise DomainError(
            "InvalidParameterCombination",
            "Only one of destinationCidrBlock, destinationIpv6CidrBlock and "
            "destinationPrefixListId may be specified",
        )
    return _parse_destination(*given[0])


def _check_new_destination(tx: Tx, table: RouteTable, dest: Destination) -> None:
    """A destination a new route may have: not reserved (RT-7), not taken (RT-2, RT-8)."""
    if dest.member == "DestinationPrefixListId":
        require(tx, PrefixList, dest.value)
    elif dest.network is not None:
        reserved = RESERVED_V6 if dest.is_ipv6 else RESERVED_V4
        if dest.network.version == reserved.version and dest.network.subnet_of(reserved):  # type: ignore[arg-type]
            raise DomainError(
                "InvalidParameterValue",
                f"The destination CIDR block {dest.value} is equal to or more specific than "
                f"{reserved}, a range reserved by AWS, and cannot be routed.",
            )
    if find_route(table, dest) is not None:
        raise DomainError(
            "RouteAlreadyExists", f"The route identified by {dest.value} already exists."
        )


def find_route(table: RouteTable, dest: Destination) -> Route | None:
    """The route of a table with exactly this destination (RT-8)."""
    for route in table.routes:
        if route.key() == dest.value:
            return route
    return None


# -- targets -----------------------------------------------------------------------------------
def _different_networks(table: RouteTable, noun: str, target_id: str) -> DomainError:
    """AWS's error for a target outside the table's VPC (RT-10, AMB-23; OBS-9)."""
    return DomainError(
        "InvalidParameterValue",
        f"route table {table.id} and {noun} {target_id} belong to different networks",
    )


def requested_target(params: Mapping[str, object]) -> tuple[str, str]:
    """The one target of a route request as (member, id) (RT-9)."""
    given = [(m, v) for m in TARGET_PARAMS if isinstance(v := params.get(m), str) and v]
    if not given:
        raise DomainError(
            "MissingParameter",
            "The request must contain exactly one of gatewayId, natGatewayId, networkInterfaceId, "
            "instanceId, vpcPeeringConnectionId, egressOnlyInternetGatewayId, transitGatewayId, "
            "vpcEndpointId, localGatewayId, carrierGatewayId, coreNetworkArn or odbNetworkArn",
        )
    if len(given) > 1:
        names = " and ".join(_camel(m) for m, _ in given)
        raise DomainError(
            "InvalidParameterCombination", f"The parameters {names} cannot be used together"
        )
    return given[0]


def _gateway_target(tx: Tx, table: RouteTable, gateway_id: str) -> RouteTarget:
    """GatewayId: an internet gateway attached to the table's VPC (RT-10; OBS-9, OBS-17)."""
    _check_igw_of_table_vpc(tx, table, gateway_id)
    return RouteTarget(kind="gateway", id=gateway_id)


def _nat_target(tx: Tx, table: RouteTable, dest: Destination, nat_id: str) -> RouteTarget:
    """NatGatewayId: of the table's VPC, pending or available; IPv6 only for NAT64 (AMB-23, AMB-32)."""
    nat = require(tx, NatGateway, nat_id)
    if nat_gateway_state(nat, tx.now(), tx.clock.settle_seconds) not in ("pending", "available"):
        raise DomainError("NatGatewayNotFound", f"NAT gateway {nat_id} was not found")
    if nat.vpc_id != table.vpc_id:
        raise _different_networks(table, "NAT gateway", nat_id)
    if dest.is_ipv6 and not (dest.network is not None and dest.network.subnet_of(NAT64_PREFIX)):  # type: ignore[arg-type]
        raise DomainError(
            "InvalidParameterValue",
            f"A NAT gateway can take IPv6 traffic only for NAT64 ({NAT64_PREFIX}); "
            f"{dest.value} is outside it.",
        )
    return RouteTarget(kind="nat", id=nat_id)


def _eni_target(tx: Tx, table: RouteTable, eni_id: str) -> RouteTarget:
    """NetworkInterfaceId: an ENI of the table's VPC (RT-10)."""
    eni = require(tx, NetworkInterface, eni_id)
    if eni.vpc_id != table.vpc_id:
        raise _different_networks(table, "interface", eni_id)
    return RouteTarget(kind="eni", id=eni_id)


def _instance_target(tx: Tx, table: RouteTable, instance_id: str) -> tuple[RouteTarget, str]:
    """InstanceId: a live instance of the VPC with exactly one ENI, which the route follows (RT-10)."""
    instance = require(tx, Instance, instance_id)
    if instance_state(instance, tx.now(), tx.clock.settle_seconds) in (
        "shutting-down",
        "terminated",
    ):
        raise DomainError(
            "IncorrectInstanceState",
            f"The instance '{instance_id}' is not in a state from which it can be a route target.",
        )
    if instance.vpc_id != table.vpc_id:
        raise _different_networks(table, "instance", instance_id)
    enis = [
        eni.id
        for eni in tx.iter(NetworkInterface)
        if eni.attachment is not None and eni.attachment.instance_id == instance_id
    ]
    if len(enis) != 1:
        raise DomainError(
            "InvalidInstanceID",
            f"There are multiple interfaces attached to instance '{instance_id}'. "
            "Please specify an interface ID for the operation instead.",
        )
    return RouteTarget(kind="instance", id=instance_id), enis[0]


def _peering_target(tx: Tx, table: RouteTable, pcx_id: str) -> RouteTarget:
    """VpcPeeringConnectionId: a live peering of the table's VPC, even if pending (RT-10, RT-21)."""
    pcx = require(tx, VpcPeeringConnection, pcx_id)
    if peering.current(pcx, tx.now()).status in TERMINAL_PEERING:
        raise DomainError(
            "InvalidVpcPeeringConnectionID.NotFound",
            f"The vpcPeeringConnection ID '{pcx_id}' does not exist",
        )
    if table.vpc_id not in (pcx.requester.vpc_id, pcx.accepter.vpc_id):
        raise _different_networks(table, "peering connection", pcx_id)
    return RouteTarget(kind="peering", id=pcx_id)


def _egress_only_target(tx: Tx, table: RouteTable, dest: Destination, eigw_id: str) -> RouteTarget:
    """EgressOnlyInternetGatewayId: the VPC's own egress-only gateway, IPv6 only (RT-10, IGW-15)."""
    eigw = require(tx, EgressOnlyInternetGateway, eigw_id)
    if eigw.vpc_id != table.vpc_id:
        raise _different_networks(table, "egress-only internet gateway", eigw_id)
    if not dest.is_ipv6:
        raise DomainError(
            "InvalidParameterValue",
            f"An egress-only internet gateway routes IPv6 traffic only; {dest.value} is not an "
            "IPv6 destination.",
        )
    return RouteTarget(kind="egress-only", id=eigw_id)


def resolve_target(
    tx: Tx, table: RouteTable, dest: Destination, member: str, target_id: str
) -> tuple[RouteTarget, str | None]:
    """The validated target of a route and, for an instance, the ENI it resolves to (RT-10)."""
    if member in ABSENT_TARGETS:
        code, message = ABSENT_TARGETS[member]
        raise DomainError(code, message.format(id=target_id))
    if member == "GatewayId":
        return _gateway_target(tx, table, target_id), None
    if member == "NatGatewayId":
        return _nat_target(tx, table, dest, target_id), None
    if member == "NetworkInterfaceId":
        return _eni_target(tx, table, target_id), None
    if member == "InstanceId":
        return _instance_target(tx, table, target_id)
    if member == "VpcPeeringConnectionId":
        return _peering_target(tx, table, target_id), None
    return _egress_only_target(tx, table, dest, target_id), None


# -- rules about where a route may point ------------------------------------------------------
def _vpc_blocks(tx: Tx, vpc_id: str) -> list[AnyNet]:
    """Every IPv4 and IPv6 block of a VPC (the local routes' destinations)."""
    vpc = require(tx, Vpc, vpc_id)
    blocks: list[AnyNet] = [ipaddress.IPv4Network(c) for c in vpc.cidrs()]
    blocks += [ipaddress.IPv6Network(a.cidr) for a in vpc.ipv6_associations]
    return blocks


def _subnet_blocks(tx: Tx, vpc_id: str) -> set[str]:
    """Every subnet CIDR (IPv4 and IPv6) of a VPC."""
    out: set[str] = set()
    for subnet in tx.iter(Subnet):
        if subnet.vpc_id == vpc_id:
            out.add(subnet.cidr_block)
            out.update(a.cidr for a in subnet.ipv6_associations)
    return out


def _inside_vpc(blocks: list[AnyNet], network: AnyNet) -> bool:
    """Whether a destination lies strictly inside one of the VPC's blocks (RT-3)."""
    return any(
        b.version == network.version and network != b and network.subnet_of(b)  # type: ignore[arg-type]
        for b in blocks
    )


def _check_more_specific(tx: Tx, table: RouteTable, dest: Destination, target: RouteTarget) -> None:
    """Routes inside a local route: only a whole subnet CIDR to a NAT gateway or ENI (RT-3)."""
    if dest.network is None or not _inside_vpc(_vpc_blocks(tx, table.vpc_id), dest.network):
        return
    if dest.value in _subnet_blocks(tx, table.vpc_id) and target.kind in ("nat", "eni"):
        return
    raise DomainError(
        "InvalidParameterValue",
        f"The destination CIDR block {dest.value} is more specific than a local route of "
        f"{table.id}: such a route must cover an entire subnet CIDR of the VPC and target a "
        "network interface, NAT gateway or Gateway Load Balancer endpoint.",
    )


def _gateway_associated(table: RouteTable) -> bool:
    """Whether a table is a gateway route table (edge association, RT-19)."""
    return any(a.gateway_id for a in table.associations)


def _gateway_route_problem(tx: Tx, table: RouteTable, route: Route) -> str | None:
    """Why a route cannot live in a gateway route table, or None when it can (RT-19)."""
    if route.origin == LOCAL_ORIGIN and route.target.kind == "local":
        return None
    if route.target.kind != "eni":
        return f"the route {route.key()} has a target other than a network interface"
    if route.destination_prefix_list is not None:
        return f"the route {route.key()} has a prefix-list destination"
    allowed = {str(b) for b in _vpc_blocks(tx, table.vpc_id)} | _subnet_blocks(tx, table.vpc_id)
    if route.key() not in allowed:
        return f"the destination {route.key()} is neither a VPC CIDR nor a whole subnet CIDR"
    return None


def _check_gateway_table(tx: Tx, table: RouteTable, route: Route) -> None:
    """A route added to an edge-associated table must suit a gateway route table (RT-19)."""
    if not _gateway_associated(table):
        return
    problem = _gateway_route_problem(tx, table, route)
    if problem is not None:
        raise DomainError(
            "InvalidParameterValue",
            f"Route table {table.id} is associated with a gateway and cannot hold this route: "
            f"{problem}.",
        )


def _check_route_quota(table: RouteTable, ipv6: bool) -> None:
    """At most 50 non-propagated routes per table and address family (RT-22)."""
    same_family = [
        r for r in table.routes if r.is_ipv6 == ipv6 and r.origin != "EnableVgwRoutePropagation"
    ]
    if len(same_family) >= MAX_ROUTES_PER_TABLE:
        raise DomainError("RouteLimitExceeded", "The maximum number of routes has been reached.")


# -- routes ------------------------------------------------------------------------------------
def create_route(tx: Tx, rtb_id: str, params: Mapping[str, object]) -> Route:
    """CreateRoute: one destination, one valid target, no duplicate, within quota (RT-2..RT-10)."""
    table = require(tx, RouteTable, rtb_id)
    dest = requested_destination(params)
    member, target_id = requested_target(params)
    _check_new_destination(tx, table, dest)
    if member == "GatewayId" and target_id == "local":
        raise DomainError(
            "InvalidParameterValue",
            f"The target 'local' can only be restored on a local route of {rtb_id} (ReplaceRoute).",
        )
    target, target_eni = resolve_target(tx, table, dest, member, target_id)
    _check_more_specific(tx, table, dest, target)
    route = Route(target=target, target_eni=target_eni, vpc_id=table.vpc_id, **dest.fields())
    _check_gateway_table(tx, table, route)
    _check_route_quota(table, dest.is_ipv6)
    tx.put(evolve(table, routes=(*table.routes, route)))
    return route


def _existing_route(
    tx: Tx, rtb_id: str, params: Mapping[str, object]
) -> tuple[RouteTable, Destination, Route | None]:
    """The table, the requested destination and the route holding it (if any)."""
    table = require(tx, RouteTable, rtb_id)
    dest = requested_destination(params)
    return table, dest, find_route(table, dest)


LOCAL_REPLACEMENTS = ("NetworkInterfaceId", "NatGatewayId", "VpcEndpointId")


def replace_route(tx: Tx, rtb_id: str, params: Mapping[str, object]) -> Route:
    """ReplaceRoute: a new target for an existing route; the local route only as AMB-8 allows."""
    table, dest, route = _existing_route(tx, rtb_id, params)
    if route is None:
        raise DomainError(
            "InvalidParameterValue",
            f"There is no route defined for '{dest.value}' in the route table. "
            "Use CreateRoute instead.",
        )
    is_local = route.origin == LOCAL_ORIGIN
    if params.get("LocalTarget"):
        if any(params.get(m) for m in TARGET_PARAMS):
            raise DomainError(
                "InvalidParameterCombination", "LocalTarget cannot be combined with another target"
            )
        if not is_local:
            raise DomainError(
                "InvalidParameterValue",
                f"The route {dest.value} is not a local route of {rtb_id}; LocalTarget restores "
                "local routes only.",
            )
        new = replace(route, target=RouteTarget(kind="local"), target_eni=None)
    else:
        member, target_id = requested_target(params)
        if is_local and member not in LOCAL_REPLACEMENTS:
            raise DomainError(
                "InvalidParameterValue",
                f"The local route {dest.value} of {rtb_id} can only be pointed at a network "
                "interface, a NAT gateway or a Gateway Load Balancer endpoint, or restored with "
                "LocalTarget.",
            )
        target, target_eni = resolve_target(tx, table, dest, member, target_id)
        if not is_local:
            _check_more_specific(tx, table, dest, target)
        new = replace(route, target=target, target_eni=target_eni, vpc_id=table.vpc_id)
    _check_gateway_table(tx, table, new)
    tx.put(evolve(table, routes=tuple(new if r is route else r for r in table.routes)))
    return new


def delete_route(tx: Tx, rtb_id: str, params: Mapping[str, object]) -> None:
    """DeleteRoute: the exact destination of a non-local route (RT-2, RT-8, AMB-8)."""
    table, dest, route = _existing_route(tx, rtb_id, params)
    if route is None:
        raise DomainError(
            "InvalidRoute.NotFound",
            f"no route with {DESTINATION_NAMES[dest.member]} {dest.value} in route table {rtb_id}",
        )
    if route.origin == LOCAL_ORIGIN:
        raise DomainError(
            "InvalidParameterValue",
            f"cannot remove local route {dest.value} in route table {rtb_id}",
        )
    tx.put(evolve(table, routes=tuple(r for r in table.routes if r is not route)))


# -- associations ------------------------------------------------------------------------------
def find_association(tx: Tx, association_id: str) -> tuple[RouteTable, RouteTableAssociation]:
    """The table holding an association, and the association (RT-23)."""
    for table in tx.iter(RouteTable):
        for assoc in table.associations:
            if assoc.id == association_id:
                return table, assoc
    raise DomainError(
        "InvalidAssociationID.NotFound", f"The association ID '{association_id}' does not exist"
    )


def _conflict(rtb_id: str) -> DomainError:
    """AWS's error for an association that already exists elsewhere (SUB-11; OBS-12)."""
    return DomainError(
        "Resource.AlreadyAssociated",
        f"the specified association for route table {rtb_id} conflicts with an existing association",
    )


def _check_can_be_edge_table(tx: Tx, table: RouteTable) -> None:
    """A gateway route table: not main, no propagation, only local/ENI routes inside the VPC (RT-19)."""
    problem = None
    if table.is_main:
        problem = "it is the main route table"
    elif table.propagating_vgws:
        problem = "it has route propagation enabled"
    else:
        problem = next(
            (p for r in table.routes if (p := _gateway_route_problem(tx, table, r)) is not None),
            None,
        )
    if problem is not None:
        raise DomainError(
            "InvalidParameterValue",
            f"Route table {table.id} cannot be associated with a gateway: {problem}.",
        )


def _check_igw_of_table_vpc(tx: Tx, table: RouteTable, gateway_id: str) -> None:
    """An internet gateway attached to the table's VPC: what a GatewayId route target (RT-10)
    and an edge association (RT-19) both need."""
    igw = tx.get(InternetGateway, gateway_id) if gateway_id.startswith("igw-") else None
    if igw is None:
        raise DomainError(
            "InvalidGatewayID.NotFound", f"The gateway ID '{gateway_id}' does not exist"
        )
    if igw.vpc_id != table.vpc_id:
        raise _different_networks(table, "network gateway", gateway_id)


def _subnet_of_table_vpc(tx: Tx, table: RouteTable, subnet_id: str) -> None:
    """A subnet can only use a table of its own VPC (SUB-11)."""
    subnet = require(tx, Subnet, subnet_id)
    if subnet.vpc_id != table.vpc_id:
        raise _different_networks(table, "subnet", subnet_id)


def associate_route_table(
    tx: Tx, rtb_id: str, *, subnet_id: str | None, gateway_id: str | None
) -> RouteTableAssociation:
    """AssociateRouteTable with a subnet (SUB-11) or, as an edge association, a gateway (RT-19)."""
    table = require(tx, RouteTable, rtb_id)
    if subnet_id is None and gateway_id is None:
        raise DomainError(
            "MissingParameter", "The request must contain the parameter subnetId or gatewayId"
        )
    if subnet_id is not None and gateway_id is not None:
        raise DomainError(
            "InvalidParameterCombination", "Only one of subnetId and gatewayId may be specified"
        )
    taken = [a for t in tx.iter(RouteTable) for a in t.associations]
    if subnet_id is not None:
        _subnet_of_table_vpc(tx, table, subnet_id)
        if any(a.subnet_id == subnet_id for a in taken):
            raise _conflict(rtb_id)
    if gateway_id is not None:
        _check_igw_of_table_vpc(tx, table, gateway_id)
        if any(a.gateway_id == gateway_id for a in taken):
            raise _conflict(rtb_id)
        _check_can_be_edge_table(tx, table)
    assoc = RouteTableAssociation(id=new_id("rtbassoc"), subnet_id=subnet_id, gateway_id=gateway_id)
    tx.put(evolve(table, associations=(*table.associations, assoc)))
    return assoc


def disassociate_route_table(tx: Tx, association_id: str) -> None:
    """DisassociateRouteTable: the subnet falls back to the main table; never the main one (RT-15)."""
    table, assoc = find_association(tx, association_id)
    if assoc.main:
        raise DomainError(
            "InvalidParameterValue",
            f"cannot disassociate the main route table association {association_id}",
        )
    tx.put(evolve(table, associations=tuple(a for a in table.associations if a.id != assoc.id)))


def replace_route_table_association(
    tx: Tx, association_id: str, rtb_id: str
) -> RouteTableAssociation:
    """ReplaceRouteTableAssociation: move a subnet, gateway or the Main=true association (RT-15)."""
    old_table, assoc = find_association(tx, association_id)
    new_table = require(tx, RouteTable, rtb_id)
    if new_table.vpc_id != old_table.vpc_id:
        noun, target = (
            ("subnet", assoc.subnet_id) if assoc.subnet_id else ("route table", old_table.id)
        )
        raise _different_networks(new_table, noun, target or old_table.id)
    if assoc.main and _gateway_associated(new_table):
        raise DomainError(
            "InvalidParameterValue",
            f"Route table {rtb_id} is a gateway route table and cannot become the main route table.",
        )
    if assoc.gateway_id is not None:
        _check_can_be_edge_table(tx, new_table)
    moved = replace(assoc, id=new_id("rtbassoc"))
    remaining = tuple(a for a in old_table.associations if a.id != assoc.id)
    if new_table.id == old_table.id:
        tx.put(evolve(old_table, associations=(*remaining, moved)))
    else:
        tx.put(evolve(old_table, associations=remaining))
        tx.put(evolve(new_table, associations=(*new_table.associations, moved)))
    return moved
