"""Network interfaces: addresses, security groups, attachment and DNS names (spec 9.1, SG-2, SG-18)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from vpclab.control import addressing
from vpclab.control.addresses import disassociate
from vpclab.control.lookup import missing, require
from vpclab.control.store import Tx
from vpclab.model.base import Tags, evolve
from vpclab.model.errors import DomainError
from vpclab.model.gateways import Address
from vpclab.model.ids import has_prefix, new_id, random_mac
from vpclab.model.interface import EniAttachment, NetworkInterface, PrivateIp
from vpclab.model.lifecycle import instance_state
from vpclab.model.security_group import SecurityGroup
from vpclab.model.state import View
from vpclab.model.vpc import Subnet, Vpc

MAX_GROUPS_PER_INTERFACE = 5  # SG-19 (adjustable to 16 on AWS)
MAX_PRIVATE_IPS_PER_INTERFACE = 50  # the largest instance types' per-ENI limit
INTERFACE_TYPES = ("interface", "efa", "efa-only", "trunk")


# -- DNS names (VPC-21) ---------------------------------------------------------------------------
def private_dns_name(region: str, address: str) -> str:
    """The private hostname EC2 gives an address: ip-10-0-1-5.ec2.internal in us-east-1."""
    host = "ip-" + address.replace(".", "-")
    if region == "us-east-1":
        return f"{host}.ec2.internal"
    return f"{host}.{region}.compute.internal"


def public_dns_name(view: View, vpc_id: str, public_ip: str | None) -> str:
    """The public hostname, given only when the VPC has both DNS attributes on (VPC-21, AMB-25)."""
    vpc = view.get(Vpc, vpc_id)
    if public_ip is None or vpc is None:
        return ""
    if not (vpc.enable_dns_support and vpc.enable_dns_hostnames):
        return ""
    host = "ec2-" + public_ip.replace(".", "-")
    if view.region == "us-east-1":
        return f"{host}.compute-1.amazonaws.com"
    return f"{host}.{view.region}.compute.amazonaws.com"


# -- public addresses (ENI-3, ENI-4, EIP-2) -------------------------------------------------------
def elastic_ip_on(view: View, eni: NetworkInterface, private_ip: str) -> Address | None:
    """The Elastic IP associated with one private address of the ENI, if any."""
    for eip in view.iter(Address):
        if eip.network_interface_id == eni.id and eip.private_ip == private_ip:
            return eip
    return None


@dataclass(frozen=True, slots=True)
class PublicAddress:
    """The public IPv4 mapped onto one private address: an EIP or the auto-assigned one."""

    public_ip: str
    eip: Address | None


def public_address(view: View, eni: NetworkInterface, private_ip: str) -> PublicAddress | None:
    """What maps a private address to the internet: its EIP, else (primary only) the auto IP."""
    eip = elastic_ip_on(view, eni, private_ip)
    if eip is not None:
        return PublicAddress(eip.public_ip, eip)
    if private_ip == eni.primary_ip and eni.public_ip is not None:
        return PublicAddress(eni.public_ip, None)
    return None


# -- security groups (SG-2, SG-18, SG-19) ---------------------------------------------------------
def default_group(view: View, vpc_id: str) -> str:
    """The id of the VPC's default security group (what an ENI gets when none is named)."""
    for group in view.iter(SecurityGroup):
        if group.vpc_id == vpc_id and group.name == "default":
            return group.id
    raise DomainError("InvalidGroup.NotFound", f"The default security group of {vpc_id} is gone")


