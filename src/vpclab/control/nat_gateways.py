"""NAT gateways: creation (or a failed gateway), deletion, quota and ENI (spec 5.1, AMB-27)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vpclab.control import addressing
from vpclab.control.addresses import disassociate, nat_gateway_using, vpc_has_igw
from vpclab.control.lookup import require
from vpclab.control.store import Tx
from vpclab.model.base import Tags, evolve
from vpclab.model.errors import DomainError, idempotency_mismatch
from vpclab.model.gateways import Address, NatGateway
from vpclab.model.ids import new_id, random_mac
from vpclab.model.interface import NAT_INTERFACE_TYPE, NetworkInterface, PrivateIp
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
                    raise idempotency_mismatch()
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
        interface_type=NAT_INTERFACE_TYPE,
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
    for eip in tx.all(Address):  # the primary EIP and every secondary one
        if eip.network_interface_id is not None and _holder_id(tx, eip) == nat.id:
            disassociate(tx, eip)
    if nat.network_interface_id is not None:
        tx.delete(NetworkInterface, nat.network_interface_id)
    deleted = evolve(nat, deleted_at=tx.now())
    tx.put(deleted)
    return deleted


# -- secondary addresses (NAT-10) ---------------------------------------------------------------
# A gateway's secondary addresses live where AWS shows them: as secondary private IPs of its
# requester-managed ENI, each (for a public gateway) mapped by an Elastic IP associated with the
# ENI at that address. Draining (MaxDrainDurationSeconds) is not emulated: a disassociated or
# unassigned address is released at once. Error codes where AWS documents none are marked
# [UNCONFIRMED] and follow EC2's usual ones.

MAX_ADDRESSES = 8  # NAT-10: 1 primary + 7 secondary IPv4 addresses per gateway
MAX_EIPS_BY_DEFAULT = 2  # NAT-10: EIPs per public gateway by default (enforced with --quotas aws)


@dataclass(frozen=True, slots=True)
class SecondaryAddress:
    """One secondary address of a gateway: its private IP and, on a public one, its EIP."""

    private_ip: str
    eip: Address | None


def gateway_interface(view: View, nat: NatGateway) -> NetworkInterface | None:
    """The gateway's ENI (None for a failed gateway, which never got one)."""
    if nat.network_interface_id is None:
        return None
    return view.get(NetworkInterface, nat.network_interface_id)


def secondary_addresses(view: View, nat: NatGateway) -> list[SecondaryAddress]:
    """The gateway's secondary addresses in the order they were added."""
    eni = gateway_interface(view, nat)
    if eni is None:
        return []
    eips = {eip.private_ip: eip for eip in view.iter(Address) if eip.network_interface_id == eni.id}
    return [
        SecondaryAddress(ip.address, eips.get(ip.address))
        for ip in eni.private_ips
        if not ip.primary
    ]


def _changeable(tx: Tx, nat_id: str, connectivity_type: str, *, creating: bool) -> NatGateway:
    """A gateway whose addresses may change now: of this connectivity type and available
    (or still being created, for the Secondary* parameters of CreateNatGateway)."""
    nat = require_visible(tx, nat_id)
    state = state_of(tx, nat)
    usable = ("pending", "available") if creating else ("available",)
    if state not in usable or gateway_interface(tx, nat) is None:
        raise DomainError(  # [UNCONFIRMED] code
            "IncorrectState", f"The NAT gateway {nat.id} is in state {state}, not available"
        )
    if nat.connectivity_type != connectivity_type:
        raise DomainError(  # [UNCONFIRMED] code
            "InvalidParameterValue",
            f"The NAT gateway {nat.id} is a {nat.connectivity_type} NAT gateway; this operation "
            f"applies to {connectivity_type} NAT gateways only",
        )
    return nat


def _check_room(tx: Tx, nat: NatGateway, adding: int, quotas: bool) -> None:
    """NAT-10: at most 8 addresses per gateway, and 2 EIPs per public one under AWS quotas."""
    total = 1 + len(secondary_addresses(tx, nat)) + adding
    if total > MAX_ADDRESSES:
        raise DomainError(  # [UNCONFIRMED] code
            "InvalidParameterValue",
            f"A NAT gateway can have at most {MAX_ADDRESSES} IPv4 addresses "
            f"(1 primary and {MAX_ADDRESSES - 1} secondary); {nat.id} would have {total}",
        )
    if quotas and nat.connectivity_type == "public" and total > MAX_EIPS_BY_DEFAULT:
        raise DomainError(
            "AddressLimitExceeded",
            f"The maximum number of Elastic IP addresses ({MAX_EIPS_BY_DEFAULT}) for NAT gateway "
            f"{nat.id} has been reached.",
        )


def _add_private_ips(tx: Tx, nat: NatGateway, requested: Sequence[str], count: int) -> list[str]:
    """Give the gateway's ENI these addresses (checked: in its subnet, free) or `count` free
    ones, as secondary private IPs; the addresses added."""
    eni = gateway_interface(tx, nat)
    assert eni is not None  # _changeable checked it
    subnet = require(tx, Subnet, nat.subnet_id)
    used = addressing.used_addresses(tx, subnet.id)
    if requested:
        if len(set(requested)) != len(requested):
            raise DomainError("InvalidParameterValue", "The private IP addresses are not unique")
        added = [addressing.check_requested(subnet, ip, used) for ip in requested]
    else:
        added = addressing.allocate(tx, subnet, count)
    more = tuple(PrivateIp(address=ip, primary=False) for ip in added)
    tx.put(evolve(eni, private_ips=eni.private_ips + more))
    return added


