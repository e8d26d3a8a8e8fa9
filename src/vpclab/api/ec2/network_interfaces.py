"""EC2 operations on network interfaces: handlers and the NetworkInterface presenter (spec 9.1)."""

from __future__ import annotations

import hashlib
from typing import Any

from vpclab.api.common import spec_tags, tag_list, timestamp
from vpclab.api.context import RequestContext
from vpclab.api.describe import describe
from vpclab.api.registry import operation
from vpclab.control import network_interfaces as enis
from vpclab.control.lookup import require, select
from vpclab.model.errors import DomainError
from vpclab.model.interface import NetworkInterface
from vpclab.model.state import View
from vpclab.model.vpc import Subnet


def present_association(
    ctx: RequestContext, eni: NetworkInterface, private_ip: str, *, full: bool = True
) -> dict[str, Any] | None:
    """The public side of one private address (EIP or auto-assigned), or None (ENI-3, EIP-2)."""
    mapped = enis.public_address(ctx.tx, eni, private_ip)
    if mapped is None:
        return None
    out: dict[str, Any] = {
        "PublicIp": mapped.public_ip,
        "PublicDnsName": enis.public_dns_name(ctx.tx, eni.vpc_id, mapped.public_ip),
        "IpOwnerId": ctx.account if mapped.eip is not None else "amazon",
    }
    if full and mapped.eip is not None:
        out["AllocationId"] = mapped.eip.id
        out["AssociationId"] = mapped.eip.association_id
    return out


def present_private_ips(
    ctx: RequestContext, eni: NetworkInterface, *, full: bool = True
) -> list[dict[str, Any]]:
    """PrivateIpAddresses: every address with its DNS name and public association."""
    out = []
    for ip in eni.private_ips:
        item: dict[str, Any] = {
            "PrivateIpAddress": ip.address,
            "PrivateDnsName": enis.private_dns_name(ctx.region, ip.address),
            "Primary": ip.primary,
        }
        association = present_association(ctx, eni, ip.address, full=full)
        if association is not None:
            item["Association"] = association
        out.append(item)
    return out


def present_attachment(ctx: RequestContext, eni: NetworkInterface) -> dict[str, Any] | None:
    """The Attachment of an ENI, when it has one."""
    if eni.attachment is None:
        return None
    return {
        "AttachmentId": eni.attachment.id,
        "AttachTime": timestamp(eni.attachment.attached_at),
        "DeleteOnTermination": eni.attachment.delete_on_termination,
        "DeviceIndex": eni.attachment.device_index,
        "NetworkCardIndex": 0,
        "InstanceId": eni.attachment.instance_id,
        "InstanceOwnerId": ctx.account,
        "Status": "attached",
    }


def unmanaged_operator() -> dict[str, Any]:
    """The Operator of a resource no service provider manages (instances and ENIs vpclab makes)."""
    return {"Managed": False}


def present_service_attachment(eni: NetworkInterface) -> dict[str, Any] | None:
    """The attachment a NAT gateway's ENI shows (to amazon-aws, device 1, not deleted on
    termination); None for other ENIs."""
    if eni.attachment is not None or not eni.is_nat_gateway:
        return None
    attachment_id = eni.service_attachment_id
    if attachment_id is None:
        attachment_id = "ela-attach-" + hashlib.sha256(eni.id.encode()).hexdigest()[:8]
    return {
        "AttachmentId": attachment_id,
        "DeleteOnTermination": False,
        "DeviceIndex": 1,
        "InstanceOwnerId": "amazon-aws",
        "Status": "attached",
    }


def shown_attachment(ctx: RequestContext, eni: NetworkInterface) -> dict[str, Any] | None:
    """The Attachment DescribeNetworkInterfaces shows: to an instance, or a NAT gateway's."""
    return present_attachment(ctx, eni) or present_service_attachment(eni)