def check_groups(
    view: View,
    group_ids: Sequence[str],
    subnet: Subnet,
    limit_code: str = "SecurityGroupsPerInterfaceLimitExceeded",
) -> tuple[str, ...]:
    """Groups for an ENI in this subnet: known, of the subnet's VPC, at most five (SG-2, SG-19)."""
    unique = tuple(dict.fromkeys(group_ids))
    for group_id in unique:
        group = view.get(SecurityGroup, group_id)
        if group is None:
            if not has_prefix(group_id, "sg"):
                raise missing(SecurityGroup, group_id)
            raise DomainError(
                "InvalidGroup.NotFound", f"The security group '{group_id}' does not exist"
            )
        if group.vpc_id != subnet.vpc_id:
            raise DomainError(
                "InvalidParameter",
                f"Security group {group_id} and subnet {subnet.id} belong to different networks.",
            )
    if len(unique) > MAX_GROUPS_PER_INTERFACE:
        noun = "instance" if "Instance" in limit_code else "interface"
        raise DomainError(
            limit_code, f"The maximum number of security groups per {noun} has been reached."
        )
    return unique


def group_names(view: View, eni: NetworkInterface) -> list[dict[str, str]]:
    """The ENI's groups as EC2's GroupIdentifier list (GroupId and GroupName)."""
    out = []
    for group_id in eni.groups:
        group = view.get(SecurityGroup, group_id)
        out.append({"GroupId": group_id, "GroupName": group.name if group else ""})
    return out


# -- private addresses (ENI-1, SUB-5, SUB-6) ------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AddressRequest:
    """The private addresses a create asks for: a primary, listed ones, and a count of extra ones."""

    primary: str | None = None
    listed: tuple[tuple[str, bool], ...] = ()
    secondary_count: int = 0


def choose_addresses(view: View, subnet: Subnet, request: AddressRequest) -> tuple[PrivateIp, ...]:
    """The ENI's private IPs: the pinned ones checked, the rest the lowest free (ENI-1, AMB-6)."""
    pinned: list[tuple[str, bool]] = list(request.listed)
    if request.primary is not None:
        listed_primary = [ip for ip, primary in pinned if primary]
        if listed_primary and listed_primary[0] != request.primary:
            raise DomainError(
                "InvalidParameterCombination",
                "The primary private IP address was specified twice with different values",
            )
        pinned = [(ip, False) for ip, _ in pinned if ip != request.primary]
        pinned.insert(0, (request.primary, True))
    if sum(1 for _, primary in pinned if primary) > 1:
        raise DomainError(
            "InvalidParameterValue", "Only one private IP address can be designated as primary"
        )
    if request.secondary_count < 0:
        raise DomainError(
            "InvalidParameterValue",
            f"Value ({request.secondary_count}) for parameter secondaryPrivateIpAddressCount "
            "is invalid. Expected a non-negative number.",
        )
    if len(pinned) + request.secondary_count + (0 if pinned else 1) > MAX_PRIVATE_IPS_PER_INTERFACE:
        raise DomainError(
            "PrivateIpAddressLimitExceeded",
            f"Number of private addresses will exceed limit of {MAX_PRIVATE_IPS_PER_INTERFACE}.",
        )
    used = addressing.used_addresses(view, subnet.id)
    chosen: list[PrivateIp] = []
    for address, primary in pinned:
        checked = addressing.check_requested(subnet, address, used)
        used.add(checked)
        chosen.append(PrivateIp(address=checked, primary=primary))
    wanted = request.secondary_count + (0 if chosen else 1)
    if wanted:
        fresh = addressing.allocate(view, subnet, wanted, taken=used)
        chosen.extend(PrivateIp(address=a) for a in fresh)
    if not any(ip.primary for ip in chosen):
        chosen[0] = PrivateIp(address=chosen[0].address, primary=True)
    chosen.sort(key=lambda ip: not ip.primary)
    return tuple(chosen)


# -- lifecycle -------------------------------------------------------------------------------------
def new_interface(
    tx: Tx,
    subnet: Subnet,
    *,
    group_ids: Sequence[str] | None,
    addresses: AddressRequest,
    description: str = "",
    tags: Tags = (),
    interface_type: str | None = None,
    limit_code: str = "SecurityGroupsPerInterfaceLimitExceeded",
) -> NetworkInterface:
    """A new, unattached ENI in the subnet, stored (the one way ENIs are made for users)."""
    if interface_type is not None and interface_type not in INTERFACE_TYPES:
        raise DomainError(
            "InvalidParameterValue",
            f"Value ({interface_type}) for parameter interfaceType is invalid.",
        )
    groups = (
        check_groups(tx, group_ids, subnet, limit_code)
        if group_ids
        else (default_group(tx, subnet.vpc_id),)
    )
    eni = NetworkInterface(
        id=new_id("eni"),
        subnet_id=subnet.id,
        vpc_id=subnet.vpc_id,
        availability_zone=subnet.availability_zone,
        private_ips=choose_addresses(tx, subnet, addresses),
        groups=groups,
        mac_address=random_mac(),
        description=description,
        interface_type=interface_type or "interface",
        tags=tags,
    )
    tx.put(eni)
    return eni


