"""EC2 operations on VPCs: handlers and the presenter of the Vpc shape."""

from __future__ import annotations

from typing import Any

from vpclab.api.common import spec_tags, tag_list
from vpclab.api.context import RequestContext
from vpclab.api.describe import describe
from vpclab.api.registry import operation
from vpclab.control import vpcs
from vpclab.control.lookup import require, select
from vpclab.model.errors import DomainError
from vpclab.model.vpc import CidrAssociation, Vpc


def present_cidr(assoc: CidrAssociation) -> dict[str, Any]:
    """An IPv4 CIDR association as EC2 shows it."""
    return {
        "AssociationId": assoc.association_id,
        "CidrBlock": assoc.cidr,
        "CidrBlockState": {"State": assoc.state},
    }


def present_ipv6(ctx: RequestContext, assoc: CidrAssociation) -> dict[str, Any]:
    """An IPv6 CIDR association as EC2 shows it."""
    return {
        "AssociationId": assoc.association_id,
        "Ipv6CidrBlock": assoc.cidr,
        "Ipv6CidrBlockState": {"State": assoc.state},
        "NetworkBorderGroup": ctx.region,
        "Ipv6Pool": "Amazon",
        "IpSource": "amazon",
        "Ipv6AddressAttribute": "public",
    }


def present_vpc(ctx: RequestContext, vpc: Vpc, state: str = "available") -> dict[str, Any]:
    """A VPC in the shape of EC2's Vpc."""
    out: dict[str, Any] = {
        "VpcId": vpc.id,
        "OwnerId": ctx.account,
        "State": state,
        "CidrBlock": vpc.cidr_block,
        "CidrBlockAssociationSet": [present_cidr(a) for a in vpc.cidr_associations],
        "DhcpOptionsId": vpc.dhcp_options_id,
        "InstanceTenancy": vpc.instance_tenancy,
        "IsDefault": vpc.is_default,
        "Tags": tag_list(vpc),
        "BlockPublicAccessStates": {"InternetGatewayBlockMode": "off"},
    }
    ipv6 = [present_ipv6(ctx, a) for a in vpc.ipv6_associations]
    if state == "pending":
        # The create answer: Amazon has not picked the IPv6 block yet (create-vpc.rst).
        for association in ipv6:
            association["Ipv6CidrBlock"] = ""
            association["Ipv6CidrBlockState"] = {"State": "associating"}
        out["Ipv6CidrBlockAssociationSet"] = ipv6
    elif ipv6:
        out["Ipv6CidrBlockAssociationSet"] = ipv6
    return out


def vpc_filters(ctx: RequestContext) -> dict[str, Any]:
    """The DescribeVpcs filters EC2 supports."""
    return {
        "vpc-id": lambda v: v.id,
        "cidr": lambda v: v.cidr_block,
        "cidr-block-association.cidr-block": lambda v: [a.cidr for a in v.cidr_associations],
        "cidr-block-association.association-id": lambda v: [
            a.association_id for a in v.cidr_associations
        ],
        "cidr-block-association.state": lambda v: [a.state for a in v.cidr_associations],
        "ipv6-cidr-block-association.ipv6-cidr-block": lambda v: [
            a.cidr for a in v.ipv6_associations
        ],
        "ipv6-cidr-block-association.association-id": lambda v: [
            a.association_id for a in v.ipv6_associations
        ],
        "ipv6-cidr-block-association.state": lambda v: [a.state for a in v.ipv6_associations],
        "ipv6-cidr-block-association.ipv6-pool": lambda v: (
            ["Amazon"] if v.ipv6_associations else []
        ),
        "dhcp-options-id": lambda v: v.dhcp_options_id,
        "is-default": lambda v: v.is_default,
        "owner-id": lambda v: ctx.account,
        "state": lambda v: "available",
    }


