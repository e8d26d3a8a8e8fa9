"""Finding resources by id with EC2's exact not-found and malformed error codes (AMB-26)."""

from __future__ import annotations

from typing import TypeVar

from vpclab.model.base import Resource
from vpclab.model.errors import DomainError
from vpclab.model.gateways import Address, EgressOnlyInternetGateway, InternetGateway, NatGateway
from vpclab.model.interface import Instance, NetworkInterface
from vpclab.model.network_acl import NetworkAcl
from vpclab.model.peering import VpcPeeringConnection
from vpclab.model.route_table import RouteTable
from vpclab.model.security_group import PrefixList, SecurityGroup
from vpclab.model.state import View
from vpclab.model.vpc import Subnet, Vpc

R = TypeVar("R", bound=Resource)

# class -> (not-found code, malformed code, message with {id})
ERRORS: dict[type[Resource], tuple[str, str, str]] = {
    Vpc: ("InvalidVpcID.NotFound", "InvalidVpcID.Malformed", "The vpc ID '{id}' does not exist"),
    Subnet: (
        "InvalidSubnetID.NotFound",
        "InvalidSubnetID.Malformed",
        "The subnet ID '{id}' does not exist",
    ),
    RouteTable: (
        "InvalidRouteTableID.NotFound",
        "InvalidRouteTableId.Malformed",
        "The routeTable ID '{id}' does not exist",
    ),
    InternetGateway: (
        "InvalidInternetGatewayID.NotFound",
        "InvalidInternetGatewayId.Malformed",
        "The internetGateway ID '{id}' does not exist",
    ),
    EgressOnlyInternetGateway: (
        "InvalidEgressOnlyInternetGatewayId.NotFound",
        "InvalidEgressOnlyInternetGatewayId.Malformed",
        "The egressOnlyInternetGateway ID '{id}' does not exist",
    ),
    NatGateway: ("NatGatewayNotFound", "NatGatewayMalformed", "NAT gateway {id} was not found"),
    Address: (
        "InvalidAllocationID.NotFound",
        "InvalidAllocationID.Malformed",
        "The allocation ID '{id}' does not exist",
    ),
    SecurityGroup: (
        "InvalidGroup.NotFound",
        "InvalidGroupId.Malformed",
        "The security group '{id}' does not exist",
    ),
    PrefixList: (
        "InvalidPrefixListID.NotFound",
        "InvalidPrefixListId.Malformed",
        "The prefix list ID '{id}' does not exist",
    ),
    NetworkAcl: (
        "InvalidNetworkAclID.NotFound",
        "InvalidNetworkAclId.Malformed",
        "The networkAcl ID '{id}' does not exist",
    ),
    VpcPeeringConnection: (
        "InvalidVpcPeeringConnectionID.NotFound",
        "InvalidVpcPeeringConnectionId.Malformed",
        "The vpcPeeringConnection ID '{id}' does not exist",
    ),
    NetworkInterface: (
        "InvalidNetworkInterfaceID.NotFound",
        "InvalidNetworkInterfaceId.Malformed",
        "The networkInterface ID '{id}' does not exist",
    ),
    Instance: (
        "InvalidInstanceID.NotFound",
        "InvalidInstanceID.Malformed",
        "The instance ID '{id}' does not exist",
    ),
}


def missing(cls: type[Resource], resource_id: str) -> DomainError:
    """The error for an id that names nothing: malformed when it is not even of the right form."""
    from vpclab.model.ids import has_prefix

    if cls not in ERRORS:  # a kind without a not-found code of its own (flow logs, ...)
        return DomainError("InvalidID", f"The ID '{resource_id}' is not valid")
    not_found, malformed, message = ERRORS[cls]
    if not has_prefix(resource_id, cls.id_prefix):
        return DomainError(
            malformed, f'Invalid id: "{resource_id}" (expecting "{cls.id_prefix}-...")'
        )
    return DomainError(not_found, message.format(id=resource_id))


def require(view: View, cls: type[R], resource_id: str) -> R:
    """The resource with this id, or EC2's not-found (or malformed) error."""
    found = view.get(cls, resource_id)
    if found is None:
        raise missing(cls, resource_id)
    return found


def select(view: View, cls: type[R], ids: list[str] | None) -> list[R]:
    """All resources of a class, or exactly those ids (sorted; an unknown id is an error)."""
    if not ids:
        return view.all(cls)
    out = []
    for rid in sorted(set(ids)):
        out.append(require(view, cls, rid))
    return out