def status_of(eni: NetworkInterface) -> str:
    """available when detached, in-use when attached or owned by a service (ENI-7)."""
    return "in-use" if eni.attachment is not None or eni.requester_managed else "available"


def present_network_interface(ctx: RequestContext, eni: NetworkInterface) -> dict[str, Any]:
    """An ENI in the shape of EC2's NetworkInterface."""
    subnet = ctx.tx.get(Subnet, eni.subnet_id)
    out: dict[str, Any] = {
        "NetworkInterfaceId": eni.id,
        "SubnetId": eni.subnet_id,
        "VpcId": eni.vpc_id,
        "AvailabilityZone": eni.availability_zone,
        "AvailabilityZoneId": subnet.availability_zone_id if subnet else None,
        "Description": eni.description,
        "Groups": enis.group_names(ctx.tx, eni),
        "InterfaceType": eni.presented_type,
        "Ipv6Addresses": [],
        "MacAddress": eni.mac_address,
        "OwnerId": ctx.account,
        "PrivateDnsName": enis.private_dns_name(ctx.region, eni.primary_ip),
        "PrivateIpAddress": eni.primary_ip,
        "PrivateIpAddresses": present_private_ips(ctx, eni),
        "RequesterManaged": eni.requester_managed,
        "RequesterId": eni.requester_id,
        "SourceDestCheck": eni.source_dest_check,
        "Status": status_of(eni),
        "TagSet": tag_list(eni),
        "Association": present_association(ctx, eni, eni.primary_ip),
        "Attachment": shown_attachment(ctx, eni),
        "Operator": unmanaged_operator(),
    }
    public = out["Association"]
    if public is not None and public["PublicDnsName"]:
        out["PublicDnsName"] = public["PublicDnsName"]
    return {k: v for k, v in out.items() if v is not None}


def public_ips(view: View, eni: NetworkInterface) -> list[str]:
    """Every public IPv4 mapped onto the ENI's addresses (for association filters)."""
    found = [enis.public_address(view, eni, a) for a in eni.addresses()]
    return [p.public_ip for p in found if p is not None]


def allocation_ids(view: View, eni: NetworkInterface) -> list[str]:
    """Allocation ids of the Elastic IPs mapped onto the ENI."""
    found = [enis.public_address(view, eni, a) for a in eni.addresses()]
    return [p.eip.id for p in found if p is not None and p.eip is not None]


def _attachment_field(ctx: RequestContext, member: str) -> Any:
    """A filter getter reading one member of the Attachment the ENI shows."""

    def get(eni: NetworkInterface) -> Any:
        """The attachment member, or None for a detached ENI."""
        return (shown_attachment(ctx, eni) or {}).get(member)

    return get


def interface_filters(ctx: RequestContext) -> dict[str, Any]:
    """The DescribeNetworkInterfaces filters EC2 supports."""
    view = ctx.tx

    def group_name_list(eni: NetworkInterface) -> list[str]:
        """The names of the ENI's groups (group-name filter)."""
        return [g["GroupName"] for g in enis.group_names(view, eni)]

    return {
        "network-interface-id": lambda e: e.id,
        "subnet-id": lambda e: e.subnet_id,
        "vpc-id": lambda e: e.vpc_id,
        "availability-zone": lambda e: e.availability_zone,
        "group-id": lambda e: e.groups,
        "group-name": group_name_list,
        "private-ip-address": lambda e: e.addresses(),
        "addresses.private-ip-address": lambda e: e.addresses(),
        "addresses.primary": lambda e: [ip.primary for ip in e.private_ips],
        "addresses.association.public-ip": lambda e: public_ips(view, e),
        "addresses.association.owner-id": lambda e: (
            [ctx.account] if allocation_ids(view, e) else []
        ),
        "private-dns-name": lambda e: enis.private_dns_name(ctx.region, e.primary_ip),
        "attachment.instance-id": _attachment_field(ctx, "InstanceId"),
        "attachment.attachment-id": _attachment_field(ctx, "AttachmentId"),
        "attachment.device-index": _attachment_field(ctx, "DeviceIndex"),
        "attachment.delete-on-termination": _attachment_field(ctx, "DeleteOnTermination"),
        "attachment.status": _attachment_field(ctx, "Status"),
        "attachment.instance-owner-id": _attachment_field(ctx, "InstanceOwnerId"),
        "status": status_of,
        "source-dest-check": lambda e: e.source_dest_check,
        "interface-type": lambda e: e.presented_type,
        "requester-managed": lambda e: e.requester_managed,
        "requester-id": lambda e: e.requester_id,
        "mac-address": lambda e: e.mac_address,
        "description": lambda e: e.description,
        "association.public-ip": lambda e: public_ips(view, e),
        "association.allocation-id": lambda e: allocation_ids(view, e),
        "association.association-id": lambda e: [
            p.eip.association_id
            for p in (enis.public_address(view, e, a) for a in e.addresses())
            if p is not None and p.eip is not None
        ],
        "association.ip-owner-id": lambda e: [
            ctx.account if p.eip is not None else "amazon"
            for p in (enis.public_address(view, e, a) for a in e.addresses())
            if p is not None
        ],
        "owner-id": lambda e: ctx.account,
    }