def create_network_interface(
    tx: Tx,
    *,
    subnet_id: str,
    group_ids: Sequence[str] | None,
    addresses: AddressRequest,
    description: str = "",
    tags: Tags = (),
    interface_type: str | None = None,
) -> NetworkInterface:
    """CreateNetworkInterface (ENI-1, SG-2, SG-19)."""
    subnet = require(tx, Subnet, subnet_id)
    return new_interface(
        tx,
        subnet,
        group_ids=group_ids,
        addresses=addresses,
        description=description,
        tags=tags,
        interface_type=interface_type,
    )


def in_use(eni_id: str) -> DomainError:
    """The error for an ENI that is attached (or otherwise busy) (ENI-7)."""
    return DomainError(
        "InvalidNetworkInterface.InUse", f"The network interface '{eni_id}' is currently in use."
    )


def release(tx: Tx, eni: NetworkInterface) -> None:
    """Remove an ENI, unmapping the Elastic IPs on its addresses (they stay allocated)."""
    for eip in tx.all(Address):
        if eip.network_interface_id == eni.id:
            disassociate(tx, eip)
    tx.delete(NetworkInterface, eni.id)


def delete_network_interface(tx: Tx, eni_id: str) -> None:
    """DeleteNetworkInterface: only detached, user-managed interfaces (ENI-7, ENI-8)."""
    eni = require(tx, NetworkInterface, eni_id)
    if eni.requester_managed:
        raise DomainError(
            "OperationNotPermitted",
            f"The network interface '{eni_id}' is requester-managed and cannot be deleted; "
            "delete the resource that created it.",
        )
    if eni.attachment is not None:
        raise in_use(eni_id)
    release(tx, eni)


def attached_to(view: View, instance_id: str) -> list[NetworkInterface]:
    """The ENIs attached to an instance, by device index."""
    found = [
        eni
        for eni in view.iter(NetworkInterface)
        if eni.attachment is not None and eni.attachment.instance_id == instance_id
    ]
    return sorted(found, key=lambda eni: eni.attachment.device_index if eni.attachment else 0)


def attach(
    tx: Tx,
    eni: NetworkInterface,
    instance_id: str,
    device_index: int,
    *,
    delete_on_termination: bool = False,
) -> NetworkInterface:
    """Attach an ENI at a device index of an instance (the index must be free), and store it."""
    if eni.attachment is not None or eni.requester_managed:
        raise in_use(eni.id)
    if device_index < 0:
        raise DomainError(
            "InvalidParameterValue",
            f"Value ({device_index}) for parameter deviceIndex is invalid.",
        )
    for other in attached_to(tx, instance_id):
        if other.attachment is not None and other.attachment.device_index == device_index:
            raise DomainError(
                "InvalidParameterValue",
                f"Instance '{instance_id}' already has an interface attached at device index "
                f"'{device_index}'.",
            )
    attachment = EniAttachment(
        id=new_id("eni-attach"),
        instance_id=instance_id,
        device_index=device_index,
        delete_on_termination=delete_on_termination,
        attached_at=tx.now(),
    )
    attached = evolve(eni, attachment=attachment)
    tx.put(attached)
    return attached


