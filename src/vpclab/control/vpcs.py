"""VPC lifecycle and attributes with AWS's validations (spec section 1)."""

from __future__ import annotations

import dataclasses
import ipaddress
import secrets

from vpclab.control import defaults, peering
from vpclab.control.lookup import require
from vpclab.control.store import Tx
from vpclab.model.base import Tags, evolve
from vpclab.model.cidr import RFC1918, RFC6598, parse_v4
from vpclab.model.errors import DomainError, dependency
from vpclab.model.gateways import EgressOnlyInternetGateway, InternetGateway
from vpclab.model.ids import new_id
from vpclab.model.network_acl import NetworkAcl
from vpclab.model.peering import VpcPeeringConnection
from vpclab.model.route_table import Route, RouteTable, RouteTarget
from vpclab.model.security_group import SecurityGroup
from vpclab.model.vpc import CidrAssociation, Subnet, Vpc

MAX_VPCS = 5
MAX_IPV4_CIDRS = 5
# AMB-2: beyond the documented link-local range, refuse ranges no network can use.
FORBIDDEN = tuple(
    ipaddress.IPv4Network(n)
    for n in ("169.254.0.0/16", "0.0.0.0/8", "127.0.0.0/8", "224.0.0.0/4", "240.0.0.0/4")
)
NET_10, NET_172, NET_192 = RFC1918
NET_198_19 = ipaddress.IPv4Network("198.19.0.0/16")
NET_172_31 = ipaddress.IPv4Network("172.31.0.0/16")
NET_10_15 = ipaddress.IPv4Network("10.0.0.0/15")
NET_10_16 = ipaddress.IPv4Network("10.0.0.0/16")


def parse_vpc_cidr(text: str) -> ipaddress.IPv4Network:
    """A VPC block: valid syntax (VPC-4), canonical (VPC-3), /16-/28 (VPC-2), allowed range (VPC-7)."""
    net = parse_v4(text)
    if net is None:
        raise DomainError(
            "InvalidParameterValue",
            f"Value ({text}) for parameter cidrBlock is invalid. This is not a valid CIDR block.",
        )
    if not 16 <= net.prefixlen <= 28 or any(net.overlaps(f) for f in FORBIDDEN):
        raise DomainError("InvalidVpc.Range", f"The CIDR '{net}' is invalid.")
    return net


def vpcs_in_use(tx: Tx) -> int:
    """How many VPCs count against the regional quota."""
    return tx.count(Vpc)


def create_vpc(
    tx: Tx,
    *,
    cidr_block: str | None,
    ipam_pool: str | None = None,
    instance_tenancy: str | None = None,
    amazon_ipv6: bool = False,
    tags: Tags = (),
    quotas: bool = False,
) -> Vpc:
    """CreateVpc: validate, then create the VPC with its companions (VPC-1, VPC-2, VPC-19, VPC-23)."""
    if cidr_block is None:
        if ipam_pool is not None:
            raise DomainError(
                "InvalidParameterValue", "vpclab does not emulate IPAM pools; give CidrBlock"
            )
        raise DomainError("MissingParameter", "The request must contain the parameter CidrBlock")
    net = parse_vpc_cidr(cidr_block)
    tenancy = instance_tenancy or "default"
    if tenancy not in ("default", "dedicated"):
        raise DomainError(
            "InvalidParameterValue",
            f"Value ({tenancy}) for parameter instanceTenancy is invalid. "
            "A VPC's tenancy can only be default or dedicated.",
        )
    if quotas and vpcs_in_use(tx) >= MAX_VPCS:
        raise DomainError("VpcLimitExceeded", "The maximum number of VPCs has been reached.")
    ipv6: tuple[CidrAssociation, ...] = ()
    if amazon_ipv6:
        ipv6 = (
            CidrAssociation(association_id=new_id("vpc-cidr-assoc"), cidr=_amazon_ipv6_block()),
        )
    vpc = Vpc(
        id=new_id("vpc"),
        cidr_block=str(net),
        cidr_associations=(
            CidrAssociation(association_id=new_id("vpc-cidr-assoc"), cidr=str(net)),
        ),
        ipv6_associations=ipv6,
        instance_tenancy=tenancy,
        dhcp_options_id=defaults.dhcp_options_id(tx.account, tx.region),
        tags=tags,
        created_at=tx.now(),
    )
    tx.put(vpc)
    defaults.create_companions(tx, vpc)
    return vpc


def _amazon_ipv6_block() -> str:
    """A /56 from Amazon's pool, as AmazonProvidedIpv6CidrBlock gives."""
    return f"2600:1f18:{secrets.randbelow(0x10000):x}:{secrets.randbelow(0x100):x}00::/56"


