"""Elastic IP addresses: allocation, association with ENIs, release (spec 9.2, IGW-13, ENI-4)."""

from __future__ import annotations

import ipaddress
import secrets

from vpclab.control import defaults
from vpclab.control.lookup import require
from vpclab.control.store import Tx
from vpclab.model.base import Tags, evolve
from vpclab.model.errors import DomainError
from vpclab.model.gateways import Address, InternetGateway, NatGateway
from vpclab.model.ids import new_id
from vpclab.model.interface import Instance, NetworkInterface
from vpclab.model.lifecycle import instance_state
from vpclab.model.state import View

MAX_ADDRESSES = 5  # Appendix B, enforced only with quotas on (EIP-1)
PAST_ASSOCIATIONS_KEPT = 16

# Blocks that Amazon really announces for EC2 public addresses in us-east-1; every region draws
# from them (they only need to look public and never collide inside a partition).
PUBLIC_POOL = tuple(
    ipaddress.IPv4Network(block)
    for block in (
        "3.208.0.0/12",
        "18.204.0.0/14",
        "34.192.0.0/12",
        "44.192.0.0/11",
        "54.144.0.0/12",
    )
)


def public_ips_in_use(view: View) -> set[str]:
    """Every public IPv4 held in the partition: Elastic IPs and auto-assigned ENI addresses."""
    used = {a.public_ip for a in view.iter(Address)}
    used.update(eni.public_ip for eni in view.iter(NetworkInterface) if eni.public_ip)
    return used


def new_public_ip(view: View) -> str:
    """A fresh public IPv4 from Amazon's pool, unique in the partition (EIPs, ENI-3 addresses)."""
    used = public_ips_in_use(view)
    while True:
        block = PUBLIC_POOL[secrets.randbelow(len(PUBLIC_POOL))]
        candidate = str(block[1 + secrets.randbelow(block.num_addresses - 2)])
        if candidate not in used and not candidate.endswith((".0", ".255")):
            return candidate


def _requested_public_ip(view: View, address: str) -> str:
    """A specific address asked for in AllocateAddress: ours to give and free (else an error)."""
    try:
        ip = ipaddress.IPv4Address(address)
    except ValueError:
        raise DomainError(
            "InvalidParameterValue", f"Value ({address}) for parameter address is invalid."
        ) from None
    if not any(ip in block for block in PUBLIC_POOL) or str(ip) in public_ips_in_use(view):
        raise DomainError(
            "InvalidAddress.NotFound", f"The address '{address}' is not available for allocation"
        )
    return str(ip)


def allocate_address(
    tx: Tx,
    *,
    domain: str | None = None,
    address: str | None = None,
    pool: str | None = None,
    border_group: str | None = None,
    tags: Tags = (),
    quotas: bool = False,
) -> Address:
    """AllocateAddress: a new Elastic IP of the region (EIP-1; quota 5 only with quotas on)."""
    if domain not in (None, "vpc", "standard"):
        raise DomainError(
            "InvalidParameterValue", f"Value ({domain}) for parameter domain is invalid."
        )
    if pool not in (None, "amazon"):
        raise DomainError(
            "InvalidPublicIpv4PoolID.NotFound", f"The public IPv4 pool ID '{pool}' does not exist"
        )
    if border_group not in (None, tx.region):
        raise DomainError(
            "InvalidParameterValue",
            f"Value ({border_group}) for parameter networkBorderGroup is invalid.",
        )
    if quotas and tx.count(Address) >= MAX_ADDRESSES:
        raise DomainError(
            "AddressLimitExceeded", "The maximum number of addresses has been reached."
        )
    public_ip = _requested_public_ip(tx, address) if address else new_public_ip(tx)
    eip = Address(
        id=new_id("eipalloc"), public_ip=public_ip, network_border_group=tx.region, tags=tags
    )
    tx.put(eip)
    return eip


def find_address(view: View, allocation_id: str | None, public_ip: str | None) -> Address:
    """The Elastic IP named by allocation id or by public IP (one of them is required)."""
    if allocation_id:
        return require(view, Address, allocation_id)
    if public_ip:
        return by_public_ip(view, public_ip)
    raise DomainError("MissingParameter", "Either AllocationId or PublicIp must be specified")


