"""EC2 operations on instances: launch, lifecycle, attributes, status and the Instance presenter."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from vpclab.api.common import tag_list, timestamp
from vpclab.api.context import RequestContext
from vpclab.api.describe import describe, paginate
from vpclab.api.ec2 import images
from vpclab.api.ec2.network_interfaces import (
    address_request,
    present_association,
    present_attachment,
    present_private_ips,
    public_ips,
    refuse_unmodelled,
    status_of,
    unmanaged_operator,
)
from vpclab.api.registry import operation
from vpclab.control import filters as flt
from vpclab.control import instances
from vpclab.control import network_interfaces as enis
from vpclab.control import tags as tagging
from vpclab.model import regions
from vpclab.model.errors import DomainError
from vpclab.model.interface import (
    IamProfileAssociation,
    Instance,
    MetadataOptions,
    NetworkInterface,
    PrivateDnsNameOptions,
)

TAGGABLE_AT_LAUNCH = ("instance", "network-interface", "volume")


# -- presentation ---------------------------------------------------------------------------------
def present_state(state: str) -> dict[str, Any]:
    """An InstanceState: the name with EC2's numeric code."""
    return {"Code": instances.STATE_CODES[state], "Name": state}


def present_instance_interface(
    ctx: RequestContext, eni: NetworkInterface, launching: bool = False
) -> dict[str, Any]:
    """An ENI in the shape of EC2's InstanceNetworkInterface (`attaching` in the launch answer)."""
    out: dict[str, Any] = {
        "NetworkInterfaceId": eni.id,
        "SubnetId": eni.subnet_id,
        "VpcId": eni.vpc_id,
        "Description": eni.description,
        "Groups": enis.group_names(ctx.tx, eni),
        "Ipv6Addresses": [],
        "MacAddress": eni.mac_address,
        "OwnerId": ctx.account,
        "PrivateDnsName": enis.private_dns_name(ctx.region, eni.primary_ip),
        "PrivateIpAddress": eni.primary_ip,
        "PrivateIpAddresses": present_private_ips(ctx, eni, full=False),
        "SourceDestCheck": eni.source_dest_check,
        "Status": status_of(eni),
        "InterfaceType": eni.presented_type,
        "Operator": unmanaged_operator(),
    }
    attachment = present_attachment(ctx, eni)
    if attachment is not None:
        attachment.pop("InstanceId", None)
        attachment.pop("InstanceOwnerId", None)
        if launching:
            attachment["Status"] = "attaching"
        out["Attachment"] = attachment
    association = present_association(ctx, eni, eni.primary_ip, full=False)
    if association is not None:
        out["Association"] = association
    return out


# The StateReason message EC2 pairs with each code it sets on a user action.
_STATE_REASON_MESSAGES = {
    "Client.UserInitiatedShutdown": "Client.UserInitiatedShutdown: User initiated shutdown",
    "Client.InstanceInitiatedShutdown": (
        "Client.InstanceInitiatedShutdown: Instance initiated shutdown"
    ),
}
# Instance states in which the root EBS volume is attached and listed.
VOLUME_ATTACHED_STATES = ("running", "stopping", "stopped", "shutting-down")


def present_state_reason(instance: Instance, state: str) -> dict[str, Any] | None:
    """StateReason: `pending` while launching or starting, the shutdown reason once stopped."""
    if state == "pending":
        return {"Code": "pending", "Message": "pending"}
    if instance.state_reason and state in ("stopping", "stopped", "shutting-down", "terminated"):
        code = instance.state_reason
        return {"Code": code, "Message": _STATE_REASON_MESSAGES.get(code, code)}
    return None


def root_volume_id(instance: Instance) -> str:
    """The id of the instance's root EBS volume: as imported, else stable for the instance and
    different per instance."""
    if instance.root_device is not None:
        return instance.root_device.volume_id
    digest = hashlib.sha256(f"root-volume/{instance.id}".encode()).hexdigest()
    return f"vol-0{digest[:16]}"


def root_device_name(ctx: RequestContext, instance: Instance) -> str:
    """The device name of the instance's root volume: as imported, else its image's, /dev/xvda
    for images vpclab does not know."""
    if instance.root_device is not None:
        return instance.root_device.device_name
    image = images.find(ctx.region, instance.image_id)
    return image.root_device_name if image else "/dev/xvda"


def root_attach_time(instance: Instance) -> datetime:
    """When the root volume was attached: as imported, else at launch."""
    if instance.root_device is not None:
        return timestamp(instance.root_device.attached_at)
    return timestamp(instance.launch_time)


def present_block_devices(instance: Instance, state: str, root_device: str) -> list[dict[str, Any]]:
    """BlockDeviceMappings: the root volume once attached (none while pending or terminated)."""
    if state not in VOLUME_ATTACHED_STATES:
        return []
    return [
        {
            "DeviceName": root_device,
            "Ebs": {
                "AttachTime": root_attach_time(instance),
                "DeleteOnTermination": True,
                "Status": "attached",
                "VolumeId": root_volume_id(instance),
            },
        }
    ]


