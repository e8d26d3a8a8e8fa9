"""What AWS creates on its own: a VPC's companions (VPC-19) and the default VPC (VPC-15..17)."""

from __future__ import annotations

from vpclab.control.store import Tx
from vpclab.model.account import SETTINGS_ID, PartitionSettings
from vpclab.model.base import evolve
from vpclab.model.gateways import InternetGateway
from vpclab.model.ids import new_id
from vpclab.model.network_acl import (
    ALL_DENY_V4,
    ALL_DENY_V6,
    NaclAssociation,
    NaclEntry,
    NetworkAcl,
)
from vpclab.model.regions import zones
from vpclab.model.route_table import Route, RouteTable, RouteTableAssociation, RouteTarget
from vpclab.model.security_group import SecurityGroup, SgRule
from vpclab.model.state import View
from vpclab.model.vpc import CidrAssociation, Subnet, Vpc

DEFAULT_VPC_CIDR = "172.31.0.0/16"
DEFAULT_SG_DESCRIPTION = "default VPC security group"


def local_routes(vpc: Vpc) -> tuple[Route, ...]:
    """One local route per VPC block, as every table of the VPC carries them (RT-1)."""
    routes = [
        Route(destination=a.cidr, target=RouteTarget(kind="local"), origin="CreateRouteTable")
        for a in vpc.cidr_associations
        if a.state == "associated"
    ]
    routes += [
        Route(destination_ipv6=a.cidr, target=RouteTarget(kind="local"), origin="CreateRouteTable")
        for a in vpc.ipv6_associations
        if a.state == "associated"
    ]
    return tuple(routes)


# Rule numbers of a default NACL's allow-all entries (VPC-19).
DEFAULT_ALLOW_V4 = 100
DEFAULT_ALLOW_V6 = 101


def everywhere_entry(rule_number: int, egress: bool, *, allow: bool, ipv6: bool) -> NaclEntry:
    """An entry for all traffic to or from everywhere (0.0.0.0/0 or ::/0): what the default
    NACL's allow entries and every NACL's * deny entries are (VPC-19, VPC-20, NACL-11)."""
    return NaclEntry(
        rule_number=rule_number,
        egress=egress,
        protocol="-1",
        action="allow" if allow else "deny",
        cidr=None if ipv6 else "0.0.0.0/0",
        ipv6_cidr="::/0" if ipv6 else None,
    )


def default_nacl_entries(ipv6: bool, *, allow: bool) -> tuple[NaclEntry, ...]:
    """Entries of a default (allow) or custom (deny-only) NACL, both directions (VPC-19, NACL-11)."""
    entries: list[NaclEntry] = []
    for egress in (False, True):
        if allow:
            entries.append(everywhere_entry(DEFAULT_ALLOW_V4, egress, allow=True, ipv6=False))
            if ipv6:
                entries.append(everywhere_entry(DEFAULT_ALLOW_V6, egress, allow=True, ipv6=True))
        entries.append(everywhere_entry(ALL_DENY_V4, egress, allow=False, ipv6=False))
        if ipv6:
            entries.append(everywhere_entry(ALL_DENY_V6, egress, allow=False, ipv6=True))
    return tuple(entries)


def new_egress_all_rule(ipv6: bool = False) -> SgRule:
    """The all-traffic egress rule a new group starts with (SG-4)."""
    if ipv6:
        return SgRule(id=new_id("sgr"), egress=True, protocol="-1", cidr_ipv6="::/0")
    return SgRule(id=new_id("sgr"), egress=True, protocol="-1", cidr_ipv4="0.0.0.0/0")


def dhcp_options_id(account: str, region: str) -> str:
    """The id of the region's default DHCP options set, stable per account and region."""
    import hashlib

    return "dopt-0" + hashlib.sha256(f"{account}/{region}".encode()).hexdigest()[:16]


