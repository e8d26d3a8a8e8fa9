"""Route tables, routes and their associations (spec section 3)."""

from __future__ import annotations

from dataclasses import dataclass

from vpclab.model.base import Resource, register

# Route target kinds, each with the Route field AWS reports it in (RT-11).
TARGET_FIELDS = {
    "local": "GatewayId",
    "gateway": "GatewayId",
    "egress-only": "EgressOnlyInternetGatewayId",
    "nat": "NatGatewayId",
    "eni": "NetworkInterfaceId",
    "instance": "InstanceId",
    "peering": "VpcPeeringConnectionId",
    "transit": "TransitGatewayId",
    "endpoint": "GatewayId",
    "vgw": "GatewayId",
    "carrier": "CarrierGatewayId",
    "local-gateway": "LocalGatewayId",
    "core-network": "CoreNetworkArn",
    "odb-network": "OdbNetworkArn",
}

# Targets vpclab keeps (imported from real accounts) but does not model, with the kind of path
# component each is: traffic routed to one leaves the modelled network there, and the route's
# state is the one exported, since vpclab cannot judge the target (RT-12).
UNMODELLED_TARGETS = {
    "transit": "transit-gateway",
    "endpoint": "vpc-endpoint",
    "vgw": "vpn-gateway",
    "carrier": "carrier-gateway",
    "local-gateway": "local-gateway",
    "core-network": "core-network",
    "odb-network": "odb-network",
}

# What a GatewayId names, by its prefix ("local" is the VPC's own router).
_GATEWAY_KINDS = (("vgw-", "vgw"), ("vpce-", "endpoint"))


def gateway_kind(gateway_id: str) -> str:
    """The target kind of a route's GatewayId: local, an IGW, a VGW or a VPC endpoint (RT-11)."""
    if gateway_id == "local":
        return "local"
    for prefix, kind in _GATEWAY_KINDS:
        if gateway_id.startswith(prefix):
            return kind
    return "gateway"


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteTarget:
    """Where a route sends traffic: AWS's many optional target fields folded into one value."""

    kind: str
    id: str = "local"


@dataclass(frozen=True, slots=True, kw_only=True)
class Route:
    """One route: exactly one destination (IPv4, IPv6 or prefix list) and one target."""

    destination: str | None = None
    destination_ipv6: str | None = None
    destination_prefix_list: str | None = None
    target: RouteTarget
    origin: str = "CreateRoute"
    # For an instance target the ENI it resolved to when created (routes follow the ENI).
    target_eni: str | None = None
    # The VPC of the table holding the route, so its state can be judged on its own (IGW-11).
    vpc_id: str = ""
    # State as exported from a real account, kept for targets vpclab does not model (RT-12).
    exported_state: str | None = None

    def key(self) -> str:
        """The destination that identifies this route within its table (RT-8)."""
        return self.destination or self.destination_ipv6 or self.destination_prefix_list or ""

    @property
    def is_ipv6(self) -> bool:
        """Whether the route is for IPv6 traffic (quotas count the families apart, RT-22)."""
        return self.destination_ipv6 is not None

    @property
    def leaves_model(self) -> bool:
        """Whether the target is one vpclab records but does not model (a TGW, VGW, endpoint...)."""
        return self.target.kind in UNMODELLED_TARGETS


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteTableAssociation:
    """A subnet's (or gateway's) explicit association, or the table's Main=true association."""

    id: str
    subnet_id: str | None = None
    gateway_id: str | None = None
    main: bool = False


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class RouteTable(Resource):
    """A route table of a VPC with its routes and associations."""

    kind = "route-table"
    id_prefix = "rtb"
    resource_type = "route-table"
    vpc_id: str
    routes: tuple[Route, ...]
    associations: tuple[RouteTableAssociation, ...] = ()
    propagating_vgws: tuple[str, ...] = ()
    client_token: str | None = None

    @property
    def is_main(self) -> bool:
        """Whether this is its VPC's main table (RT-15)."""
        return any(a.main for a in self.associations)