@operation("CreateVpc")
def create_vpc(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """CreateVpc."""
    vpc = vpcs.create_vpc(
        ctx.tx,
        cidr_block=params.get("CidrBlock"),
        ipam_pool=params.get("Ipv4IpamPoolId"),
        instance_tenancy=params.get("InstanceTenancy"),
        amazon_ipv6=bool(params.get("AmazonProvidedIpv6CidrBlock")),
        tags=spec_tags(params, "vpc"),
        quotas=ctx.quotas_on,
    )
    return {"Vpc": present_vpc(ctx, vpc, state="pending")}


@operation("CreateDefaultVpc")
def create_default_vpc(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """CreateDefaultVpc."""
    return {"Vpc": present_vpc(ctx, vpcs.create_default_vpc(ctx.tx), state="pending")}


@operation("DeleteVpc")
def delete_vpc(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteVpc."""
    vpcs.delete_vpc(ctx.tx, params["VpcId"])
    return {}


@operation("DescribeVpcs")
def describe_vpcs(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeVpcs."""
    ids = params.get("VpcIds")
    return describe(
        select(ctx.tx, Vpc, ids),
        params,
        fields=vpc_filters(ctx),
        present=lambda v: present_vpc(ctx, v),
        list_key="Vpcs",
        ids_given=bool(ids),
    )


_VPC_ATTRIBUTES = {
    "EnableDnsSupport": "enable_dns_support",
    "EnableDnsHostnames": "enable_dns_hostnames",
    "EnableNetworkAddressUsageMetrics": "enable_network_address_usage_metrics",
}
_ATTRIBUTE_NAMES = {
    "enableDnsSupport": "EnableDnsSupport",
    "enableDnsHostnames": "EnableDnsHostnames",
    "enableNetworkAddressUsageMetrics": "EnableNetworkAddressUsageMetrics",
}


@operation("ModifyVpcAttribute")
def modify_vpc_attribute(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """ModifyVpcAttribute: exactly one attribute per call (VPC-21)."""
    given = {k: v for k, v in params.items() if k in _VPC_ATTRIBUTES}
    if len(given) != 1:
        raise DomainError(
            "InvalidParameterCombination",
            "Exactly one of EnableDnsSupport, EnableDnsHostnames and "
            "EnableNetworkAddressUsageMetrics must be specified",
        )
    ((name, value),) = given.items()
    if value.get("Value") is None:
        raise DomainError(
            "MissingParameter", f"The request must contain the parameter {name}.Value"
        )
    vpcs.modify_attribute(ctx.tx, params["VpcId"], _VPC_ATTRIBUTES[name], bool(value["Value"]))
    return {}


@operation("DescribeVpcAttribute")
def describe_vpc_attribute(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeVpcAttribute: one attribute per call."""
    vpc = require(ctx.tx, Vpc, params["VpcId"])
    attribute = params["Attribute"]
    if attribute not in _ATTRIBUTE_NAMES:
        raise DomainError(
            "InvalidParameterValue", f"Value ({attribute}) for parameter attribute is invalid."
        )
    name = _ATTRIBUTE_NAMES[attribute]
    return {"VpcId": vpc.id, name: {"Value": getattr(vpc, _VPC_ATTRIBUTES[name])}}


@operation("ModifyVpcTenancy")
def modify_vpc_tenancy(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """ModifyVpcTenancy (VPC-23)."""
    vpcs.modify_tenancy(ctx.tx, params["VpcId"], params["InstanceTenancy"])
    return {"ReturnValue": True}


@operation("AssociateVpcCidrBlock")
def associate_vpc_cidr_block(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """AssociateVpcCidrBlock (IPv4 blocks)."""
    if params.get("CidrBlock") is None:
        raise DomainError(
            "MissingParameter",
            "The request must contain the parameter CidrBlock (vpclab associates IPv4 blocks only)",
        )
    assoc = vpcs.associate_cidr(ctx.tx, params["VpcId"], params["CidrBlock"])
    shown = present_cidr(assoc)
    shown["CidrBlockState"] = {"State": "associating"}
    return {"VpcId": params["VpcId"], "CidrBlockAssociation": shown}


@operation("DisassociateVpcCidrBlock")
def disassociate_vpc_cidr_block(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DisassociateVpcCidrBlock (VPC-12)."""
    vpc, assoc = vpcs.disassociate_cidr(ctx.tx, params["AssociationId"])
    return {"VpcId": vpc.id, "CidrBlockAssociation": present_cidr(assoc)}