def create_companions(tx: Tx, vpc: Vpc) -> None:
    """The main route table, default NACL and default security group of a new VPC (VPC-19)."""
    tx.put(
        RouteTable(
            id=new_id("rtb"),
            vpc_id=vpc.id,
            routes=local_routes(vpc),
            associations=(RouteTableAssociation(id=new_id("rtbassoc"), main=True),),
        )
    )
    ipv6 = bool(vpc.ipv6_associations)
    tx.put(
        NetworkAcl(
            id=new_id("acl"),
            vpc_id=vpc.id,
            is_default=True,
            entries=default_nacl_entries(ipv6, allow=True),
        )
    )
    sg_id = new_id("sg")
    rules = [
        SgRule(
            id=new_id("sgr"), egress=False, protocol="-1", group_id=sg_id, group_owner=tx.account
        ),
        new_egress_all_rule(),
    ]
    if ipv6:
        rules.append(new_egress_all_rule(ipv6=True))
    tx.put(
        SecurityGroup(
            id=sg_id,
            name="default",
            description=DEFAULT_SG_DESCRIPTION,
            vpc_id=vpc.id,
            rules=tuple(rules),
        )
    )


def default_vpc(view: View) -> Vpc | None:
    """The partition's default VPC, if it has one."""
    for vpc in view.iter(Vpc):
        if vpc.is_default:
            return vpc
    return None


def default_subnet_cidr(index: int) -> str:
    """The /20 AWS gives the default subnet of the index-th zone (172.31.0.0/20, 172.31.16.0/20, ...)."""
    return f"172.31.{index * 16}.0/20"


def create_default_vpc(tx: Tx) -> Vpc:
    """The default VPC with a public /20 per zone, an attached IGW and 0.0.0.0/0 to it (VPC-15)."""
    now = tx.now()
    vpc = Vpc(
        id=new_id("vpc"),
        cidr_block=DEFAULT_VPC_CIDR,
        cidr_associations=(
            CidrAssociation(association_id=new_id("vpc-cidr-assoc"), cidr=DEFAULT_VPC_CIDR),
        ),
        is_default=True,
        enable_dns_hostnames=True,
        dhcp_options_id=dhcp_options_id(tx.account, tx.region),
        created_at=now,
    )
    tx.put(vpc)
    create_companions(tx, vpc)
    igw = InternetGateway(id=new_id("igw"), vpc_id=vpc.id)
    tx.put(igw)
    main = next(rt for rt in tx.iter(RouteTable) if rt.vpc_id == vpc.id)
    tx.put(
        RouteTable(
            id=main.id,
            vpc_id=vpc.id,
            routes=(
                *main.routes,
                Route(
                    destination="0.0.0.0/0",
                    target=RouteTarget(kind="gateway", id=igw.id),
                    vpc_id=vpc.id,
                ),
            ),
            associations=main.associations,
        )
    )
    for index, zone in enumerate(zones(tx.region)):
        tx.put(
            Subnet(
                id=new_id("subnet"),
                vpc_id=vpc.id,
                cidr_block=default_subnet_cidr(index),
                availability_zone=zone.name,
                availability_zone_id=zone.zone_id,
                map_public_ip_on_launch=True,
                default_for_az=True,
                created_at=now,
            )
        )
    # Default subnets start on the default NACL like any other subnet (NACL-12).
    acl = next(a for a in tx.iter(NetworkAcl) if a.vpc_id == vpc.id)
    subnet_ids = sorted(s.id for s in tx.iter(Subnet) if s.vpc_id == vpc.id)
    links = tuple(NaclAssociation(id=new_id("aclassoc"), subnet_id=sid) for sid in subnet_ids)
    tx.put(evolve(acl, associations=links))
    return vpc


def ensure_partition(tx: Tx) -> None:
    """Set a partition up on first use: create its default VPC once, never again (VPC-15, VPC-17)."""
    from vpclab.control.prefix_lists import ensure_aws_managed

    ensure_aws_managed(tx)  # also fills partitions restored from state older than the lists
    if tx.get(PartitionSettings, SETTINGS_ID) is not None:
        return
    if not zones(tx.region):
        return
    create_default_vpc(tx)
    tx.put(PartitionSettings(id=SETTINGS_ID, default_vpc_created=True))