def present_metadata_options(
    ctx: RequestContext, instance: Instance, applied: bool = True
) -> dict[str, Any]:
    """An InstanceMetadataOptionsResponse (State pending in the launch/modify answers)."""
    options = metadata_options_of(ctx, instance)
    return {
        "State": "applied" if applied else "pending",
        "HttpTokens": options.http_tokens,
        "HttpPutResponseHopLimit": options.http_put_response_hop_limit,
        "HttpEndpoint": options.http_endpoint,
        "HttpProtocolIpv6": options.http_protocol_ipv6,
        "InstanceMetadataTags": options.instance_metadata_tags,
    }


def instance_dns_name(ctx: RequestContext, instance: Instance, address: str) -> str:
    """The instance's private DNS name: ip-10-0-1-5.ec2.internal, or i-0abc....ec2.internal
    when its hostname type is resource-name."""
    by_address = enis.private_dns_name(ctx.region, address)
    if instance.private_dns_name_options.hostname_type != "resource-name":
        return by_address
    return f"{instance.id}.{by_address.split('.', 1)[1]}"


def present_profile(arn: str) -> dict[str, Any]:
    """An IamInstanceProfile: its ARN and a stable AIPA... id (vpclab keeps no IAM)."""
    digest = base64.b32encode(hashlib.sha256(arn.encode()).digest()).decode()
    return {"Arn": arn, "Id": f"AIPA{digest[:17]}"}


def _zone_id(ctx: RequestContext, zone: str) -> str | None:
    """The zone id of an availability zone of the request's region."""
    return next((z.zone_id for z in regions.zones(ctx.region) if z.name == zone), None)


def present_instance(
    ctx: RequestContext,
    instance: Instance,
    attached: list[NetworkInterface],
    state: str | None = None,
) -> dict[str, Any]:
    """An instance in the shape of EC2's Instance (VPC-21 DNS names, ENI-3 public address).

    `state` is given only by RunInstances, whose answer shows the launch in progress."""
    launching = state is not None
    state = state or instances.state_of(ctx.tx, instance)
    primary = next((e for e in attached if e.id == instance.primary_eni_id), None)
    image = images.find(ctx.region, instance.image_id)
    root_device = root_device_name(ctx, instance)
    cores, threads = instances.cpu_options(instance.instance_type)
    dns = instance.private_dns_name_options
    out: dict[str, Any] = {
        "InstanceId": instance.id,
        "ImageId": instance.image_id,
        "State": present_state(state),
        "PrivateDnsName": "",
        "PublicDnsName": "",
        "StateTransitionReason": instance.transition_reason,
        "AmiLaunchIndex": instance.ami_launch_index,
        "ProductCodes": [],
        "InstanceType": instance.instance_type,
        "LaunchTime": timestamp(instance.launch_time),
        "Placement": {
            "AvailabilityZone": instance.availability_zone,
            "AvailabilityZoneId": _zone_id(ctx, instance.availability_zone),
            "GroupName": "",
            "Tenancy": instance.tenancy,
        },
        "Monitoring": {"State": _monitoring_state(instance, launching)},
        "Architecture": images.architecture_of(ctx.region, instance.image_id),
        "RootDeviceType": "ebs",
        "RootDeviceName": root_device,
        "BlockDeviceMappings": present_block_devices(instance, state, root_device),
        "ClientToken": instance.client_token or "",
        "EbsOptimized": instance.ebs_optimized,
        "EnaSupport": True,
        "Hypervisor": "xen",
        "VirtualizationType": "hvm",
        "NetworkInterfaces": [
            present_instance_interface(ctx, e, launching=launching) for e in attached
        ],
        "SecurityGroups": enis.group_names(ctx.tx, primary) if primary else [],
        "CpuOptions": {"CoreCount": cores, "ThreadsPerCore": threads},
        "CapacityReservationSpecification": {
            "CapacityReservationPreference": instance.capacity_reservation_preference
        },
        "HibernationOptions": {"Configured": instance.hibernation_configured},
        "MetadataOptions": present_metadata_options(ctx, instance, applied=not launching),
        "EnclaveOptions": {"Enabled": instance.enclave_enabled},
        "PlatformDetails": "Linux/UNIX",
        "UsageOperation": "RunInstances",
        "UsageOperationUpdateTime": timestamp(instance.launch_time),
        "PrivateDnsNameOptions": {
            "HostnameType": dns.hostname_type,
            "EnableResourceNameDnsARecord": dns.enable_resource_name_dns_a_record,
            "EnableResourceNameDnsAAAARecord": dns.enable_resource_name_dns_aaaa_record,
        },
        "MaintenanceOptions": {"AutoRecovery": instance.auto_recovery},
        "CurrentInstanceBootMode": (
            "uefi"
            if images.architecture_of(ctx.region, instance.image_id) == "arm64"
            else "legacy-bios"
        ),
        "NetworkPerformanceOptions": {"BandwidthWeighting": "default"},
        "Operator": unmanaged_operator(),
        "Tags": tag_list(instance),
    }
    if image is not None:
        out["BootMode"] = image.boot_mode
    if instance.iam_instance_profile is not None:
        out["IamInstanceProfile"] = present_profile(instance.iam_instance_profile.arn)
    if instance.key_name:
        out["KeyName"] = instance.key_name
    reason = present_state_reason(instance, state)
    if reason is not None:
        out["StateReason"] = reason
    if primary is not None:
        out["SubnetId"] = primary.subnet_id
        out["VpcId"] = primary.vpc_id
        out["PrivateIpAddress"] = primary.primary_ip
        out["PrivateDnsName"] = instance_dns_name(ctx, instance, primary.primary_ip)
        out["SourceDestCheck"] = primary.source_dest_check
        mapped = enis.public_address(ctx.tx, primary, primary.primary_ip)
        if mapped is not None:
            out["PublicIpAddress"] = mapped.public_ip
            out["PublicDnsName"] = enis.public_dns_name(ctx.tx, primary.vpc_id, mapped.public_ip)
    return out