def _drop_private_ips(tx: Tx, nat: NatGateway, addresses: Sequence[str]) -> None:
    """Take secondary private IPs off the gateway's ENI (they return to the subnet)."""
    eni = gateway_interface(tx, nat)
    assert eni is not None
    kept = tuple(ip for ip in eni.private_ips if ip.address not in addresses)
    tx.put(evolve(eni, private_ips=kept))


def associate_addresses(
    tx: Tx,
    nat_id: str,
    allocation_ids: Sequence[str],
    private_ips: Sequence[str] = (),
    *,
    quotas: bool = False,
    creating: bool = False,
) -> list[SecondaryAddress]:
    """AssociateNatGatewayAddress: map more EIPs onto a public gateway, each through a new
    secondary private IP of its ENI (given, one per EIP, or picked from its subnet)."""
    nat = _changeable(tx, nat_id, "public", creating=creating)
    if not allocation_ids:
        raise DomainError("MissingParameter", "The request must contain the parameter AllocationId")
    if private_ips and len(private_ips) != len(allocation_ids):
        raise DomainError(  # [UNCONFIRMED] code
            "InvalidParameterValue",
            "PrivateIpAddresses must give one address per Elastic IP allocation",
        )
    if len(set(allocation_ids)) != len(allocation_ids):
        raise DomainError("InvalidParameterValue", "The allocation IDs are not unique")
    eips = [require(tx, Address, allocation_id) for allocation_id in allocation_ids]
    for eip in eips:
        if eip.association_id is not None:
            raise DomainError(
                "Resource.AlreadyAssociated", f"Elastic IP address {eip.id} is already associated"
            )
    _check_room(tx, nat, len(eips), quotas)
    added = _add_private_ips(tx, nat, private_ips, len(eips))
    eni_id = nat.network_interface_id
    out = []
    for eip, ip in zip(eips, added, strict=True):
        mapped = evolve(
            eip, association_id=new_id("eipassoc"), network_interface_id=eni_id, private_ip=ip
        )
        tx.put(mapped)
        out.append(SecondaryAddress(ip, mapped))
    return out


def _refuse_primary(nat: NatGateway, named: str, primary: str | None, what: str, verb: str) -> None:
    """The primary address of a gateway never goes while the gateway lives (NAT-10)."""
    if named == primary:
        raise DomainError(  # [UNCONFIRMED] code
            "InvalidParameterValue",
            f"The {what} {named} is the primary address of {nat.id} and cannot be {verb}",
        )


def disassociate_addresses(
    tx: Tx, nat_id: str, association_ids: Sequence[str]
) -> list[SecondaryAddress]:
    """DisassociateNatGatewayAddress: unmap secondary EIPs (never the primary) and release the
    private IPs they were mapped to; the EIPs stay allocated."""
    nat = _changeable(tx, nat_id, "public", creating=False)
    by_association = {
        s.eip.association_id: s for s in secondary_addresses(tx, nat) if s.eip is not None
    }
    leaving = []
    for association_id in dict.fromkeys(association_ids):
        _refuse_primary(nat, association_id, nat.association_id, "association", "disassociated")
        if association_id not in by_association:
            raise DomainError(
                "InvalidAssociationID.NotFound",
                f"The association ID '{association_id}' does not exist",
            )
        leaving.append(by_association[association_id])
    for address in leaving:
        assert address.eip is not None
        disassociate(tx, address.eip)
    _drop_private_ips(tx, nat, [address.private_ip for address in leaving])
    return leaving


def assign_private_addresses(
    tx: Tx,
    nat_id: str,
    private_ips: Sequence[str] = (),
    count: int | None = None,
    *,
    creating: bool = False,
) -> list[str]:
    """AssignPrivateNatGatewayAddress: more private IPs for a private gateway, given or counted."""
    nat = _changeable(tx, nat_id, "private", creating=creating)
    if private_ips and count is not None:
        raise DomainError(
            "InvalidParameterCombination",
            "PrivateIpAddresses and PrivateIpAddressCount cannot be specified together",
        )
    if not private_ips and count is None:
        raise DomainError(
            "MissingParameter",
            "Either PrivateIpAddresses or PrivateIpAddressCount must be specified",
        )
    wanted = len(private_ips) if private_ips else int(count or 0)
    if wanted < 1:
        raise DomainError(
            "InvalidParameterValue",
            f"Value ({wanted}) for parameter PrivateIpAddressCount is invalid. "
            "It must be at least 1",
        )
    _check_room(tx, nat, wanted, quotas=False)
    return _add_private_ips(tx, nat, private_ips, wanted)


def unassign_private_addresses(tx: Tx, nat_id: str, private_ips: Sequence[str]) -> list[str]:
    """UnassignPrivateNatGatewayAddress: release secondary private IPs (never the primary)."""
    nat = _changeable(tx, nat_id, "private", creating=False)
    secondary = {s.private_ip for s in secondary_addresses(tx, nat)}
    leaving = list(dict.fromkeys(private_ips))
    for ip in leaving:
        _refuse_primary(nat, ip, nat.private_ip, "private IP address", "unassigned")
        if ip not in secondary:
            raise DomainError(  # [UNCONFIRMED] code
                "InvalidParameterValue",
                f"The private IP address {ip} is not assigned to NAT gateway {nat.id}",
            )
    _drop_private_ips(tx, nat, leaving)
    return leaving
