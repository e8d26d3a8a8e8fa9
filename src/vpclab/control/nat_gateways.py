"""NAT gateways: creation (or a failed gateway), deletion, quota and ENI (spec 5.1, AMB-27)."""

from __future__ import annotations

from vpclab.control import addressing
from vpclab.control.addresses import disassociate, nat_gateway_using, vpc_has_igw
from vpclab.control.lookup import require
from vpclab.control.store import Tx
from vpclab.model.base import Tags, evolve
from vpclab.model.errors import DomainError
from vpclab.model.gateways import Address, NatGateway
from vpclab.model.ids import new_id, random_mac
from vpclab.model.interface import NetworkInterface, PrivateIp
from vpclab.model.lifecycle import nat_gateway_state, nat_gateway_visible
from vpclab.model.state import View
from vpclab.model.vpc import Subnet

# NAT-15: 5 per AZ. Enforced always, not only with `--quotas aws`: it is a per-zone limit, like
# the per-object limits, and a design that needs a sixth gateway in one zone fails on AWS too.
MAX_PER_ZONE = 5
COUNTED_STATES = ("pending", "available", "deleting")
CONNECTIVITY_TYPES = ("public", "private")

# NAT-20: FailureMessage per FailureCode, exactly as the EC2 model words them.
FAILURE_MESSAGES = {
    "InsufficientFreeAddressesInSubnet": "Subnet has insufficient free addresses to create this NAT gateway",
    "Gateway.NotAttached": "Network {vpc_id} has no Internet gateway attached",
    "InvalidAllocationID.NotFound": "Elastic IP address {allocation_id} could not be associated with this NAT gateway",
    "Resource.AlreadyAssociated": "Elastic IP address {allocation_id} is already associated",
    "InternalError": "Network interface {eni_id}, created and used internally by this NAT gateway is in an invalid state. Please try again.",
    "InvalidSubnetID.NotFound": "The specified subnet {subnet_id} does not exist or could not be found.",
}


def state_of(view: View, nat: NatGateway) -> str:
    """The gateway's state now, derived from the clock (NAT-3)."""
    return nat_gateway_state(nat, view.now(), view.clock.settle_seconds)


def visible(view: View) -> list[NatGateway]:
    """The gateways Describe lists: failed and deleted ones vanish after about an hour (NAT-3)."""
    now, settle = view.now(), view.clock.settle_seconds
    return [nat for nat in view.all(NatGateway) if nat_gateway_visible(nat, now, settle)]


def require_visible(view: View, nat_id: str) -> NatGateway:
    """A gateway that still exists for the API (NatGatewayNotFound / NatGatewayMalformed, NAT-16)."""
    nat = require(view, NatGateway, nat_id)
    if not nat_gateway_visible(nat, view.now(), view.clock.settle_seconds):
        raise DomainError("NatGatewayNotFound", f"NAT gateway {nat_id} was not found")
    return nat


def _purge_vanished(tx: Tx) -> None:
    """Forget gateways no Describe can show any more, so state does not grow without end."""
    now, settle = tx.now(), tx.clock.settle_seconds
    for nat in tx.all(NatGateway):
        if not nat_gateway_visible(nat, now, settle):
            tx.delete(NatGateway, nat.id)


def _check_quota(tx: Tx, zone: str) -> None:
    """NAT-15: at most 5 pending, available or deleting gateways per availability zone."""
    counted = sum(
        1
        for nat in tx.iter(NatGateway)
        if nat.availability_zone == zone and state_of(tx, nat) in COUNTED_STATES
    )
    if counted >= MAX_PER_ZONE:
        raise DomainError(
            "NatGatewayLimitExceeded",
            f"Performing this operation would exceed the limit of {MAX_PER_ZONE} NAT gateways",
        )


def _check_shape(connectivity_type: str, allocation_id: str | None) -> None:
    """NAT-1: public needs an Elastic IP, private must not have one (emulator's codes)."""
    if connectivity_type not in CONNECTIVITY_TYPES:
        raise DomainError(
            "InvalidParameterValue",
            f"Value ({connectivity_type}) for parameter ConnectivityType is invalid. "
            "Valid values are: private, public",
        )
    if connectivity_type == "public" and not allocation_id:
        raise DomainError("MissingParameter", "The request must contain the parameter AllocationId")
    if connectivity_type == "private" and allocation_id:
        raise DomainError(
            "InvalidParameterCombination",
            "AllocationId cannot be specified for a NAT gateway with ConnectivityType private",
        )


def _same_request(
    nat: NatGateway, subnet_id: str, connectivity_type: str, allocation_id: str | None
) -> bool:
    """Whether a retried ClientToken asks for the same gateway it created."""
    return (nat.subnet_id, nat.connectivity_type, nat.allocation_id) == (
        subnet_id,
        connectivity_type,
        allocation_id,
    )


def _failure(code: str, **ids: str) -> tuple[str, str]:
    """A FailureCode with its NAT-20 FailureMessage."""
    return code, FAILURE_MESSAGES[code].format(**ids)