def _monitoring_state(instance: Instance, launching: bool) -> str:
    """Monitoring.State: detailed monitoring shows `pending` in the launch answer, then enabled."""
    if not instance.monitoring:
        return "disabled"
    return "pending" if launching else "enabled"


def interfaces_by_instance(ctx: RequestContext) -> dict[str, list[NetworkInterface]]:
    """Every attached ENI grouped by instance, by device index (one pass for a Describe)."""
    out: dict[str, list[NetworkInterface]] = {}
    for eni in ctx.tx.iter(NetworkInterface):
        if eni.attachment is not None:
            out.setdefault(eni.attachment.instance_id, []).append(eni)
    for found in out.values():
        found.sort(key=lambda e: e.attachment.device_index if e.attachment else 0)
    return out


def present_reservations(
    ctx: RequestContext,
    chosen: list[Instance],
    attached: dict[str, list[NetworkInterface]],
    state: str | None = None,
) -> list[dict[str, Any]]:
    """Instances grouped into their reservations, in first-seen order (state: as launched)."""
    reservations: dict[str, dict[str, Any]] = {}
    for instance in chosen:
        reservation = reservations.setdefault(
            instance.reservation_id,
            {
                "ReservationId": instance.reservation_id,
                "OwnerId": ctx.account,
                "Groups": [],
                "Instances": [],
            },
        )
        reservation["Instances"].append(
            present_instance(ctx, instance, attached.get(instance.id, []), state)
        )
    return list(reservations.values())