def by_public_ip(view: View, public_ip: str) -> Address:
    """The Elastic IP with this public address (InvalidAddress.NotFound otherwise)."""
    for eip in view.iter(Address):
        if eip.public_ip == public_ip:
            return eip
    raise DomainError("InvalidAddress.NotFound", f"Address '{public_ip}' not found.")


def nat_gateway_using(view: View, eip: Address) -> NatGateway | None:
    """The NAT gateway whose ENI holds this Elastic IP, if any (its EIP is managed by the gateway)."""
    if eip.network_interface_id is None:
        return None
    for nat in view.iter(NatGateway):
        if nat.deleted_at is None and nat.network_interface_id == eip.network_interface_id:
            return nat
    return None


def vpc_has_igw(view: View, vpc_id: str) -> bool:
    """Whether an internet gateway is attached to the VPC."""
    return any(igw.vpc_id == vpc_id for igw in view.iter(InternetGateway))


def require_igw(view: View, vpc_id: str) -> None:
    """An EIP can only be mapped in a VPC with an attached internet gateway (IGW-13, EIP-2)."""
    if not vpc_has_igw(view, vpc_id):
        raise DomainError(
            "Gateway.NotAttached", f"Network {vpc_id} is not attached to any internet gateway"
        )


def _target_interface(tx: Tx, instance_id: str | None, eni_id: str | None) -> NetworkInterface:
    """The ENI an association targets: given directly, or the only ENI of an instance (EIP-2)."""
    if instance_id and eni_id:
        raise DomainError(
            "InvalidParameterCombination",
            "Only one of instanceId and networkInterfaceId may be specified",
        )
    if eni_id:
        return require(tx, NetworkInterface, eni_id)
    if not instance_id:
        raise DomainError(
            "MissingParameter", "Either instanceId or networkInterfaceId must be specified"
        )
    instance = require(tx, Instance, instance_id)
    state = instance_state(instance, tx.now(), tx.clock.settle_seconds)
    if state in ("shutting-down", "terminated"):
        raise DomainError(
            "IncorrectInstanceState",
            f"The instance '{instance_id}' is not in a valid state for this operation.",
        )
    attached = instance_interfaces(tx, instance_id)
    if len(attached) != 1:
        raise DomainError(
            "InvalidInstanceID",
            f"There are multiple interfaces attached to instance '{instance_id}'. "
            "Please specify an interface ID for the operation instead.",
        )
    return attached[0]


def instance_interfaces(view: View, instance_id: str) -> list[NetworkInterface]:
    """The ENIs attached to an instance."""
    return [
        eni
        for eni in view.all(NetworkInterface)
        if eni.attachment is not None and eni.attachment.instance_id == instance_id
    ]


def instance_of(eni: NetworkInterface) -> str | None:
    """The instance an ENI is attached to, if any (DescribeAddresses shows it)."""
    return eni.attachment.instance_id if eni.attachment is not None else None


def associate_address(
    tx: Tx,
    *,
    allocation_id: str | None,
    public_ip: str | None = None,
    instance_id: str | None = None,
    network_interface_id: str | None = None,
    private_ip: str | None = None,
    allow_reassociation: bool | None = None,
) -> Address:
    """AssociateAddress: map an EIP onto one private IP of an ENI, moving it if allowed (EIP-2)."""
    eip = find_address(tx, allocation_id, public_ip)
    eni = _target_interface(tx, instance_id, network_interface_id)
    target_ip = private_ip or eni.primary_ip
    if target_ip not in eni.addresses():
        raise DomainError(
            "InvalidParameterValue",
            f"The private IP address {target_ip} is not assigned to network interface {eni.id}",
        )
    if eni.requester_managed:
        raise not_permitted()  # a NAT gateway's (or other service's) ENI is not the user's
    require_igw(tx, eni.vpc_id)
    if eip.association_id is not None:
        if eip.network_interface_id == eni.id and eip.private_ip == target_ip:
            return eip  # repeating the same association is not an error (EIP-2)
        if allow_reassociation is False or nat_gateway_using(tx, eip) is not None:
            raise DomainError(
                "Resource.AlreadyAssociated",
                f"resource {eip.id} is already associated with associate-id {eip.association_id}",
            )
        eip = disassociate(tx, eip)
    for other in tx.all(Address):
        if other.network_interface_id == eni.id and other.private_ip == target_ip:
            disassociate(tx, other)  # the address's previous EIP is displaced, not released
    eni = require(tx, NetworkInterface, eni.id)
    displaced = target_ip == eni.primary_ip and eni.public_ip is not None
    if displaced:
        tx.put(evolve(eni, public_ip=None))  # ENI-4: the auto-assigned public IP goes
    associated = evolve(
        eip,
        association_id=new_id("eipassoc"),
        network_interface_id=eni.id,
        private_ip=target_ip,
        displaced_public_ip=displaced,
    )
    tx.put(associated)
    return associated