# Members that ask for IPv6 addresses or delegated prefixes, which vpclab does not model yet:
# refusing them beats launching something other than what was asked for.
UNMODELLED_ADDRESSING = (
    "Ipv6AddressCount",
    "Ipv6Addresses",
    "Ipv4Prefixes",
    "Ipv4PrefixCount",
    "Ipv6Prefixes",
    "Ipv6PrefixCount",
    "PrimaryIpv6",
    "EnablePrimaryIpv6",
)


def refuse_unmodelled(params: dict[str, Any]) -> None:
    """Refuse IPv6 addresses and prefix delegation instead of silently ignoring them."""
    for name in UNMODELLED_ADDRESSING:
        if params.get(name):
            raise DomainError(
                "Unsupported",
                f"vpclab does not model the parameter {name} yet (IPv6 addresses and "
                "prefix delegation on network interfaces).",
            )


def address_request(params: dict[str, Any]) -> enis.AddressRequest:
    """The private addresses a CreateNetworkInterface or interface specification asks for."""
    listed = tuple(
        (item["PrivateIpAddress"], bool(item.get("Primary", False)))
        for item in params.get("PrivateIpAddresses") or ()
        if item.get("PrivateIpAddress")
    )
    return enis.AddressRequest(
        primary=params.get("PrivateIpAddress"),
        listed=listed,
        secondary_count=params.get("SecondaryPrivateIpAddressCount") or 0,
    )


