"""Subnet lifecycle and attributes with AWS's validations (spec section 2)."""

from __future__ import annotations

import ipaddress

from vpclab.control import defaults
from vpclab.control.lookup import require
from vpclab.control.store import Tx
from vpclab.model.base import Tags, evolve
from vpclab.model.cidr import parse_v4
from vpclab.model.errors import DomainError, dependency
from vpclab.model.interface import NetworkInterface
from vpclab.model.network_acl import NetworkAcl
from vpclab.model.regions import Zone, zones
from vpclab.model.route_table import RouteTable
from vpclab.model.vpc import Subnet, Vpc

MAX_SUBNETS_PER_VPC = 200
RANGE_MESSAGE = "The CIDR '{cidr}' is invalid."


def pick_zone(tx: Tx, vpc_id: str, name: str | None, zone_id: str | None) -> Zone:
    """The zone asked for (by name or id), or one AWS would pick; unknown zones fail (SUB-7)."""
    offered = zones(tx.region)
    if name is not None and zone_id is not None:
        raise DomainError(
            "InvalidParameterCombination",
            "Only one of AvailabilityZone and AvailabilityZoneId can be specified",
        )
    if name is None and zone_id is None:
        if not offered:
            raise DomainError(
                "InvalidParameterValue", f"Region {tx.region} has no availability zones"
            )
        used = sum(1 for s in tx.iter(Subnet) if s.vpc_id == vpc_id)
        return offered[used % len(offered)]
    for zone in offered:
        if zone.name == name or zone.zone_id == zone_id:
            return zone
    listing = ", ".join(z.name for z in offered)
    param, value = (
        ("availabilityZone", name) if name is not None else ("availabilityZoneId", zone_id)
    )
    raise DomainError(
        "InvalidParameterValue",
        f"Value ({value}) for parameter {param} is invalid. "
        f"Subnets can currently only be created in the following availability zones: {listing}.",
    )


def check_cidr(tx: Tx, vpc: Vpc, cidr_block: str) -> str:
    """A subnet block: valid, /16-/28, inside one VPC block, overlapping no subnet (SUB-1..3, AMB-5)."""
    net = parse_v4(cidr_block)
    if net is None:
        raise DomainError(
            "InvalidParameterValue",
            f"Value ({cidr_block}) for parameter cidrBlock is invalid. This is not a valid CIDR block.",
        )
    if not 16 <= net.prefixlen <= 28:
        raise DomainError("InvalidSubnet.Range", RANGE_MESSAGE.format(cidr=net))
    if not any(net.subnet_of(ipaddress.IPv4Network(c)) for c in vpc.cidrs()):
        raise DomainError("InvalidSubnet.Range", RANGE_MESSAGE.format(cidr=net))
    for other in tx.iter(Subnet):
        if other.vpc_id == vpc.id and net.overlaps(ipaddress.IPv4Network(other.cidr_block)):
            raise DomainError(
                "InvalidSubnet.Conflict", f"The CIDR '{net}' conflicts with another subnet"
            )
    return str(net)


def create_subnet(
    tx: Tx,
    *,
    vpc_id: str,
    cidr_block: str | None,
    availability_zone: str | None = None,
    availability_zone_id: str | None = None,
    tags: Tags = (),
    quotas: bool = False,
) -> Subnet:
    """CreateSubnet: placed in a zone, implicitly on the main route table and default NACL."""
    vpc = require(tx, Vpc, vpc_id)
    if cidr_block is None:
        raise DomainError("MissingParameter", "The request must contain the parameter CidrBlock")
    cidr = check_cidr(tx, vpc, cidr_block)
    if sum(1 for s in tx.iter(Subnet) if s.vpc_id == vpc_id) >= MAX_SUBNETS_PER_VPC and quotas:
        raise DomainError(
            "SubnetLimitExceeded", f"The maximum number of subnets for {vpc_id} has been reached."
        )
    zone = pick_zone(tx, vpc_id, availability_zone, availability_zone_id)
    subnet = Subnet(
        id=_new_subnet_id(),
        vpc_id=vpc_id,
        cidr_block=cidr,
        availability_zone=zone.name,
        availability_zone_id=zone.zone_id,
        tags=tags,
        created_at=tx.now(),
    )
    tx.put(subnet)
    _associate_default_nacl(tx, subnet)
    return subnet