def _regains_public_ip(view: View, eni: NetworkInterface, leaving: Address) -> bool:
    """ENI-4: after its EIP leaves, an instance with an auto-assigned public IP gets a new one,
    unless it has several ENIs or a secondary private IP of it still holds an EIP. A stopped
    (or stopping) instance has no public IP at all: it gets its new one when it starts."""
    if eni.attachment is None or leaving.private_ip != eni.primary_ip:
        return False
    instance = view.get(Instance, eni.attachment.instance_id)
    if instance is None or not (leaving.displaced_public_ip or instance.auto_public_ip):
        return False
    state = instance_state(instance, view.now(), view.clock.settle_seconds)
    if state not in ("pending", "running"):
        return False
    if len(instance_interfaces(view, eni.attachment.instance_id)) > 1:
        return False
    return not any(
        a.network_interface_id == eni.id and a.id != leaving.id for a in view.iter(Address)
    )


def disassociate(tx: Tx, eip: Address) -> Address:
    """Unmap an EIP (stays allocated), giving the instance a new public IP where ENI-4 says so."""
    if eip.association_id is None:
        return eip
    eni = tx.get(NetworkInterface, eip.network_interface_id or "")
    if eni is not None and _regains_public_ip(tx, eni, eip):
        tx.put(evolve(eni, public_ip=new_public_ip(tx)))
    history = (*eip.past_association_ids, eip.association_id)[-PAST_ASSOCIATIONS_KEPT:]
    freed = evolve(
        eip,
        association_id=None,
        network_interface_id=None,
        private_ip=None,
        displaced_public_ip=False,
        past_association_ids=history,
    )
    tx.put(freed)
    return freed


def disassociate_address(tx: Tx, association_id: str | None, public_ip: str | None) -> None:
    """DisassociateAddress: idempotent for a known association or address (EIP-3)."""
    if association_id:
        eip = _by_association(tx, association_id)
    elif public_ip:
        eip = by_public_ip(tx, public_ip)
    else:
        raise DomainError("MissingParameter", "Either AssociationId or PublicIp must be specified")
    if eip.association_id is None:
        return
    if nat_gateway_using(tx, eip) is not None:
        raise not_permitted()
    disassociate(tx, eip)


def not_permitted() -> DomainError:
    """What EC2 answers when a user touches an address mapping a managed service owns."""
    return DomainError(
        "AuthFailure", "You do not have permission to access the specified resource."
    )


def _by_association(view: View, association_id: str) -> Address:
    """The EIP that has (or recently had) this association id."""
    for eip in view.iter(Address):
        if eip.association_id == association_id or association_id in eip.past_association_ids:
            return eip
    raise DomainError(
        "InvalidAssociationID.NotFound", f"The association ID '{association_id}' does not exist"
    )


def release_address(tx: Tx, allocation_id: str | None, public_ip: str | None) -> None:
    """ReleaseAddress: refused while associated in a non-default VPC, implicit there (EIP-3)."""
    eip = find_address(tx, allocation_id, public_ip)
    if eip.association_id is not None:
        eni = tx.get(NetworkInterface, eip.network_interface_id or "")
        default = defaults.default_vpc(tx)
        in_default_vpc = eni is None or (default is not None and eni.vpc_id == default.id)
        if not in_default_vpc or nat_gateway_using(tx, eip) is not None:
            raise DomainError("InvalidIPAddress.InUse", f"Address {eip.public_ip} is in use.")
        disassociate(tx, eip)
    tx.delete(Address, eip.id)
