"""VPCs and subnets (spec sections 1 and 2)."""

from __future__ import annotations

from dataclasses import dataclass

from vpclab.model.base import Resource, register


@dataclass(frozen=True, slots=True, kw_only=True)
class CidrAssociation:
    """One IPv4 or IPv6 block of a VPC or subnet (VPC-11)."""

    association_id: str
    cidr: str
    state: str = "associated"


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class Vpc(Resource):
    """A VPC: its address blocks, tenancy, DNS attributes and whether it is the default one."""

    kind = "vpc"
    id_prefix = "vpc"
    resource_type = "vpc"
    cidr_block: str
    cidr_associations: tuple[CidrAssociation, ...]
    ipv6_associations: tuple[CidrAssociation, ...] = ()
    instance_tenancy: str = "default"
    is_default: bool = False
    dhcp_options_id: str = "dopt-default"
    enable_dns_support: bool = True
    enable_dns_hostnames: bool = False
    enable_network_address_usage_metrics: bool = False
    created_at: float = 0.0

    def cidrs(self) -> tuple[str, ...]:
        """The IPv4 blocks that are usable now (associated)."""
        return tuple(a.cidr for a in self.cidr_associations if a.state == "associated")


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class Subnet(Resource):
    """A subnet: one CIDR in one availability zone of a VPC."""

    kind = "subnet"
    id_prefix = "subnet"
    resource_type = "subnet"
    vpc_id: str
    cidr_block: str
    availability_zone: str
    availability_zone_id: str
    map_public_ip_on_launch: bool = False
    default_for_az: bool = False
    assign_ipv6_address_on_creation: bool = False
    ipv6_associations: tuple[CidrAssociation, ...] = ()
    enable_dns64: bool = False
    map_customer_owned_ip_on_launch: bool = False
    private_dns_hostname_type: str = "ip-name"
    enable_resource_name_dns_a_record: bool = False
    enable_resource_name_dns_aaaa_record: bool = False
    created_at: float = 0.0
