"""Internet gateways and egress-only internet gateways with AWS's validations (spec section 4)."""

from __future__ import annotations

from vpclab.control.lookup import require
from vpclab.control.route_tables import repeated_request
from vpclab.control.store import Tx
from vpclab.model.base import Tags, evolve
from vpclab.model.errors import DomainError, dependency
from vpclab.model.gateways import Address, EgressOnlyInternetGateway, InternetGateway, NatGateway
from vpclab.model.ids import new_id
from vpclab.model.interface import NetworkInterface
from vpclab.model.lifecycle import nat_gateway_state
from vpclab.model.route_table import RouteTable
from vpclab.model.vpc import Vpc

MAX_INTERNET_GATEWAYS = 5  # per region (IGW-14, Appendix B)


def create_internet_gateway(tx: Tx, *, tags: Tags = (), quotas: bool = False) -> InternetGateway:
    """CreateInternetGateway: a new, unattached gateway (IGW-1), within the regional quota (IGW-14)."""
    if quotas and tx.count(InternetGateway) >= MAX_INTERNET_GATEWAYS:
        raise DomainError(
            "InternetGatewayLimitExceeded",
            "The maximum number of internet gateways has been reached.",
        )
    igw = InternetGateway(id=new_id("igw"), tags=tags)
    tx.put(igw)
    return igw


def attached_gateway(tx: Tx, vpc_id: str) -> InternetGateway | None:
    """The internet gateway attached to a VPC, if any (IGW-2: at most one)."""
    for igw in tx.iter(InternetGateway):
        if igw.vpc_id == vpc_id:
            return igw
    return None


def attach_internet_gateway(tx: Tx, igw_id: str, vpc_id: str) -> None:
    """AttachInternetGateway: one gateway per VPC and one VPC per gateway (IGW-2)."""
    igw = require(tx, InternetGateway, igw_id)
    require(tx, Vpc, vpc_id)
    if igw.vpc_id is not None:
        raise DomainError(
            "Resource.AlreadyAssociated",
            f"resource {igw_id} is already attached to network {igw.vpc_id}",
        )
    if attached_gateway(tx, vpc_id) is not None:
        raise DomainError(
            "InvalidParameterValue", f"Network {vpc_id} already has an internet gateway attached"
        )
    tx.put(evolve(igw, vpc_id=vpc_id))


def _has_mapped_public_address(tx: Tx, vpc_id: str) -> bool:
    """Whether any address of the VPC maps to a public IPv4: public IP, EIP, NAT EIP (IGW-4)."""
    enis = [eni for eni in tx.iter(NetworkInterface) if eni.vpc_id == vpc_id]
    if any(eni.public_ip for eni in enis):
        return True
    eni_ids = {eni.id for eni in enis}
    if any(a.network_interface_id in eni_ids for a in tx.iter(Address)):
        return True
    now, settle = tx.now(), tx.clock.settle_seconds
    return any(
        nat.vpc_id == vpc_id
        and nat.connectivity_type == "public"
        and nat.allocation_id is not None
        and nat_gateway_state(nat, now, settle) in ("pending", "available", "deleting")
        for nat in tx.iter(NatGateway)
    )


def detach_internet_gateway(tx: Tx, igw_id: str, vpc_id: str) -> None:
    """DetachInternetGateway: only from its VPC, only with no mapped public address (IGW-4)."""
    igw = require(tx, InternetGateway, igw_id)
    require(tx, Vpc, vpc_id)
    if igw.vpc_id != vpc_id:
        raise DomainError(
            "Gateway.NotAttached", f"resource {igw_id} is not attached to network {vpc_id}"
        )
    if _has_mapped_public_address(tx, vpc_id):
        raise DomainError(
            "DependencyViolation",
            f"Network {vpc_id} has some mapped public address(es). "
            "Please unmap those public address(es) before detaching the gateway.",
        )
    tx.put(evolve(igw, vpc_id=None))


def delete_internet_gateway(tx: Tx, igw_id: str) -> None:
    """DeleteInternetGateway: only once detached and without an edge association (IGW-5, RT-19)."""
    igw = require(tx, InternetGateway, igw_id)
    edge_associated = any(
        a.gateway_id == igw_id for table in tx.iter(RouteTable) for a in table.associations
    )
    if igw.vpc_id is not None or edge_associated:
        raise dependency("internetGateway", igw_id)
    tx.delete(InternetGateway, igw_id)


def create_egress_only_internet_gateway(
    tx: Tx, vpc_id: str, *, tags: Tags = (), client_token: str | None = None
) -> EgressOnlyInternetGateway:
    """CreateEgressOnlyInternetGateway: one per VPC (IGW-15); a repeated ClientToken is idempotent."""
    require(tx, Vpc, vpc_id)
    earlier = repeated_request(tx, EgressOnlyInternetGateway, client_token, vpc_id)
    if earlier is not None:
        return earlier
    if any(g.vpc_id == vpc_id for g in tx.iter(EgressOnlyInternetGateway)):
        raise DomainError(
            "InvalidParameterValue",
            f"Network {vpc_id} already has an egress-only internet gateway attached",
        )
    eigw = EgressOnlyInternetGateway(
        id=new_id("eigw"), vpc_id=vpc_id, tags=tags, client_token=client_token
    )
    tx.put(eigw)
    return eigw


def delete_egress_only_internet_gateway(tx: Tx, eigw_id: str) -> None:
    """DeleteEgressOnlyInternetGateway: routes to it stay and turn blackhole (IGW-15, RT-12)."""
    require(tx, EgressOnlyInternetGateway, eigw_id)
    tx.delete(EgressOnlyInternetGateway, eigw_id)
