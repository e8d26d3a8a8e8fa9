"""EC2 operations on subnets: handlers and the presenter of the Subnet shape."""

from __future__ import annotations

from collections import Counter
from typing import Any

from vpclab.api.common import arn, spec_tags, tag_list
from vpclab.api.context import RequestContext
from vpclab.api.describe import describe
from vpclab.api.registry import operation
from vpclab.control import addressing, subnets
from vpclab.control.lookup import select
from vpclab.model.errors import DomainError
from vpclab.model.vpc import Subnet


def present_subnet(ctx: RequestContext, subnet: Subnet, used: int) -> dict[str, Any]:
    """A subnet in the shape of EC2's Subnet; `used` is how many of its addresses ENIs hold (SUB-6)."""
    out: dict[str, Any] = {
        "SubnetId": subnet.id,
        "SubnetArn": arn(ctx, "subnet", subnet.id),
        "VpcId": subnet.vpc_id,
        "OwnerId": ctx.account,
        "State": "available",
        "CidrBlock": subnet.cidr_block,
        "AvailabilityZone": subnet.availability_zone,
        "AvailabilityZoneId": subnet.availability_zone_id,
        "AvailableIpAddressCount": addressing.usable_count(subnet.cidr_block) - used,
        "DefaultForAz": subnet.default_for_az,
        "MapPublicIpOnLaunch": subnet.map_public_ip_on_launch,
        "MapCustomerOwnedIpOnLaunch": subnet.map_customer_owned_ip_on_launch,
        "AssignIpv6AddressOnCreation": subnet.assign_ipv6_address_on_creation,
        "Ipv6CidrBlockAssociationSet": [
            {
                "AssociationId": a.association_id,
                "Ipv6CidrBlock": a.cidr,
                "Ipv6CidrBlockState": {"State": a.state},
                "IpSource": "amazon",
                "Ipv6AddressAttribute": "public",
            }
            for a in subnet.ipv6_associations
        ],
        "EnableDns64": subnet.enable_dns64,
        "Ipv6Native": False,
        "PrivateDnsNameOptionsOnLaunch": {
            "HostnameType": subnet.private_dns_hostname_type,
            "EnableResourceNameDnsARecord": subnet.enable_resource_name_dns_a_record,
            "EnableResourceNameDnsAAAARecord": subnet.enable_resource_name_dns_aaaa_record,
        },
        "Tags": tag_list(subnet),
        "BlockPublicAccessStates": {"InternetGatewayBlockMode": "off"},
    }
    return out


def subnet_filters(ctx: RequestContext, used: Counter[str]) -> dict[str, Any]:
    """The DescribeSubnets filters EC2 supports."""
    return {
        "subnet-id": lambda s: s.id,
        "subnet-arn": lambda s: arn(ctx, "subnet", s.id),
        "vpc-id": lambda s: s.vpc_id,
        "cidr-block": lambda s: s.cidr_block,
        "cidr": lambda s: s.cidr_block,
        "cidrBlock": lambda s: s.cidr_block,
        "availability-zone": lambda s: s.availability_zone,
        "availabilityZone": lambda s: s.availability_zone,
        "availability-zone-id": lambda s: s.availability_zone_id,
        "available-ip-address-count": lambda s: addressing.usable_count(s.cidr_block) - used[s.id],
        "default-for-az": lambda s: s.default_for_az,
        "defaultForAz": lambda s: s.default_for_az,
        "map-public-ip-on-launch": lambda s: s.map_public_ip_on_launch,
        "ipv6-cidr-block-association.ipv6-cidr-block": lambda s: [
            a.cidr for a in s.ipv6_associations
        ],
        "ipv6-cidr-block-association.association-id": lambda s: [
            a.association_id for a in s.ipv6_associations
        ],
        "ipv6-cidr-block-association.state": lambda s: [a.state for a in s.ipv6_associations],
        "ipv6-native": lambda s: False,
        "owner-id": lambda s: ctx.account,
        "state": lambda s: "available",
    }


@operation("CreateSubnet")
def create_subnet(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """CreateSubnet."""
    subnet = subnets.create_subnet(
        ctx.tx,
        vpc_id=params["VpcId"],
        cidr_block=params.get("CidrBlock"),
        availability_zone=params.get("AvailabilityZone"),
        availability_zone_id=params.get("AvailabilityZoneId"),
        tags=spec_tags(params, "subnet"),
        quotas=ctx.quotas_on,
    )
    # AWS answers a new subnet as available at once (the AWS CLI's create-subnet examples; a
    # 2015 answer read pending, so this changed; SUB-13 allows both).
    return {"Subnet": present_subnet(ctx, subnet, 0)}


@operation("CreateDefaultSubnet")
def create_default_subnet(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """CreateDefaultSubnet (VPC-18)."""
    subnet = subnets.create_default_subnet(
        ctx.tx, params.get("AvailabilityZone"), params.get("AvailabilityZoneId")
    )
    return {"Subnet": present_subnet(ctx, subnet, 0)}


@operation("DeleteSubnet")
def delete_subnet(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteSubnet."""
    subnets.delete_subnet(ctx.tx, params["SubnetId"])
    return {}


@operation("DescribeSubnets")
def describe_subnets(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeSubnets."""
    ids = params.get("SubnetIds")
    used = addressing.used_counts(ctx.tx)
    return describe(
        select(ctx.tx, Subnet, ids),
        params,
        fields=subnet_filters(ctx, used),
        present=lambda s: present_subnet(ctx, s, used[s.id]),
        list_key="Subnets",
        ids_given=bool(ids),
    )


@operation("ModifySubnetAttribute")
def modify_subnet_attribute(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """ModifySubnetAttribute: one attribute per call (SUB-9)."""
    changes: dict[str, object] = {}
    for name, field in subnets.SUBNET_BOOL_ATTRIBUTES.items():
        if name in params:
            value = params[name].get("Value")
            if value is None:
                raise DomainError(
                    "MissingParameter", f"The request must contain the parameter {name}.Value"
                )
            changes[field] = bool(value)
    if "PrivateDnsHostnameTypeOnLaunch" in params:
        changes["private_dns_hostname_type"] = params["PrivateDnsHostnameTypeOnLaunch"]
    subnets.modify_attribute(ctx.tx, params["SubnetId"], changes)
    return {}