def create_nat_gateway(
    tx: Tx,
    *,
    subnet_id: str,
    connectivity_type: str | None = None,
    allocation_id: str | None = None,
    private_ip: str | None = None,
    client_token: str | None = None,
    tags: Tags = (),
) -> NatGateway:
    """CreateNatGateway: unknown ids fail now, other problems give a `failed` gateway (AMB-27)."""
    kind = connectivity_type or "public"
    _check_shape(kind, allocation_id)
    if client_token:
        for nat in tx.iter(NatGateway):
            if nat.client_token == client_token:
                if not _same_request(nat, subnet_id, kind, allocation_id):
                    raise DomainError(
                        "IdempotentParameterMismatch",
                        f"Client token {client_token} was used with different parameters",
                    )
                return nat
    subnet = require(tx, Subnet, subnet_id)
    eip = require(tx, Address, allocation_id) if allocation_id else None
    used = addressing.used_addresses(tx, subnet.id)
    pinned = addressing.check_requested(subnet, private_ip, used) if private_ip else None
    _purge_vanished(tx)
    _check_quota(tx, subnet.availability_zone)
    nat = NatGateway(
        id=new_id("nat"),
        subnet_id=subnet.id,
        vpc_id=subnet.vpc_id,
        connectivity_type=kind,
        availability_zone=subnet.availability_zone,
        allocation_id=eip.id if eip else None,
        public_ip=eip.public_ip if eip else None,
        created_at=tx.now(),
        client_token=client_token,
        tags=tags,
    )
    address = pinned or _free_address(tx, subnet)
    if address is None:
        return _failed(tx, nat, _failure("InsufficientFreeAddressesInSubnet"))
    failure = _why_it_fails(tx, nat, subnet, eip)
    if failure is not None:
        return _failed(tx, nat, failure)
    eni = _create_interface(tx, nat, subnet, address)
    nat = evolve(nat, network_interface_id=eni.id, private_ip=address)
    if eip is not None:
        association = new_id("eipassoc")
        tx.put(
            evolve(eip, association_id=association, network_interface_id=eni.id, private_ip=address)
        )
        nat = evolve(nat, association_id=association)
    tx.put(nat)
    return nat


def _free_address(tx: Tx, subnet: Subnet) -> str | None:
    """The address the gateway's ENI would take, or None when the subnet is full."""
    try:
        return addressing.allocate(tx, subnet)[0]
    except DomainError:
        return None


def _failed(tx: Tx, nat: NatGateway, failure: tuple[str, str]) -> NatGateway:
    """Store a gateway that will end `failed` with this code and message (no ENI, EIP untouched)."""
    code, message = failure
    failed = evolve(nat, failure_code=code, failure_message=message)
    tx.put(failed)
    return failed


def _why_it_fails(
    tx: Tx, nat: NatGateway, subnet: Subnet, eip: Address | None
) -> tuple[str, str] | None:
    """The NAT-3 failure a gateway with an address will end in (no IGW, EIP in use), or None."""
    if nat.connectivity_type == "public" and not vpc_has_igw(tx, subnet.vpc_id):
        return _failure("Gateway.NotAttached", vpc_id=subnet.vpc_id)
    if eip is not None and eip.association_id is not None:
        return _failure("Resource.AlreadyAssociated", allocation_id=eip.id)
    return None


def _create_interface(tx: Tx, nat: NatGateway, subnet: Subnet, address: str) -> NetworkInterface:
    """The gateway's requester-managed ENI in its subnet (NAT-4): no security groups (NAT-12)."""
    eni = NetworkInterface(
        id=new_id("eni"),
        subnet_id=subnet.id,
        vpc_id=subnet.vpc_id,
        availability_zone=subnet.availability_zone,
        private_ips=(PrivateIp(address=address, primary=True),),
        mac_address=random_mac(),
        description=f"Interface for NAT Gateway {nat.id}",
        source_dest_check=False,
        interface_type="natGateway",
        requester_managed=True,
    )
    tx.put(eni)
    return eni


def _holder_id(view: View, eip: Address) -> str | None:
    """The id of the live NAT gateway holding an EIP, if any."""
    holder = nat_gateway_using(view, eip)
    return holder.id if holder is not None else None


def delete_nat_gateway(tx: Tx, nat_id: str) -> NatGateway:
    """DeleteNatGateway: deleting -> deleted; its ENI goes, its EIP is unmapped, not released (NAT-5)."""
    nat = require_visible(tx, nat_id)
    if nat.deleted_at is not None:
        return nat
    if nat.allocation_id is not None:
        eip = tx.get(Address, nat.allocation_id)
        if eip is not None and _holder_id(tx, eip) == nat.id:
            disassociate(tx, eip)
    if nat.network_interface_id is not None:
        tx.delete(NetworkInterface, nat.network_interface_id)
    deleted = evolve(nat, deleted_at=tx.now())
    tx.put(deleted)
    return deleted