def attach_network_interface(
    tx: Tx, eni_id: str, instance_id: str, device_index: int
) -> EniAttachment:
    """AttachNetworkInterface: an available ENI, a running or stopped instance in its AZ."""
    from vpclab.control.instances import require_visible  # instances builds on this module

    eni = require(tx, NetworkInterface, eni_id)
    instance = require_visible(tx, instance_id)
    state = instance_state(instance, tx.now(), tx.clock.settle_seconds)
    if state not in ("running", "stopped"):
        raise DomainError(
            "IncorrectInstanceState",
            f"The instance '{instance_id}' is not in a valid state for this operation.",
        )
    if eni.availability_zone != instance.availability_zone:
        raise DomainError(
            "InvalidParameterCombination",
            f"You may not attach a network interface to an instance if they are not in the same "
            f"availability zone (interface {eni.availability_zone}, instance "
            f"{instance.availability_zone}).",
        )
    attached = attach(tx, eni, instance_id, device_index)
    assert attached.attachment is not None
    return attached.attachment


def by_attachment(view: View, attachment_id: str) -> NetworkInterface:
    """The ENI holding an attachment id (InvalidAttachmentID.NotFound otherwise)."""
    for eni in view.iter(NetworkInterface):
        if eni.attachment is not None and eni.attachment.id == attachment_id:
            return eni
    if not has_prefix(attachment_id, "eni-attach"):
        raise DomainError(
            "InvalidAttachmentID.Malformed",
            f'Invalid id: "{attachment_id}" (expecting "eni-attach-...")',
        )
    raise DomainError(
        "InvalidAttachmentID.NotFound", f"The attachment ID '{attachment_id}' does not exist"
    )


def detach_network_interface(tx: Tx, attachment_id: str) -> None:
    """DetachNetworkInterface: never the primary ENI (ENI-2)."""
    eni = by_attachment(tx, attachment_id)
    assert eni.attachment is not None
    if eni.attachment.device_index == 0:
        raise DomainError(
            "OperationNotPermitted", "The network interface at device index 0 cannot be detached."
        )
    tx.put(evolve(eni, attachment=None))


# -- attributes ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class InterfaceChange:
    """One ModifyNetworkInterfaceAttribute request: exactly one of these is set."""

    description: str | None = None
    source_dest_check: bool | None = None
    group_ids: tuple[str, ...] | None = None
    attachment_id: str | None = None
    delete_on_termination: bool | None = None


def replace_groups(
    tx: Tx,
    eni: NetworkInterface,
    group_ids: Sequence[str],
    limit_code: str = "SecurityGroupsPerInterfaceLimitExceeded",
) -> NetworkInterface:
    """Replace the ENI's whole group set; at least one group is required (SG-18)."""
    if not group_ids:
        raise DomainError("MissingParameter", "The request must contain the parameter groupId")
    subnet = require(tx, Subnet, eni.subnet_id)
    changed = evolve(eni, groups=check_groups(tx, group_ids, subnet, limit_code))
    tx.put(changed)
    return changed


def modify_attribute(tx: Tx, eni_id: str, change: InterfaceChange) -> None:
    """ModifyNetworkInterfaceAttribute: one attribute per call (ENI-6, SG-18)."""
    eni = require(tx, NetworkInterface, eni_id)
    given = [
        name
        for name, value in (
            ("description", change.description),
            ("sourceDestCheck", change.source_dest_check),
            ("groupSet", change.group_ids),
            ("attachment", change.attachment_id),
        )
        if value is not None
    ]
    if not given:
        raise DomainError(
            "MissingParameter", "The request must contain the parameter attribute to modify"
        )
    if len(given) > 1:
        raise DomainError(
            "InvalidParameterCombination",
            f"Fields for multiple attribute types specified: {', '.join(given)}",
        )
    if change.description is not None:
        tx.put(evolve(eni, description=change.description))
    elif change.source_dest_check is not None:
        tx.put(evolve(eni, source_dest_check=change.source_dest_check))
    elif change.group_ids is not None:
        replace_groups(tx, eni, change.group_ids)
    else:
        if eni.attachment is None or eni.attachment.id != change.attachment_id:
            raise DomainError(
                "InvalidAttachmentID.NotFound",
                f"The attachment ID '{change.attachment_id}' does not exist",
            )
        if change.delete_on_termination is None:
            raise DomainError(
                "MissingParameter",
                "The request must contain the parameter attachment.deleteOnTermination",
            )
        attachment = replace(eni.attachment, delete_on_termination=change.delete_on_termination)
        tx.put(evolve(eni, attachment=attachment))


