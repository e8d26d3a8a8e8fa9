"""Model-level network builders for property tests (no API round trips, fast)."""

from __future__ import annotations

from vpclab.control.store import Store
from vpclab.model.gateways import InternetGateway
from vpclab.model.interface import EniAttachment, Instance, NetworkInterface, PrivateIp
from vpclab.model.network_acl import NaclAssociation, NaclEntry, NetworkAcl
from vpclab.model.route_table import Route, RouteTable, RouteTableAssociation, RouteTarget
from vpclab.model.security_group import SecurityGroup, SgRule
from vpclab.model.vpc import CidrAssociation, Subnet, Vpc

ACCOUNT, REGION = "123456789012", "us-east-1"
VPC = "vpc-0000000a"


def allow_all_acl() -> tuple[NaclEntry, ...]:
    """The default NACL's entries (VPC-19)."""
    return tuple(
        NaclEntry(rule_number=n, egress=e, protocol="-1", action=a, cidr="0.0.0.0/0")
        for e in (False, True)
        for n, a in ((100, "allow"), (32767, "deny"))
    )


def two_subnets(
    store: Store,
    *,
    server_rules: tuple[SgRule, ...],
    server_acl: tuple[NaclEntry, ...] | None = None,
) -> tuple[str, str]:
    """Client in 10.0.1.0/24 and server in 10.0.2.0/24 of one VPC; (client, server) instances."""
    with store.transaction(ACCOUNT, REGION) as tx:
        tx.put(
            Vpc(
                id=VPC,
                cidr_block="10.0.0.0/16",
                cidr_associations=(CidrAssociation(association_id="a", cidr="10.0.0.0/16"),),
            )
        )
        tx.put(InternetGateway(id="igw-0000000a", vpc_id=VPC))
        local = Route(
            destination="10.0.0.0/16",
            target=RouteTarget(kind="local"),
            origin="CreateRouteTable",
            vpc_id=VPC,
        )
        tx.put(
            RouteTable(
                id="rtb-0000000a",
                vpc_id=VPC,
                routes=(local,),
                associations=(RouteTableAssociation(id="rtbassoc-a", main=True),),
            )
        )
        tx.put(
            NetworkAcl(
                id="acl-0000000a",
                vpc_id=VPC,
                is_default=True,
                entries=allow_all_acl(),
                associations=(NaclAssociation(id="aclassoc-1", subnet_id="subnet-1"),),
            )
        )
        tx.put(
            NetworkAcl(
                id="acl-0000000b",
                vpc_id=VPC,
                entries=server_acl or allow_all_acl(),
                associations=(NaclAssociation(id="aclassoc-2", subnet_id="subnet-2"),),
            )
        )
        everyone = SgRule(id="sgr-out", egress=True, protocol="-1", cidr_ipv4="0.0.0.0/0")
        tx.put(
            SecurityGroup(id="sg-client", name="c", description="c", vpc_id=VPC, rules=(everyone,))
        )
        tx.put(
            SecurityGroup(
                id="sg-server",
                name="s",
                description="s",
                vpc_id=VPC,
                rules=(everyone, *server_rules),
            )
        )
        for n, group in ((1, "sg-client"), (2, "sg-server")):
            tx.put(
                Subnet(
                    id=f"subnet-{n}",
                    vpc_id=VPC,
                    cidr_block=f"10.0.{n}.0/24",
                    availability_zone="us-east-1a",
                    availability_zone_id="use1-az1",
                )
            )
            tx.put(
                NetworkInterface(
                    id=f"eni-{n}",
                    subnet_id=f"subnet-{n}",
                    vpc_id=VPC,
                    availability_zone="us-east-1a",
                    private_ips=(PrivateIp(address=f"10.0.{n}.10", primary=True),),
                    groups=(group,),
                    attachment=EniAttachment(id=f"att-{n}", instance_id=f"i-{n}", device_index=0),
                )
            )
            tx.put(
                Instance(
                    id=f"i-{n}",
                    image_id="ami-1",
                    instance_type="t3.micro",
                    subnet_id=f"subnet-{n}",
                    vpc_id=VPC,
                    availability_zone="us-east-1a",
                    primary_eni_id=f"eni-{n}",
                    state="running",
                )
            )
    return "i-1", "i-2"