def create_default_vpc(tx: Tx) -> Vpc:
    """CreateDefaultVpc: only when the region has none (VPC-17)."""
    if defaults.default_vpc(tx) is not None:
        raise DomainError(
            "DefaultVpcAlreadyExists",
            "A Default VPC already exists for this account in this region.",
        )
    return defaults.create_default_vpc(tx)


def delete_vpc(tx: Tx, vpc_id: str) -> None:
    """DeleteVpc: refused while anything but its companions remains (VPC-25, VPC-26, AMB-16)."""
    vpc = require(tx, Vpc, vpc_id)
    blocked = (
        any(s.vpc_id == vpc_id for s in tx.iter(Subnet))
        or any(g.vpc_id == vpc_id for g in tx.iter(InternetGateway))
        or any(g.vpc_id == vpc_id for g in tx.iter(EgressOnlyInternetGateway))
        or any(g.vpc_id == vpc_id and g.name != "default" for g in tx.iter(SecurityGroup))
        or any(rt.vpc_id == vpc_id and not rt.is_main for rt in tx.iter(RouteTable))
        or any(a.vpc_id == vpc_id and not a.is_default for a in tx.iter(NetworkAcl))
    )
    if blocked or peering.blocks_vpc_deletion(tx, vpc_id):
        raise dependency("vpc", vpc_id)
    for rt in tx.all(RouteTable):
        if rt.vpc_id == vpc_id:
            tx.delete(RouteTable, rt.id)
    for acl in tx.all(NetworkAcl):
        if acl.vpc_id == vpc_id:
            tx.delete(NetworkAcl, acl.id)
    for sg in tx.all(SecurityGroup):
        if sg.vpc_id == vpc_id:
            tx.delete(SecurityGroup, sg.id)
    peering.end_for_vpc(tx, vpc_id)
    tx.delete(Vpc, vpc.id)


def modify_attribute(tx: Tx, vpc_id: str, attribute: str, value: bool) -> None:
    """ModifyVpcAttribute: one attribute per call; DNS hostnames need DNS support (VPC-21)."""
    vpc = require(tx, Vpc, vpc_id)
    if attribute == "enable_dns_hostnames" and value and not vpc.enable_dns_support:
        raise DomainError(
            "InvalidParameterValue",
            "Cannot enable DNS hostnames for a VPC that does not have DNS support enabled.",
        )
    tx.put(evolve(vpc, **{attribute: value}))


def modify_tenancy(tx: Tx, vpc_id: str, tenancy: str) -> None:
    """ModifyVpcTenancy: only to default (VPC-23)."""
    vpc = require(tx, Vpc, vpc_id)
    if tenancy != "default":
        raise DomainError(
            "UnsupportedTenancy", "You can change the tenancy of a VPC to default only"
        )
    tx.put(evolve(vpc, instance_tenancy="default"))


def _family(net: ipaddress.IPv4Network) -> str:
    """Which range family of VPC-9 a block belongs to."""
    if net.subnet_of(NET_10):
        return "10"
    if net.subnet_of(NET_172):
        return "172"
    if net.subnet_of(NET_192):
        return "192"
    if net.subnet_of(NET_198_19):
        return "198"
    return "public"


def _check_range_family(existing: list[ipaddress.IPv4Network], new: ipaddress.IPv4Network) -> None:
    """The secondary-block restrictions of VPC-9 (kept as data so AMB-30 can relax them)."""
    new_family = "100.64" if new.subnet_of(RFC6598) else _family(new)
    for old in existing:
        fam = "public" if old.subnet_of(RFC6598) else _family(old)
        allowed = {
            "10": {"10", "public", "100.64"},
            "172": {"172", "public", "100.64"},
            "192": {"192", "public", "100.64"},
            "198": {"public", "100.64"},
            "public": {"public", "100.64"},
        }[fam]
        refused = new_family not in allowed
        if fam == "172" and new.overlaps(NET_172_31):
            refused = True
        if fam == "10" and old.subnet_of(NET_10_15) and new.subnet_of(NET_10_16):
            refused = True
        if refused:
            raise DomainError(
                "InvalidParameterValue",
                f"The CIDR '{new}' is restricted for a VPC that has the block '{old}' (VPC-9).",
            )