# -- RunInstances ---------------------------------------------------------------------------------
def launch_tags(params: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """TagSpecifications split by resource type (instance, network-interface, volume)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for spec in params.get("TagSpecifications") or ():
        rtype = spec.get("ResourceType")
        if rtype not in TAGGABLE_AT_LAUNCH:
            raise DomainError(
                "InvalidParameterValue",
                f"'{rtype}' is not a valid taggable resource type for this operation.",
            )
        pairs = [(t.get("Key", ""), t.get("Value", "")) for t in spec.get("Tags") or ()]
        out.setdefault(rtype, []).extend(pairs)
    return out


def interface_spec(item: dict[str, Any]) -> instances.InterfaceSpec:
    """One InstanceNetworkInterfaceSpecification as the control layer takes it."""
    wanted = address_request(item)
    return instances.InterfaceSpec(
        device_index=item.get("DeviceIndex", 0),
        network_interface_id=item.get("NetworkInterfaceId"),
        subnet_id=item.get("SubnetId"),
        group_ids=tuple(item.get("Groups") or ()),
        private_ip=wanted.primary,
        listed_ips=wanted.listed,
        secondary_count=wanted.secondary_count,
        associate_public_ip=item.get("AssociatePublicIpAddress"),
        delete_on_termination=item.get("DeleteOnTermination"),
        description=item.get("Description") or "",
    )


def _bool_value(params: dict[str, Any], name: str) -> bool:
    """A plain boolean parameter, false when absent."""
    return bool(params.get(name, False))


# IMDS request members (RunInstances MetadataOptions, ModifyInstanceMetadataOptions) -> field.
METADATA_MEMBERS = {
    "HttpTokens": "http_tokens",
    "HttpPutResponseHopLimit": "http_put_response_hop_limit",
    "HttpEndpoint": "http_endpoint",
    "HttpProtocolIpv6": "http_protocol_ipv6",
    "InstanceMetadataTags": "instance_metadata_tags",
}


def metadata_changes(given: dict[str, Any]) -> dict[str, Any]:
    """The IMDS settings a request names, by model field."""
    return {field: given[m] for m, field in METADATA_MEMBERS.items() if given.get(m) is not None}


def image_metadata_defaults(ctx: RequestContext, image_id: str) -> MetadataOptions:
    """The IMDS settings an image gives its instances: IMDSv2 and 2 hops for ImdsSupport v2.0,
    else EC2's defaults (optional tokens, 1 hop)."""
    image = images.find(ctx.region, image_id)
    if image is not None and image.imds_v2:
        return MetadataOptions(http_tokens="required", http_put_response_hop_limit=2)
    return MetadataOptions()


def metadata_options_of(ctx: RequestContext, instance: Instance) -> MetadataOptions:
    """An instance's IMDS settings: those set at launch or later, else its image's defaults."""
    if instance.metadata_options is not None:
        return instance.metadata_options
    return image_metadata_defaults(ctx, instance.image_id)


def launch_metadata_options(ctx: RequestContext, params: dict[str, Any]) -> MetadataOptions | None:
    """IMDS settings at launch: None (the image's defaults) unless MetadataOptions names some."""
    changes = metadata_changes(params.get("MetadataOptions") or {})
    if not changes:
        return None
    base = image_metadata_defaults(ctx, params.get("ImageId") or "")
    return dataclasses.replace(base, **changes)


def launch_dns_options(params: dict[str, Any]) -> PrivateDnsNameOptions | None:
    """The request's PrivateDnsNameOptions, or None to inherit the subnet's settings."""
    given = params.get("PrivateDnsNameOptions")
    if not given:
        return None
    return PrivateDnsNameOptions(
        hostname_type=given.get("HostnameType", "ip-name"),
        enable_resource_name_dns_a_record=bool(given.get("EnableResourceNameDnsARecord")),
        enable_resource_name_dns_aaaa_record=bool(given.get("EnableResourceNameDnsAAAARecord")),
    )


@operation("RunInstances")
def run_instances(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """RunInstances: a reservation of new instances (ENI-1, ENI-3, SUB-9)."""
    refuse_unmodelled(params)
    for item in params.get("NetworkInterfaces") or ():
        refuse_unmodelled(item)
    tagged = launch_tags(params)
    request = instances.LaunchRequest(
        image_id=params.get("ImageId"),
        min_count=params["MinCount"],
        max_count=params["MaxCount"],
        instance_type=params.get("InstanceType"),
        subnet_id=params.get("SubnetId"),
        zone=(params.get("Placement") or {}).get("AvailabilityZone"),
        group_ids=tuple(params.get("SecurityGroupIds") or ()),
        group_names=tuple(params.get("SecurityGroups") or ()),
        private_ip=params.get("PrivateIpAddress"),
        interfaces=tuple(interface_spec(i) for i in params.get("NetworkInterfaces") or ()),
        key_name=params.get("KeyName"),
        client_token=params.get("ClientToken"),
        instance_tags=tagging.merged((), tagged.get("instance", [])),
        interface_tags=tagging.merged((), tagged.get("network-interface", [])),
        volume_tags=tagging.merged((), tagged.get("volume", [])),
        disable_api_termination=_bool_value(params, "DisableApiTermination"),
        disable_api_stop=_bool_value(params, "DisableApiStop"),
        shutdown_behavior=params.get("InstanceInitiatedShutdownBehavior"),
        ebs_optimized=_bool_value(params, "EbsOptimized"),
        user_data=params.get("UserData"),
        monitoring=bool(instances.nested(params, "Monitoring", "Enabled")),
        tenancy=instances.nested(params, "Placement", "Tenancy"),
        metadata_options=launch_metadata_options(ctx, params),
        private_dns_name_options=launch_dns_options(params),
        hibernation_configured=bool(instances.nested(params, "HibernationOptions", "Configured")),
        enclave_enabled=bool(instances.nested(params, "EnclaveOptions", "Enabled")),
        capacity_reservation_preference=instances.nested(
            params, "CapacityReservationSpecification", "CapacityReservationPreference"
        )
        or "open",
        auto_recovery=instances.nested(params, "MaintenanceOptions", "AutoRecovery") or "default",
        iam_instance_profile_arn=requested_profile(ctx, params),
        raw=params,
    )
    launched = instances.run_instances(ctx.tx, request)
    attached = interfaces_by_instance(ctx)
    [reservation] = present_reservations(ctx, launched, attached, state="pending")
    return reservation


# -- DescribeInstances ----------------------------------------------------------------------------
def instance_filters(
    ctx: RequestContext, attached: dict[str, list[NetworkInterface]]
) -> dict[str, Any]:
    """The DescribeInstances filters EC2 supports."""
    view = ctx.tx

    def primary(i: Instance) -> NetworkInterface | None:
        """The instance's attached eth0, if any."""
        return next((e for e in attached.get(i.id, []) if e.id == i.primary_eni_id), None)

    def public_ip(i: Instance) -> str | None:
        """The public IPv4 of eth0's primary address (ip-address filter)."""
        eni = primary(i)
        mapped = enis.public_address(view, eni, eni.primary_ip) if eni else None
        return mapped.public_ip if mapped else None

    def groups(i: Instance) -> list[str]:
        """The instance's group ids (those of eth0)."""
        eni = primary(i)
        return list(eni.groups) if eni else []

    def group_names(i: Instance) -> list[str]:
        """The instance's group names (those of eth0)."""
        eni = primary(i)
        return [g["GroupName"] for g in enis.group_names(view, eni)] if eni else []

    def on_primary(read: Callable[[NetworkInterface], Any]) -> Callable[[Instance], Any]:
        """A filter getter reading eth0 (None when the instance has none)."""

        def get(i: Instance) -> Any:
            """eth0's value, or None."""
            eni = primary(i)
            return read(eni) if eni is not None else None

        return get

    def of_interfaces(read: Callable[[NetworkInterface], Any]) -> Callable[[Instance], Any]:
        """A filter getter reading every attached ENI."""
        return lambda i: [read(e) for e in attached.get(i.id, [])]

    def state(i: Instance) -> str:
        """The instance's state name now."""
        return instances.state_of(view, i)

    return {
        "instance-id": lambda i: i.id,
        "instance-state-name": state,
        "instance-state-code": lambda i: instances.STATE_CODES[state(i)],
        "vpc-id": on_primary(lambda e: e.vpc_id),
        "subnet-id": on_primary(lambda e: e.subnet_id),
        "private-ip-address": on_primary(lambda e: e.primary_ip),
        "private-dns-name": lambda i: (
            instance_dns_name(ctx, i, eni.primary_ip) if (eni := primary(i)) else None
        ),
        "ip-address": public_ip,
        "network-interface.network-interface-id": of_interfaces(lambda e: e.id),
        "network-interface.subnet-id": of_interfaces(lambda e: e.subnet_id),
        "network-interface.vpc-id": of_interfaces(lambda e: e.vpc_id),
        "network-interface.private-ip-address": lambda i: [
            a for e in attached.get(i.id, []) for a in e.addresses()
        ],
        "network-interface.addresses.private-ip-address": lambda i: [
            a for e in attached.get(i.id, []) for a in e.addresses()
        ],
        "network-interface.source-dest-check": of_interfaces(lambda e: e.source_dest_check),
        "network-interface.mac-address": of_interfaces(lambda e: e.mac_address),
        "network-interface.description": of_interfaces(lambda e: e.description),
        "network-interface.status": of_interfaces(status_of),
        "network-interface.requester-managed": of_interfaces(lambda e: e.requester_managed),
        "network-interface.attachment.status": of_interfaces(lambda e: "attached"),
        "network-interface.attachment.delete-on-termination": of_interfaces(
            lambda e: e.attachment.delete_on_termination if e.attachment else None
        ),
        "network-interface.association.public-ip": lambda i: [
            ip for e in attached.get(i.id, []) for ip in public_ips(view, e)
        ],
        "network-interface.addresses.association.public-ip": lambda i: [
            ip for e in attached.get(i.id, []) for ip in public_ips(view, e)
        ],
        "dns-name": lambda i: enis.public_dns_name(view, i.vpc_id, public_ip(i)) or None,
        "network-interface.group-id": lambda i: [
            g for e in attached.get(i.id, []) for g in e.groups
        ],
        "network-interface.attachment.attachment-id": of_interfaces(
            lambda e: e.attachment.id if e.attachment else None
        ),
        "network-interface.attachment.device-index": of_interfaces(
            lambda e: e.attachment.device_index if e.attachment else None
        ),
        "instance.group-id": groups,
        "instance.group-name": group_names,
        "group-id": groups,
        "group-name": group_names,
        "source-dest-check": on_primary(lambda e: e.source_dest_check),
        "availability-zone": lambda i: i.availability_zone,
        "image-id": lambda i: i.image_id,
        "instance-type": lambda i: i.instance_type,
        "key-name": lambda i: i.key_name,
        "reservation-id": lambda i: i.reservation_id,
        "client-token": lambda i: i.client_token,
        "launch-index": lambda i: i.ami_launch_index,
        "architecture": lambda i: images.architecture_of(ctx.region, i.image_id),
        "owner-id": lambda i: ctx.account,
        "tenancy": lambda i: "default",
        "root-device-type": lambda i: "ebs",
        "virtualization-type": lambda i: "hvm",
        "state-reason-code": lambda i: i.state_reason,
    }


def chosen_instances(ctx: RequestContext, params: dict[str, Any]) -> list[Instance]:
    """The visible instances, or exactly those named (an unknown id is an error)."""
    ids = params.get("InstanceIds")
    if ids:
        return [instances.require_visible(ctx.tx, i) for i in dict.fromkeys(ids)]
    return [i for i in ctx.tx.all(Instance) if instances.visible(ctx.tx, i)]


@operation("DescribeInstances")
def describe_instances(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeInstances: filters, pagination over instances, grouped into reservations."""
    if params.get("InstanceIds") and params.get("MaxResults") is not None:
        raise DomainError(
            "InvalidParameterCombination",
            "The parameter instancesSet cannot be used with the parameter maxResults",
        )
    attached = interfaces_by_instance(ctx)
    chosen = flt.apply(
        chosen_instances(ctx, params), params.get("Filters"), instance_filters(ctx, attached)
    )
    page, token = paginate(chosen, params, key=lambda i: i.id)
    out: dict[str, Any] = {"Reservations": present_reservations(ctx, page, attached)}
    if token:
        out["NextToken"] = token
    return out


# -- lifecycle ------------------------------------------------------------------------------------
def present_transitions(changes: list[instances.Transition]) -> list[dict[str, Any]]:
    """InstanceStateChange items."""
    return [
        {
            "InstanceId": c.instance_id,
            "CurrentState": present_state(c.current),
            "PreviousState": present_state(c.previous),
        }
        for c in changes
    ]


@operation("StartInstances")
def start_instances(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """StartInstances."""
    changes = instances.start_instances(ctx.tx, params["InstanceIds"])
    return {"StartingInstances": present_transitions(changes)}


@operation("StopInstances")
def stop_instances(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """StopInstances (ENI-4: the auto-assigned public IP is released)."""
    changes = instances.stop_instances(ctx.tx, params["InstanceIds"])
    return {"StoppingInstances": present_transitions(changes)}


@operation("TerminateInstances")
def terminate_instances(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """TerminateInstances."""
    changes = instances.terminate_instances(ctx.tx, params["InstanceIds"])
    return {"TerminatingInstances": present_transitions(changes)}


@operation("RebootInstances")
def reboot_instances(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """RebootInstances."""
    instances.reboot_instances(ctx.tx, params["InstanceIds"])
    return {}


# -- attributes -----------------------------------------------------------------------------------
# ModifyInstanceAttribute members that set a plain instance field: member -> field.
PLAIN_ATTRIBUTES = {
    "DisableApiTermination": "disable_api_termination",
    "DisableApiStop": "disable_api_stop",
    "EbsOptimized": "ebs_optimized",
    "InstanceInitiatedShutdownBehavior": "shutdown_behavior",
    "UserData": "user_data",
}
# The Attribute/Value form: attribute name -> the member it stands for.
ATTRIBUTE_MEMBERS = {
    "instanceType": "InstanceType",
    "sourceDestCheck": "SourceDestCheck",
    "groupSet": "Groups",
    "disableApiTermination": "DisableApiTermination",
    "disableApiStop": "DisableApiStop",
    "ebsOptimized": "EbsOptimized",
    "instanceInitiatedShutdownBehavior": "InstanceInitiatedShutdownBehavior",
    "userData": "UserData",
}
BOOLEAN_MEMBERS = ("SourceDestCheck", "DisableApiTermination", "DisableApiStop", "EbsOptimized")


def _requested_changes(params: dict[str, Any]) -> dict[str, Any]:
    """The attribute changes of one ModifyInstanceAttribute request, by member name."""
    changes: dict[str, Any] = {}
    for member in ("InstanceType", "SourceDestCheck", *PLAIN_ATTRIBUTES):
        holder = params.get(member)
        if holder is not None:
            changes[member] = holder.get("Value")
    if params.get("Groups"):
        changes["Groups"] = list(params["Groups"])
    attribute = params.get("Attribute")
    if attribute is not None:
        named = ATTRIBUTE_MEMBERS.get(attribute)
        if named is None:
            raise DomainError(
                "InvalidParameterValue",
                f"Value ({attribute}) for parameter attribute is invalid.",
            )
        value: Any = params.get("Value")
        if named in BOOLEAN_MEMBERS:
            value = str(value).lower() == "true"
        changes[named] = [value] if named == "Groups" else value
    return changes


@operation("ModifyInstanceAttribute")
def modify_instance_attribute(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """ModifyInstanceAttribute: one attribute per call (ENI-6, SG-18, type only when stopped)."""
    instance = instances.require_visible(ctx.tx, params["InstanceId"])
    changes = _requested_changes(params)
    if len(changes) != 1:
        raise DomainError(
            "InvalidParameterCombination",
            "Exactly one attribute must be modified per ModifyInstanceAttribute request",
        )
    [(member, value)] = changes.items()
    if value is None:
        raise DomainError("MissingParameter", f"The request must contain the parameter {member}")
    if member == "SourceDestCheck":
        instances.set_source_dest_check(ctx.tx, instance, bool(value))
    elif member == "Groups":
        instances.set_groups(ctx.tx, instance, value)
    elif member == "InstanceType":
        instances.set_instance_type(ctx.tx, instance, value)
    else:
        instances.set_flag(ctx.tx, instance, PLAIN_ATTRIBUTES[member], value)
    return {}


@operation("DescribeInstanceAttribute")
def describe_instance_attribute(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeInstanceAttribute for the attributes vpclab models."""
    instance = instances.require_visible(ctx.tx, params["InstanceId"])
    attribute = params["Attribute"]
    primary = instances.primary_interface(ctx.tx, instance)
    out: dict[str, Any] = {"InstanceId": instance.id}
    if attribute == "instanceType":
        out["InstanceType"] = {"Value": instance.instance_type}
    elif attribute == "sourceDestCheck":
        out["SourceDestCheck"] = {"Value": primary.source_dest_check if primary else True}
    elif attribute == "groupSet":
        out["Groups"] = enis.group_names(ctx.tx, primary) if primary else []
    elif attribute == "disableApiTermination":
        out["DisableApiTermination"] = {"Value": instance.disable_api_termination}
    elif attribute == "disableApiStop":
        out["DisableApiStop"] = {"Value": instance.disable_api_stop}
    elif attribute == "ebsOptimized":
        out["EbsOptimized"] = {"Value": instance.ebs_optimized}
    elif attribute == "instanceInitiatedShutdownBehavior":
        out["InstanceInitiatedShutdownBehavior"] = {"Value": instance.shutdown_behavior}
    elif attribute == "userData":
        out["UserData"] = {"Value": instance.user_data} if instance.user_data else {}
    elif attribute == "rootDeviceName":
        out["RootDeviceName"] = {"Value": root_device_name(ctx, instance)}
    elif attribute == "enaSupport":
        out["EnaSupport"] = {"Value": True}
    elif attribute == "productCodes":
        out["ProductCodes"] = []
    elif attribute == "blockDeviceMapping":
        out["BlockDeviceMappings"] = present_block_devices(
            instance, instances.state_of(ctx.tx, instance), root_device_name(ctx, instance)
        )
    else:
        raise DomainError(
            "InvalidParameterValue", f"Value ({attribute}) for parameter attribute is invalid."
        )
    return out


@operation("ModifyInstanceMetadataOptions")
def modify_instance_metadata_options(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """ModifyInstanceMetadataOptions: change the named IMDS settings (State pending in the answer)."""
    instance = instances.require_visible(ctx.tx, params["InstanceId"])
    changed = instances.set_metadata_options(
        ctx.tx, instance, metadata_options_of(ctx, instance), metadata_changes(params)
    )
    return {
        "InstanceId": changed.id,
        "InstanceMetadataOptions": present_metadata_options(ctx, changed, applied=False),
    }


@operation("ModifyInstanceMaintenanceOptions")
def modify_instance_maintenance_options(
    ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    """ModifyInstanceMaintenanceOptions: the instance's AutoRecovery setting."""
    instance = instances.require_visible(ctx.tx, params["InstanceId"])
    if params.get("AutoRecovery") is not None:
        instance = instances.set_auto_recovery(ctx.tx, instance, params["AutoRecovery"])
    return {"InstanceId": instance.id, "AutoRecovery": instance.auto_recovery}


# ModifyPrivateDnsNameOptions members -> PrivateDnsNameOptions fields.
DNS_NAME_MEMBERS = {
    "PrivateDnsHostnameType": "hostname_type",
    "EnableResourceNameDnsARecord": "enable_resource_name_dns_a_record",
    "EnableResourceNameDnsAAAARecord": "enable_resource_name_dns_aaaa_record",
}


@operation("ModifyPrivateDnsNameOptions")
def modify_private_dns_name_options(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """ModifyPrivateDnsNameOptions: the named hostname settings of the instance."""
    instance = instances.require_visible(ctx.tx, params["InstanceId"])
    changes = {f: params[m] for m, f in DNS_NAME_MEMBERS.items() if params.get(m) is not None}
    instances.set_dns_name_options(ctx.tx, instance, changes)
    return {"Return": True}


def _monitoring_answer(changed: list[Instance], state: str) -> dict[str, Any]:
    """The InstanceMonitorings list Monitor/UnmonitorInstances answer with."""
    return {
        "InstanceMonitorings": [
            {"InstanceId": i.id, "Monitoring": {"State": state}} for i in changed
        ]
    }


@operation("MonitorInstances")
def monitor_instances(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """MonitorInstances: detailed monitoring on (`pending` in the answer, as EC2 shows it)."""
    return _monitoring_answer(
        instances.set_monitoring(ctx.tx, params["InstanceIds"], True), "pending"
    )


@operation("UnmonitorInstances")
def unmonitor_instances(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """UnmonitorInstances: detailed monitoring off (`disabling` in the answer)."""
    changed = instances.set_monitoring(ctx.tx, params["InstanceIds"], False)
    return _monitoring_answer(changed, "disabling")


# -- IAM instance profiles ------------------------------------------------------------------------
def requested_profile(ctx: RequestContext, params: dict[str, Any]) -> str | None:
    """The instance profile ARN a request's IamInstanceProfile names (by Arn or Name)."""
    given = params.get("IamInstanceProfile") or {}
    return instances.profile_arn(ctx.account, given.get("Arn"), given.get("Name"))


def _required_profile(ctx: RequestContext, params: dict[str, Any]) -> str:
    """The instance profile ARN a request must name."""
    arn = requested_profile(ctx, params)
    if arn is None:
        raise DomainError(
            "MissingParameter", "The request must contain the parameter IamInstanceProfile"
        )
    return arn


def present_profile_association(
    instance_id: str, association: IamProfileAssociation, state: str = "associated"
) -> dict[str, Any]:
    """An IamInstanceProfileAssociation (answers of changes say associating/disassociating)."""
    return {
        "AssociationId": association.association_id,
        "InstanceId": instance_id,
        "IamInstanceProfile": present_profile(association.arn),
        "State": state,
        "Timestamp": timestamp(association.associated_at),
    }


def _association_answer(instance: Instance, state: str) -> dict[str, Any]:
    """The IamInstanceProfileAssociation answer of Associate/Replace."""
    assert instance.iam_instance_profile is not None
    return {
        "IamInstanceProfileAssociation": present_profile_association(
            instance.id, instance.iam_instance_profile, state
        )
    }


@operation("AssociateIamInstanceProfile")
def associate_iam_instance_profile(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """AssociateIamInstanceProfile: one profile per instance."""
    arn = _required_profile(ctx, params)
    return _association_answer(
        instances.associate_profile(ctx.tx, params["InstanceId"], arn), "associating"
    )


@operation("ReplaceIamInstanceProfileAssociation")
def replace_iam_instance_profile_association(
    ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    """ReplaceIamInstanceProfileAssociation: the new association, associating."""
    arn = _required_profile(ctx, params)
    return _association_answer(
        instances.replace_profile(ctx.tx, params["AssociationId"], arn), "associating"
    )


@operation("DisassociateIamInstanceProfile")
def disassociate_iam_instance_profile(
    ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    """DisassociateIamInstanceProfile: the association that ends, disassociating."""
    instance, association = instances.disassociate_profile(ctx.tx, params["AssociationId"])
    return {
        "IamInstanceProfileAssociation": present_profile_association(
            instance.id, association, "disassociating"
        )
    }


@operation("DescribeIamInstanceProfileAssociations")
def describe_iam_instance_profile_associations(
    ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    """DescribeIamInstanceProfileAssociations of the instances not terminated."""
    ids = params.get("AssociationIds")
    if ids:
        held = [instances.profile_holder(ctx.tx, a) for a in dict.fromkeys(ids)]
    else:
        held = [
            i
            for i in ctx.tx.all(Instance)
            if i.iam_instance_profile is not None and instances.visible(ctx.tx, i)
        ]
    live = [
        (i.id, i.iam_instance_profile)
        for i in held
        if i.iam_instance_profile is not None
        and instances.state_of(ctx.tx, i) not in ("shutting-down", "terminated")
    ]
    return describe(
        live,
        params,
        fields={"instance-id": lambda pair: pair[0], "state": lambda pair: "associated"},
        present=lambda pair: present_profile_association(pair[0], pair[1]),
        list_key="IamInstanceProfileAssociations",
        key=lambda pair: pair[1].association_id,
        ids_given=bool(ids),
    )


# -- DescribeInstanceStatus -----------------------------------------------------------------------
def present_status(ctx: RequestContext, instance: Instance) -> dict[str, Any]:
    """An InstanceStatus: checks pass while running, not-applicable otherwise."""
    state = instances.state_of(ctx.tx, instance)
    check = "ok" if state == "running" else "not-applicable"
    detail = "passed" if state == "running" else "not-applicable"

    def summary(extra: str) -> dict[str, Any]:
        """An InstanceStatusSummary with one detail."""
        return {"Status": check, "Details": [{"Name": extra, "Status": detail}]}

    return {
        "InstanceId": instance.id,
        "AvailabilityZone": instance.availability_zone,
        "AvailabilityZoneId": _zone_id(ctx, instance.availability_zone),
        "Operator": unmanaged_operator(),
        "InstanceState": present_state(state),
        "InstanceStatus": summary("reachability"),
        "SystemStatus": summary("reachability"),
        "AttachedEbsStatus": summary("reachability"),
        "Events": [],
    }


def status_filters(ctx: RequestContext) -> dict[str, Any]:
    """The DescribeInstanceStatus filters vpclab supports."""

    def state(i: Instance) -> str:
        """The instance's state name now."""
        return instances.state_of(ctx.tx, i)

    def check(i: Instance) -> str:
        """ok while running, not-applicable otherwise."""
        return "ok" if state(i) == "running" else "not-applicable"

    return {
        "availability-zone": lambda i: i.availability_zone,
        "instance-state-name": state,
        "instance-state-code": lambda i: instances.STATE_CODES[state(i)],
        "instance-status.status": check,
        "instance-status.reachability": lambda i: "passed" if check(i) == "ok" else check(i),
        "system-status.status": check,
        "system-status.reachability": lambda i: "passed" if check(i) == "ok" else check(i),
    }


@operation("DescribeInstanceStatus")
def describe_instance_status(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeInstanceStatus: running instances unless IncludeAllInstances is set."""
    chosen = chosen_instances(ctx, params)
    if not params.get("IncludeAllInstances"):
        chosen = [i for i in chosen if instances.state_of(ctx.tx, i) == "running"]
    return describe(
        chosen,
        params,
        fields=status_filters(ctx),
        present=lambda i: present_status(ctx, i),
        list_key="InstanceStatuses",
        ids_given=bool(params.get("InstanceIds")),
    )