def _new_subnet_id() -> str:
    """A fresh subnet id."""
    from vpclab.model.ids import new_id

    return new_id("subnet")


def _associate_default_nacl(tx: Tx, subnet: Subnet) -> None:
    """Every new subnet starts on its VPC's default network ACL (SUB-12, NACL-12)."""
    from vpclab.model.ids import new_id
    from vpclab.model.network_acl import NaclAssociation

    for acl in tx.iter(NetworkAcl):
        if acl.vpc_id == subnet.vpc_id and acl.is_default:
            assoc = NaclAssociation(id=new_id("aclassoc"), subnet_id=subnet.id)
            tx.put(evolve(acl, associations=(*acl.associations, assoc)))
            return


def create_default_subnet(tx: Tx, zone_name: str | None, zone_id: str | None) -> Subnet:
    """CreateDefaultSubnet: a public /20 of the default VPC in a zone that has none (VPC-18)."""
    if (zone_name is None) == (zone_id is None):
        raise DomainError(
            "InvalidParameterCombination",
            "Exactly one of AvailabilityZone and AvailabilityZoneId is required",
        )
    vpc = defaults.default_vpc(tx)
    if vpc is None:
        raise DomainError(
            "DefaultVpcDoesNotExist", "No default VPC exists for this account in this region."
        )
    zone = pick_zone(tx, vpc.id, zone_name, zone_id)
    mine = [s for s in tx.iter(Subnet) if s.vpc_id == vpc.id]
    if any(s.default_for_az and s.availability_zone == zone.name for s in mine):
        raise DomainError(
            "DefaultSubnetAlreadyExistsInAvailabilityZone",
            f"Default subnet already exists in availability zone {zone.name}.",
        )
    taken = [ipaddress.IPv4Network(s.cidr_block) for s in mine]
    for index in range(16):
        candidate = ipaddress.IPv4Network(defaults.default_subnet_cidr(index))
        if not any(candidate.overlaps(t) for t in taken):
            subnet = Subnet(
                id=_new_subnet_id(),
                vpc_id=vpc.id,
                cidr_block=str(candidate),
                availability_zone=zone.name,
                availability_zone_id=zone.zone_id,
                map_public_ip_on_launch=True,
                default_for_az=True,
                created_at=tx.now(),
            )
            tx.put(subnet)
            _associate_default_nacl(tx, subnet)
            return subnet
    raise DomainError(
        "InsufficientCidrBlocks", "The default VPC has no free /20 left for a default subnet."
    )


def delete_subnet(tx: Tx, subnet_id: str) -> None:
    """DeleteSubnet: refused while any ENI lives in it; its associations go with it (SUB-14, AMB-28)."""
    subnet = require(tx, Subnet, subnet_id)
    if any(eni.subnet_id == subnet_id for eni in tx.iter(NetworkInterface)):
        raise dependency("subnet", subnet_id)
    for rt in tx.all(RouteTable):
        if any(a.subnet_id == subnet_id for a in rt.associations):
            tx.put(
                evolve(
                    rt, associations=tuple(a for a in rt.associations if a.subnet_id != subnet_id)
                )
            )
    for acl in tx.all(NetworkAcl):
        if any(a.subnet_id == subnet_id for a in acl.associations):
            tx.put(
                evolve(
                    acl, associations=tuple(a for a in acl.associations if a.subnet_id != subnet_id)
                )
            )
    tx.delete(Subnet, subnet.id)


SUBNET_BOOL_ATTRIBUTES = {
    "MapPublicIpOnLaunch": "map_public_ip_on_launch",
    "AssignIpv6AddressOnCreation": "assign_ipv6_address_on_creation",
    "MapCustomerOwnedIpOnLaunch": "map_customer_owned_ip_on_launch",
    "EnableDns64": "enable_dns64",
    "EnableResourceNameDnsARecordOnLaunch": "enable_resource_name_dns_a_record",
    "EnableResourceNameDnsAAAARecordOnLaunch": "enable_resource_name_dns_aaaa_record",
}


def modify_attribute(tx: Tx, subnet_id: str, changes: dict[str, object]) -> None:
    """ModifySubnetAttribute: exactly one attribute per call (SUB-9)."""
    subnet = require(tx, Subnet, subnet_id)
    if len(changes) != 1:
        raise DomainError(
            "InvalidParameterCombination",
            "Exactly one attribute can be modified per ModifySubnetAttribute request",
        )
    tx.put(evolve(subnet, **changes))