def associate_cidr(tx: Tx, vpc_id: str, cidr_block: str) -> CidrAssociation:
    """AssociateVpcCidrBlock (IPv4): size, overlap, range family, routes, quota, peering (VPC-8..13)."""
    vpc = require(tx, Vpc, vpc_id)
    net = parse_vpc_cidr(cidr_block)
    current = [a for a in vpc.cidr_associations if a.state == "associated"]
    existing = [ipaddress.IPv4Network(a.cidr) for a in current]
    if len(current) >= MAX_IPV4_CIDRS:
        raise DomainError(
            "CidrLimitExceeded",
            f"This network '{vpc_id}' has met its maximum number of allowed CIDRs: {MAX_IPV4_CIDRS}",
        )
    for old in existing:
        if old.overlaps(net):
            raise DomainError(
                "InvalidParameterValue",
                f"The CIDR '{net}' overlaps the VPC's existing block '{old}' (VPC-8).",
            )
    _check_range_family(existing, net)
    for rt in tx.iter(RouteTable):
        if rt.vpc_id != vpc_id:
            continue
        for route in rt.routes:
            dest = parse_v4(route.destination) if route.destination else None
            if dest is not None and route.target.kind != "local" and dest.subnet_of(net):
                raise DomainError(
                    "InvalidParameterValue",
                    f"The CIDR '{net}' contains the destination {dest} of a route in {rt.id} (VPC-8).",
                )
    _check_peering_overlap(tx, vpc, net)
    assoc = CidrAssociation(association_id=new_id("vpc-cidr-assoc"), cidr=str(net))
    tx.put(evolve(vpc, cidr_associations=(*vpc.cidr_associations, assoc)))
    for rt in tx.all(RouteTable):
        if rt.vpc_id == vpc_id:
            local = Route(
                destination=str(net), target=RouteTarget(kind="local"), origin="CreateRouteTable"
            )
            tx.put(evolve(rt, routes=(*rt.routes, local)))
    return assoc


def _check_peering_overlap(tx: Tx, vpc: Vpc, net: ipaddress.IPv4Network) -> None:
    """VPC-13: no block overlapping an active peer; no blocks at all for a pending requester."""
    for pcx in tx.iter(VpcPeeringConnection):
        status = peering.seen_now(pcx, tx).status
        if pcx.requester.vpc_id == vpc.id and status == "pending-acceptance":
            raise DomainError(
                "InvalidParameterValue",
                f"Cannot add a CIDR block while peering {pcx.id} requested by this VPC is pending (VPC-13).",
            )
        if status != "active" or vpc.id not in (pcx.requester.vpc_id, pcx.accepter.vpc_id):
            continue
        peer_side = pcx.accepter if pcx.requester.vpc_id == vpc.id else pcx.requester
        peer = tx.other(peer_side.owner_id, peer_side.region).get(Vpc, peer_side.vpc_id)
        if peer is None:
            continue
        for cidr in peer.cidrs():
            if ipaddress.IPv4Network(cidr).overlaps(net):
                raise DomainError(
                    "InvalidParameterValue",
                    f"The CIDR '{net}' overlaps {cidr} of {peer.id}, peered through {pcx.id} (VPC-13).",
                )


def disassociate_cidr(tx: Tx, association_id: str) -> tuple[Vpc, CidrAssociation]:
    """DisassociateVpcCidrBlock: never the primary; only when no subnet uses the block (VPC-12)."""
    for vpc in tx.iter(Vpc):
        for assoc in vpc.cidr_associations:
            if assoc.association_id != association_id:
                continue
            if assoc.cidr == vpc.cidr_block:
                raise DomainError(
                    "OperationNotPermitted",
                    f"The vpc CIDR block with association ID {association_id} may not be disassociated. "
                    "It is the primary IPv4 CIDR block of the VPC",
                )
            block = ipaddress.IPv4Network(assoc.cidr)
            for subnet in tx.iter(Subnet):
                if subnet.vpc_id == vpc.id and ipaddress.IPv4Network(subnet.cidr_block).subnet_of(
                    block
                ):
                    raise dependency("vpc", vpc.id)
            tx.put(
                evolve(
                    vpc,
                    cidr_associations=tuple(
                        a for a in vpc.cidr_associations if a.association_id != association_id
                    ),
                )
            )
            for rt in tx.all(RouteTable):
                if rt.vpc_id == vpc.id:
                    routes = tuple(
                        r
                        for r in rt.routes
                        if not (r.target.kind == "local" and r.destination == assoc.cidr)
                    )
                    tx.put(evolve(rt, routes=routes))
            return vpc, dataclasses.replace(assoc, state="disassociating")
    raise DomainError(
        "InvalidVpcCidrBlockAssociationID.NotFound",
        f"The vpc CIDR block association ID '{association_id}' does not exist",
    )