# -- secondary private addresses (ENI-2) -----------------------------------------------------------
def _holder(view: View, subnet_id: str, address: str) -> NetworkInterface | None:
    """The ENI in the subnet holding a private address, if any."""
    for eni in view.iter(NetworkInterface):
        if eni.subnet_id == subnet_id and address in eni.addresses():
            return eni
    return None


def _take_from(tx: Tx, holder: NetworkInterface, address: str, receiver_id: str) -> None:
    """Move a secondary address off another ENI; its Elastic IP moves along with it (ENI-2)."""
    if address == holder.primary_ip:
        raise DomainError("InvalidIPAddress.InUse", f"Address {address} is in use.")
    kept = tuple(ip for ip in holder.private_ips if ip.address != address)
    tx.put(evolve(holder, private_ips=kept))
    eip = elastic_ip_on(tx, holder, address)
    if eip is not None:
        tx.put(evolve(eip, network_interface_id=receiver_id))


def assign_private_ips(
    tx: Tx,
    eni_id: str,
    addresses: Sequence[str],
    count: int | None,
    allow_reassignment: bool,
) -> list[str]:
    """AssignPrivateIpAddresses: listed (possibly moved from another ENI) or counted (ENI-2)."""
    eni = require(tx, NetworkInterface, eni_id)
    if not addresses and not count:
        raise DomainError(
            "MissingParameter",
            "The request must contain the parameter privateIpAddress or "
            "secondaryPrivateIpAddressCount",
        )
    if addresses and count:
        raise DomainError(
            "InvalidParameterCombination",
            "Specify either privateIpAddresses or secondaryPrivateIpAddressCount, not both",
        )
    if len(eni.private_ips) + len(addresses) + (count or 0) > MAX_PRIVATE_IPS_PER_INTERFACE:
        raise DomainError(
            "PrivateIpAddressLimitExceeded",
            f"Number of private addresses will exceed limit of {MAX_PRIVATE_IPS_PER_INTERFACE}.",
        )
    subnet = require(tx, Subnet, eni.subnet_id)
    assigned: list[str] = []
    for address in dict.fromkeys(addresses):
        holder = _holder(tx, subnet.id, address)
        if holder is not None and holder.id == eni.id:
            continue
        if holder is not None and allow_reassignment:
            _take_from(tx, holder, address, eni.id)
        used = addressing.used_addresses(tx, subnet.id)
        assigned.append(addressing.check_requested(subnet, address, used))
    if count:
        assigned.extend(addressing.allocate(tx, subnet, count))
    eni = require(tx, NetworkInterface, eni_id)
    tx.put(evolve(eni, private_ips=(*eni.private_ips, *(PrivateIp(address=a) for a in assigned))))
    return assigned


def unassign_private_ips(tx: Tx, eni_id: str, addresses: Sequence[str]) -> None:
    """UnassignPrivateIpAddresses: secondary addresses only; their EIPs are unmapped."""
    eni = require(tx, NetworkInterface, eni_id)
    if not addresses:
        raise DomainError(
            "MissingParameter", "The request must contain the parameter privateIpAddress"
        )
    for address in addresses:
        if address not in eni.addresses():
            raise DomainError(
                "InvalidParameterValue",
                f"Some of the specified addresses are not assigned to interface {eni_id}",
            )
        if address == eni.primary_ip:
            raise DomainError(
                "InvalidParameterValue",
                f"The primary private IP address {address} of interface {eni_id} "
                "cannot be unassigned",
            )
    for address in addresses:
        eip = elastic_ip_on(tx, eni, address)
        if eip is not None:
            disassociate(tx, eip)
    eni = require(tx, NetworkInterface, eni_id)
    kept = tuple(ip for ip in eni.private_ips if ip.address not in set(addresses))
    tx.put(evolve(eni, private_ips=kept))