@operation("CreateNetworkInterface")
def create_network_interface(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """CreateNetworkInterface (ENI-1, SG-2, SG-19)."""
    refuse_unmodelled(params)
    eni = enis.create_network_interface(
        ctx.tx,
        subnet_id=params["SubnetId"],
        group_ids=params.get("Groups"),
        addresses=address_request(params),
        description=params.get("Description") or "",
        tags=spec_tags(params, "network-interface"),
        interface_type=params.get("InterfaceType"),
    )
    out: dict[str, Any] = {"NetworkInterface": present_network_interface(ctx, eni)}
    if params.get("ClientToken"):
        out["ClientToken"] = params["ClientToken"]
    return out


@operation("DeleteNetworkInterface")
def delete_network_interface(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteNetworkInterface (ENI-7, ENI-8)."""
    enis.delete_network_interface(ctx.tx, params["NetworkInterfaceId"])
    return {}


@operation("DescribeNetworkInterfaces")
def describe_network_interfaces(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeNetworkInterfaces with EC2's filters and pagination."""
    ids = params.get("NetworkInterfaceIds")
    return describe(
        select(ctx.tx, NetworkInterface, ids),
        params,
        fields=interface_filters(ctx),
        present=lambda eni: present_network_interface(ctx, eni),
        list_key="NetworkInterfaces",
        ids_given=bool(ids),
    )


@operation("AttachNetworkInterface")
def attach_network_interface(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """AttachNetworkInterface: returns the new attachment's id."""
    attachment = enis.attach_network_interface(
        ctx.tx, params["NetworkInterfaceId"], params["InstanceId"], params["DeviceIndex"]
    )
    return {"AttachmentId": attachment.id, "NetworkCardIndex": 0}


@operation("DetachNetworkInterface")
def detach_network_interface(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DetachNetworkInterface (ENI-2: never the primary ENI)."""
    enis.detach_network_interface(ctx.tx, params["AttachmentId"])
    return {}


def _value(params: dict[str, Any], name: str) -> Any:
    """The Value of an AttributeValue / AttributeBooleanValue parameter, or None."""
    holder = params.get(name)
    return None if holder is None else holder.get("Value")


@operation("ModifyNetworkInterfaceAttribute")
def modify_network_interface_attribute(
    ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    """ModifyNetworkInterfaceAttribute: description, source/dest check, groups, attachment."""
    attachment = params.get("Attachment") or {}
    groups = params.get("Groups")
    enis.modify_attribute(
        ctx.tx,
        params["NetworkInterfaceId"],
        enis.InterfaceChange(
            description=_value(params, "Description"),
            source_dest_check=_value(params, "SourceDestCheck"),
            group_ids=tuple(groups) if groups else None,
            attachment_id=attachment.get("AttachmentId"),
            delete_on_termination=attachment.get("DeleteOnTermination"),
        ),
    )
    return {}


INTERFACE_ATTRIBUTES = ("description", "groupSet", "sourceDestCheck", "attachment")


@operation("DescribeNetworkInterfaceAttribute")
def describe_network_interface_attribute(
    ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    """DescribeNetworkInterfaceAttribute: one attribute of an ENI."""
    eni = require(ctx.tx, NetworkInterface, params["NetworkInterfaceId"])
    attribute = params.get("Attribute")
    out: dict[str, Any] = {"NetworkInterfaceId": eni.id}
    if attribute == "description":
        out["Description"] = {"Value": eni.description}
    elif attribute == "groupSet":
        out["Groups"] = enis.group_names(ctx.tx, eni)
    elif attribute == "sourceDestCheck":
        out["SourceDestCheck"] = {"Value": eni.source_dest_check}
    elif attribute == "attachment":
        attachment = present_attachment(ctx, eni)
        if attachment is not None:
            out["Attachment"] = attachment
    elif attribute == "associatePublicIpAddress":
        out["AssociatePublicIpAddress"] = eni.public_ip is not None
    else:
        raise DomainError(
            "InvalidParameterValue",
            f"Value ({attribute}) for parameter attribute is invalid. "
            f"Expected one of: {', '.join(INTERFACE_ATTRIBUTES)}",
        )
    return out


@operation("AssignPrivateIpAddresses")
def assign_private_ip_addresses(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """AssignPrivateIpAddresses (ENI-2: AllowReassignment moves secondaries between ENIs)."""
    refuse_unmodelled(params)
    assigned = enis.assign_private_ips(
        ctx.tx,
        params["NetworkInterfaceId"],
        params.get("PrivateIpAddresses") or [],
        params.get("SecondaryPrivateIpAddressCount"),
        bool(params.get("AllowReassignment", False)),
    )
    return {
        "NetworkInterfaceId": params["NetworkInterfaceId"],
        "AssignedPrivateIpAddresses": [{"PrivateIpAddress": a} for a in assigned],
    }


@operation("UnassignPrivateIpAddresses")
def unassign_private_ip_addresses(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """UnassignPrivateIpAddresses (secondary addresses only)."""
    enis.unassign_private_ips(
        ctx.tx, params["NetworkInterfaceId"], params.get("PrivateIpAddresses") or []
    )
    return {}
