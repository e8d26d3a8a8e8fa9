"""Instances: launch into a subnet, the clock-driven lifecycle and instance attributes (spec 9.1)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from vpclab.control import defaults
from vpclab.control import network_interfaces as enis
from vpclab.control.addresses import new_public_ip
from vpclab.control.lookup import require
from vpclab.control.store import Tx
from vpclab.model.base import Tags, evolve
from vpclab.model.errors import DomainError, idempotency_mismatch
from vpclab.model.ids import has_prefix, new_id
from vpclab.model.interface import (
    IamProfileAssociation,
    Instance,
    MetadataOptions,
    NetworkInterface,
    PrivateDnsNameOptions,
    RootDevice,
)
from vpclab.model.lifecycle import instance_state
from vpclab.model.security_group import SecurityGroup
from vpclab.model.state import View
from vpclab.model.vpc import Subnet, Vpc

DEFAULT_INSTANCE_TYPE = "m1.small"  # what RunInstances launches when InstanceType is omitted
TERMINATED_RETENTION = 3600.0  # terminated instances stay visible about an hour
INSTANCE_TYPE_FORM = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9]+$")
STATE_CODES = {
    "pending": 0,
    "running": 16,
    "shutting-down": 32,
    "terminated": 48,
    "stopping": 64,
    "stopped": 80,
}
USER_SHUTDOWN = "Client.UserInitiatedShutdown"
SHUTDOWN_BEHAVIOURS = ("stop", "terminate")
ENABLED_DISABLED = ("enabled", "disabled")
TENANCIES = ("default", "dedicated", "host")
CAPACITY_PREFERENCES = ("open", "none", "capacity-reservations-only")
AUTO_RECOVERY = ("default", "disabled")
HOSTNAME_TYPES = ("ip-name", "resource-name")
# vCPUs of the sizes every family shares; "Nxlarge" is 4N and t2/m1 small sizes have one vCPU.
_SIZE_VCPUS = {"nano": 2, "micro": 2, "small": 2, "medium": 2, "large": 2, "xlarge": 4}
_ONE_VCPU = {"t2.nano", "t2.micro", "t2.small", "t1.micro", "m1.small", "m3.medium"}


# -- state ----------------------------------------------------------------------------------------
def state_of(view: View, instance: Instance) -> str:
    """The instance's state now (derived from the clock, never ticked)."""
    return instance_state(instance, view.now(), view.clock.settle_seconds)


def visible(view: View, instance: Instance) -> bool:
    """Whether Describe still shows the instance (terminated ones vanish after about an hour)."""
    if state_of(view, instance) != "terminated":
        return True
    return view.now() < instance.state_since + view.clock.settle_seconds + TERMINATED_RETENTION


def require_visible(view: View, instance_id: str) -> Instance:
    """An instance the API still knows (InvalidInstanceID.NotFound / .Malformed otherwise)."""
    instance = require(view, Instance, instance_id)
    if not visible(view, instance):
        raise DomainError(
            "InvalidInstanceID.NotFound", f"The instance ID '{instance_id}' does not exist"
        )
    return instance


def _purge_vanished(tx: Tx) -> None:
    """Forget instances no Describe can show any more, so state does not grow without end."""
    for instance in tx.all(Instance):
        if not visible(tx, instance):
            tx.delete(Instance, instance.id)


def _user_reason(now: float) -> str:
    """StateTransitionReason for a user-initiated change, worded as EC2 words it."""
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now))
    return f"User initiated ({stamp} GMT)"


def primary_interface(view: View, instance: Instance) -> NetworkInterface | None:
    """The instance's eth0 (gone once the instance is terminated)."""
    return view.get(NetworkInterface, instance.primary_eni_id)


def cpu_options(instance_type: str) -> tuple[int, int]:
    """(CoreCount, ThreadsPerCore) of an instance type as EC2 reports them by default.

    Graviton (`a1`, `t4g`, `m6g`, ...) and the old Xen families have one thread per core;
    the rest two, so their cores are half their vCPUs."""
    family, _, size = instance_type.partition(".")
    if instance_type in _ONE_VCPU:
        return 1, 1
    if size.endswith("xlarge") and size[: -len("xlarge")].isdigit():
        vcpus = 4 * int(size[: -len("xlarge")])
    else:
        vcpus = _SIZE_VCPUS.get(size, 2)
    single_thread = family in ("a1", "t2", "m1", "m3", "c1") or re.fullmatch(
        r"[a-z]+\d+g[a-z]*", family
    )
    threads = 1 if single_thread else 2
    return max(vcpus // threads, 1), threads


def launch_tenancy(view: View, subnet: Subnet, requested: str | None) -> str:
    """The tenancy an instance runs with: a dedicated VPC makes every instance dedicated."""
    vpc = view.get(Vpc, subnet.vpc_id)
    if vpc is not None and vpc.instance_tenancy == "dedicated":
        return "dedicated"
    return requested or "default"


def subnet_dns_options(subnet: Subnet) -> PrivateDnsNameOptions:
    """The private DNS name options an instance inherits from its subnet's launch settings."""
    return PrivateDnsNameOptions(
        hostname_type=subnet.private_dns_hostname_type,
        enable_resource_name_dns_a_record=subnet.enable_resource_name_dns_a_record,
        enable_resource_name_dns_aaaa_record=subnet.enable_resource_name_dns_aaaa_record,
    )


# -- launch ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class InterfaceSpec:
    """One item of RunInstances' NetworkInterfaces (InstanceNetworkInterfaceSpecification)."""

    device_index: int
    network_interface_id: str | None = None
    subnet_id: str | None = None
    group_ids: tuple[str, ...] = ()
    private_ip: str | None = None
    listed_ips: tuple[tuple[str, bool], ...] = ()
    secondary_count: int = 0
    associate_public_ip: bool | None = None
    delete_on_termination: bool | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class LaunchRequest:
    """The parts of a RunInstances request vpclab acts on."""

    image_id: str | None
    min_count: int
    max_count: int
    instance_type: str | None = None
    subnet_id: str | None = None
    zone: str | None = None
    group_ids: tuple[str, ...] = ()
    group_names: tuple[str, ...] = ()
    private_ip: str | None = None
    interfaces: tuple[InterfaceSpec, ...] = ()
    key_name: str | None = None
    client_token: str | None = None
    instance_tags: Tags = ()
    interface_tags: Tags = ()
    disable_api_termination: bool = False
    disable_api_stop: bool = False
    shutdown_behavior: str | None = None
    ebs_optimized: bool = False
    user_data: str | None = None
    monitoring: bool = False
    tenancy: str | None = None
    metadata_options: MetadataOptions | None = None
    private_dns_name_options: PrivateDnsNameOptions | None = None
    hibernation_configured: bool = False
    enclave_enabled: bool = False
    capacity_reservation_preference: str = "open"
    auto_recovery: str = "default"
    iam_instance_profile_arn: str | None = None
    volume_tags: Tags = ()
    raw: Mapping[str, Any] = field(default_factory=dict)


def digest(raw: Mapping[str, Any]) -> str:
    """A stable digest of a request's parameters (ClientToken and DryRun aside)."""
    kept = {k: v for k, v in raw.items() if k not in ("ClientToken", "DryRun")}
    text = json.dumps(kept, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _check_shape(request: LaunchRequest) -> None:
    """Counts, image id, instance type and the parameter combinations EC2 refuses."""
    if request.image_id is None:
        raise DomainError("MissingParameter", "The request must contain the parameter ImageId")
    if not has_prefix(request.image_id, "ami"):
        raise DomainError(
            "InvalidAMIID.Malformed", f'Invalid id: "{request.image_id}" (expecting "ami-...")'
        )
    if request.min_count < 1 or request.max_count < 1:
        raise DomainError(
            "InvalidParameterValue",
            "Value for parameter minCount and maxCount must be greater than zero",
        )
    if request.min_count > request.max_count:
        raise DomainError(
            "InvalidParameterValue",
            "MinCount value must be smaller than or equal to the MaxCount value",
        )
    itype = request.instance_type
    if itype is not None and not INSTANCE_TYPE_FORM.match(itype):
        raise DomainError("InvalidParameterValue", f"Invalid value '{itype}' for InstanceType.")
    if request.shutdown_behavior not in (None, *SHUTDOWN_BEHAVIOURS):
        raise DomainError(
            "InvalidParameterValue",
            f"Value ({request.shutdown_behavior}) for parameter "
            "instanceInitiatedShutdownBehavior is invalid.",
        )
    if request.metadata_options is not None:
        check_metadata_options(request.metadata_options)
    _check_choice(request.tenancy, TENANCIES, "tenancy")
    _check_choice(request.capacity_reservation_preference, CAPACITY_PREFERENCES, "preference")
    _check_choice(request.auto_recovery, AUTO_RECOVERY, "autoRecovery")
    if request.interfaces:
        for given, what in (
            (request.subnet_id, "an instance-level subnet ID"),
            (request.group_ids or request.group_names, "instance-level security groups"),
            (request.private_ip, "an instance-level private IP address"),
        ):
            if given:
                raise DomainError(
                    "InvalidParameterCombination",
                    f"Network interfaces and {what} may not be specified on the same request",
                )
    if request.private_ip and request.max_count > 1:
        raise DomainError(
            "InvalidParameterCombination",
            "Cannot specify a private IP address when launching more than one instance",
        )
    _check_interface_specs(request)


def _check_choice(value: str | None, allowed: tuple[str, ...], parameter: str) -> None:
    """InvalidParameterValue, in EC2's words, for a value outside a parameter's enumeration."""
    if value is not None and value not in allowed:
        raise DomainError(
            "InvalidParameterValue", f"Value ({value}) for parameter {parameter} is invalid."
        )


def check_metadata_options(options: MetadataOptions) -> None:
    """The IMDS settings EC2 accepts: the enumerations and a hop limit of 1 to 64."""
    _check_choice(options.http_tokens, ("optional", "required"), "httpTokens")
    _check_choice(options.http_endpoint, ENABLED_DISABLED, "httpEndpoint")
    _check_choice(options.http_protocol_ipv6, ENABLED_DISABLED, "httpProtocolIpv6")
    _check_choice(options.instance_metadata_tags, ENABLED_DISABLED, "instanceMetadataTags")
    if not 1 <= options.http_put_response_hop_limit <= 64:
        raise DomainError(
            "InvalidParameterValue",
            f"Value ({options.http_put_response_hop_limit}) for parameter "
            "httpPutResponseHopLimit is invalid. Valid values are between 1 and 64.",
        )


def _check_interface_specs(request: LaunchRequest) -> None:
    """Device indexes unique with one at 0; public IP only on a single new eth0 (SUB-9)."""
    specs = request.interfaces
    if not specs:
        return
    indexes = [s.device_index for s in specs]
    if len(set(indexes)) != len(indexes):
        raise DomainError(
            "InvalidParameterValue", "Each network interface requires a unique device index."
        )
    if 0 not in indexes:
        raise DomainError(
            "InvalidParameterValue",
            "When specifying network interfaces, you must include a device at index 0.",
        )
    for spec in specs:
        if spec.associate_public_ip is None:
            continue
        if len(specs) > 1:
            raise DomainError(
                "InvalidParameterCombination",
                "The associatePublicIPAddress parameter cannot be specified when launching "
                "with multiple network interfaces.",
            )
        if spec.network_interface_id is not None:
            raise DomainError(
                "InvalidParameterCombination",
                "The associatePublicIPAddress parameter cannot be specified for an existing "
                "network interface.",
            )
        if spec.device_index != 0:
            raise DomainError(
                "InvalidParameterCombination",
                "The associatePublicIPAddress parameter can only be specified for the network "
                "interface with DeviceIndex 0.",
            )
    if any(s.network_interface_id and s.delete_on_termination for s in specs):
        raise DomainError(
            "InvalidParameterCombination",
            "DeleteOnTermination can be true only for a network interface created at launch",
        )
    if any(s.network_interface_id for s in specs) and request.max_count > 1:
        raise DomainError(
            "InvalidParameterCombination",
            "An existing network interface can only be used when launching one instance",
        )


def _default_subnet(tx: Tx, zone: str | None) -> Subnet:
    """Where a launch without a subnet goes: a default subnet of the default VPC."""
    vpc = defaults.default_vpc(tx)
    if vpc is None:
        raise DomainError("VPCIdNotSpecified", "No default VPC for this user")
    candidates = [s for s in tx.all(Subnet) if s.vpc_id == vpc.id and s.default_for_az]
    if zone is not None:
        candidates = [s for s in candidates if s.availability_zone == zone]
    if not candidates:
        raise DomainError(
            "MissingInput",
            f"No subnets found for the default VPC '{vpc.id}'. Please specify a subnet.",
        )
    return sorted(candidates, key=lambda s: s.availability_zone)[0]


def _launch_subnet(tx: Tx, request: LaunchRequest) -> Subnet:
    """The subnet of eth0: named, implied by an existing ENI, or the default one."""
    primary = next((s for s in request.interfaces if s.device_index == 0), None)
    subnet_id = request.subnet_id or (primary.subnet_id if primary else None)
    if primary is not None and primary.network_interface_id is not None:
        eni = require(tx, NetworkInterface, primary.network_interface_id)
        subnet_id = eni.subnet_id
    if subnet_id is None:
        return _default_subnet(tx, request.zone)
    subnet = require(tx, Subnet, subnet_id)
    if request.zone is not None and request.zone != subnet.availability_zone:
        raise DomainError(
            "InvalidParameterValue",
            f"Value ({request.zone}) for parameter availabilityZone is invalid. "
            f"Subnet {subnet.id} is in {subnet.availability_zone}.",
        )
    return subnet


def _groups_by_name(tx: Tx, subnet: Subnet, names: Sequence[str]) -> tuple[str, ...]:
    """Security group names resolve only in the default VPC (as on AWS)."""
    vpc = defaults.default_vpc(tx)
    if vpc is None or vpc.id != subnet.vpc_id:
        raise DomainError(
            "InvalidParameterCombination",
            "The parameter groupName cannot be used with the parameter subnet",
        )
    ids = []
    for name in names:
        found = [g for g in tx.iter(SecurityGroup) if g.vpc_id == vpc.id and g.name == name]
        if not found:
            raise DomainError(
                "InvalidGroup.NotFound",
                f"The security group '{name}' does not exist in default VPC '{vpc.id}'",
            )
        ids.append(found[0].id)
    return tuple(ids)


def _find_by_token(tx: Tx, token: str, request_digest: str) -> list[Instance] | None:
    """The instances an earlier RunInstances with this ClientToken launched (idempotency)."""
    found = [i for i in tx.all(Instance) if i.client_token == token]
    if not found:
        return None
    if found[0].request_digest != request_digest:
        raise idempotency_mismatch()
    return sorted(found, key=lambda i: i.ami_launch_index)


def run_instances(tx: Tx, request: LaunchRequest) -> list[Instance]:
    """RunInstances: as many instances as fit (at least MinCount), each with its eth0 (ENI-1)."""
    _check_shape(request)
    request_digest = digest(request.raw)
    if request.client_token:
        earlier = _find_by_token(tx, request.client_token, request_digest)
        if earlier is not None:
            return earlier
    _purge_vanished(tx)
    subnet = _launch_subnet(tx, request)
    group_ids = request.group_ids
    if request.group_names:
        group_ids = (*group_ids, *_groups_by_name(tx, subnet, request.group_names))
    count = _fitting_count(tx, subnet, request)
    reservation_id = new_id("r")
    tenancy = launch_tenancy(tx, subnet, request.tenancy)
    dns_options = request.private_dns_name_options or subnet_dns_options(subnet)
    launched = []
    for index in range(count):
        instance_id = new_id("i")
        primary = _launch_interfaces(tx, request, subnet, group_ids, instance_id)
        auto_ip = primary.public_ip is not None
        instance = Instance(
            id=instance_id,
            image_id=request.image_id or "",
            instance_type=request.instance_type or DEFAULT_INSTANCE_TYPE,
            subnet_id=subnet.id,
            vpc_id=subnet.vpc_id,
            availability_zone=subnet.availability_zone,
            primary_eni_id=primary.id,
            state="pending",
            state_since=tx.now(),
            launch_time=tx.now(),
            key_name=request.key_name,
            ami_launch_index=index,
            reservation_id=reservation_id,
            client_token=request.client_token,
            request_digest=request_digest,
            auto_public_ip=auto_ip,
            disable_api_termination=request.disable_api_termination,
            disable_api_stop=request.disable_api_stop,
            shutdown_behavior=request.shutdown_behavior or "stop",
            ebs_optimized=request.ebs_optimized,
            user_data=request.user_data,
            monitoring=request.monitoring,
            tenancy=tenancy,
            metadata_options=request.metadata_options,
            private_dns_name_options=dns_options,
            hibernation_configured=request.hibernation_configured,
            enclave_enabled=request.enclave_enabled,
            capacity_reservation_preference=request.capacity_reservation_preference,
            auto_recovery=request.auto_recovery,
            iam_instance_profile=(
                new_profile_association(tx, request.iam_instance_profile_arn)
                if request.iam_instance_profile_arn
                else None
            ),
            root_volume_tags=request.volume_tags,
            tags=request.instance_tags,
        )
        tx.put(instance)
        launched.append(instance)
    return launched


def _fitting_count(tx: Tx, subnet: Subnet, request: LaunchRequest) -> int:
    """How many instances the subnet has room for, up to MaxCount (at least MinCount, ENI-1)."""
    from vpclab.control import addressing

    primary = next((s for s in request.interfaces if s.device_index == 0), None)
    if primary is not None and primary.network_interface_id is not None:
        return 1
    extra = primary.secondary_count + len(primary.listed_ips) if primary else 0
    per_instance = 1 + extra
    free = addressing.usable_count(subnet.cidr_block) - len(
        addressing.used_addresses(tx, subnet.id)
    )
    fits = min(request.max_count, free // per_instance)
    if fits < request.min_count:
        raise DomainError(
            "InsufficientFreeAddressesInSubnet",
            f"There are not enough free addresses in subnet '{subnet.id}' to satisfy the "
            "requested number of instances.",
        )
    return fits


def _launch_interfaces(
    tx: Tx,
    request: LaunchRequest,
    subnet: Subnet,
    group_ids: tuple[str, ...],
    instance_id: str,
) -> NetworkInterface:
    """Create (or take) and attach every ENI of one new instance; returns eth0 (ENI-1, ENI-3)."""
    specs = request.interfaces or (
        InterfaceSpec(device_index=0, group_ids=group_ids, private_ip=request.private_ip),
    )
    primary: NetworkInterface | None = None
    for spec in sorted(specs, key=lambda s: s.device_index):
        if spec.network_interface_id is not None:
            eni = require(tx, NetworkInterface, spec.network_interface_id)
            _check_launch_zone(eni.availability_zone, subnet)
            delete = bool(spec.delete_on_termination)
        else:
            target = require(tx, Subnet, spec.subnet_id) if spec.subnet_id else subnet
            _check_launch_zone(target.availability_zone, subnet)
            eni = enis.new_interface(
                tx,
                target,
                group_ids=spec.group_ids,
                addresses=enis.AddressRequest(
                    spec.private_ip, spec.listed_ips, spec.secondary_count
                ),
                description=spec.description,
                tags=request.interface_tags,
                limit_code="SecurityGroupsPerInstanceLimitExceeded",
            )
            delete = spec.delete_on_termination is not False
            if spec.device_index == 0 and _gets_public_ip(spec, target, len(specs)):
                eni = evolve(eni, public_ip=new_public_ip(tx))
        eni = enis.attach(tx, eni, instance_id, spec.device_index, delete_on_termination=delete)
        if spec.device_index == 0:
            primary = eni
    assert primary is not None
    return primary


def _check_launch_zone(zone: str, subnet: Subnet) -> None:
    """Every ENI of one launch, taken or made, is in the launch subnet's availability zone."""
    if zone != subnet.availability_zone:
        raise DomainError(
            "InvalidParameterCombination",
            "Network interfaces must all be in the same availability zone",
        )


def _gets_public_ip(spec: InterfaceSpec, subnet: Subnet, interface_count: int) -> bool:
    """SUB-9/ENI-3: the request's AssociatePublicIpAddress, else the subnet's attribute."""
    if spec.associate_public_ip is not None:
        return spec.associate_public_ip
    return subnet.map_public_ip_on_launch and interface_count == 1


# -- transitions ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Transition:
    """One instance's state before and after a Start/Stop/Terminate call.

    The current state is the transitional one the call entered, as EC2 answers (AMB-1)."""

    instance_id: str
    previous: str
    current: str


def _incorrect(instance_id: str, verb: str) -> DomainError:
    """IncorrectInstanceState in EC2's words."""
    return DomainError(
        "IncorrectInstanceState",
        f"The instance '{instance_id}' is not in a state from which it can be {verb}.",
    )


def _targets(tx: Tx, instance_ids: Sequence[str]) -> list[Instance]:
    """The named instances (every id must be known) in request order, without repeats."""
    return [require_visible(tx, i) for i in dict.fromkeys(instance_ids)]


def _set_state(tx: Tx, instance: Instance, state: str) -> Instance:
    """Store a user-initiated transitional state starting now."""
    changed = evolve(
        instance,
        state=state,
        state_since=tx.now(),
        transition_reason=_user_reason(tx.now()),
        state_reason=USER_SHUTDOWN if state in ("stopping", "shutting-down") else None,
    )
    tx.put(changed)
    return changed


def _move_each(
    tx: Tx,
    instance_ids: Sequence[str],
    already: tuple[str, str],
    ready: str,
    verb: str,
    move: Callable[[Instance], Instance],
) -> list[Transition]:
    """What Start- and StopInstances share: an instance `already` there is answered as it is, one
    in the `ready` state is moved by `move`, any other is IncorrectInstanceState."""
    out = []
    for instance in _targets(tx, instance_ids):
        before = state_of(tx, instance)
        if before in already:
            out.append(Transition(instance.id, before, before))
            continue
        if before != ready:
            raise _incorrect(instance.id, verb)
        out.append(Transition(instance.id, before, move(instance).state))
    return out


def start_instances(tx: Tx, instance_ids: Sequence[str]) -> list[Transition]:
    """StartInstances: stopped -> pending (a new auto public IP, ENI-4); running stays running."""

    def start(instance: Instance) -> Instance:
        """Pending, with a fresh auto-assigned public IP on eth0."""
        changed = _set_state(tx, instance, "pending")
        _give_public_ip(tx, changed)
        return changed

    return _move_each(tx, instance_ids, ("pending", "running"), "stopped", "started", start)


def _give_public_ip(tx: Tx, instance: Instance) -> None:
    """On start, eth0 gets a fresh auto-assigned public IP unless an EIP maps it (ENI-4)."""
    eni = primary_interface(tx, instance)
    if eni is None or not instance.auto_public_ip or eni.public_ip is not None:
        return
    if enis.elastic_ip_on(tx, eni, eni.primary_ip) is not None:
        return
    tx.put(evolve(eni, public_ip=new_public_ip(tx)))


def _drop_public_ip(tx: Tx, instance: Instance) -> None:
    """On stop or termination the auto-assigned public IP is released (ENI-4); EIPs stay."""
    eni = primary_interface(tx, instance)
    if eni is not None and eni.public_ip is not None:
        tx.put(evolve(eni, public_ip=None))


def stop_instances(tx: Tx, instance_ids: Sequence[str]) -> list[Transition]:
    """StopInstances: running -> stopping -> stopped; the primary private IP stays (ENI-2)."""

    def stop(instance: Instance) -> Instance:
        """Stopping, the auto-assigned public IP released; refused under disableApiStop."""
        if instance.disable_api_stop:
            raise DomainError(
                "OperationNotPermitted",
                f"The instance '{instance.id}' may not be stopped. Modify its 'disableApiStop' "
                "instance attribute and try again.",
            )
        _drop_public_ip(tx, instance)
        return _set_state(tx, instance, "stopping")

    return _move_each(tx, instance_ids, ("stopping", "stopped"), "running", "stopped", stop)


def terminate_instances(tx: Tx, instance_ids: Sequence[str]) -> list[Transition]:
    """TerminateInstances: ENIs with DeleteOnTermination (eth0 by default) go, the others detach.

    AWS honours the flag on eth0 too: an existing ENI launched as eth0, or one whose flag was
    cleared with ModifyNetworkInterfaceAttribute, survives the instance, detached."""
    out = []
    for instance in _targets(tx, instance_ids):
        before = state_of(tx, instance)
        if before in ("shutting-down", "terminated"):
            out.append(Transition(instance.id, before, before))
            continue
        if instance.disable_api_termination:
            raise DomainError(
                "OperationNotPermitted",
                f"The instance '{instance.id}' may not be terminated. Modify its "
                "'disableApiTermination' instance attribute and try again.",
            )
        for eni in enis.attached_to(tx, instance.id):
            assert eni.attachment is not None
            if eni.attachment.delete_on_termination:
                enis.release(tx, eni)
            else:
                tx.put(evolve(eni, attachment=None))
        changed = _set_state(tx, instance, "shutting-down")
        out.append(Transition(instance.id, before, changed.state))
    return out


def reboot_instances(tx: Tx, instance_ids: Sequence[str]) -> None:
    """RebootInstances: only instances that are up (pending or running) can be rebooted."""
    for instance in _targets(tx, instance_ids):
        if state_of(tx, instance) not in ("pending", "running"):
            raise _incorrect(instance.id, "rebooted")


# -- attributes -----------------------------------------------------------------------------------
def set_source_dest_check(tx: Tx, instance: Instance, value: bool) -> None:
    """ModifyInstanceAttribute SourceDestCheck sets the flag of eth0 (ENI-6, NATI-2)."""
    eni = _live_primary(tx, instance)
    tx.put(evolve(eni, source_dest_check=value))


def set_groups(tx: Tx, instance: Instance, group_ids: Sequence[str]) -> None:
    """ModifyInstanceAttribute Groups replaces eth0's whole set (SG-2, SG-18)."""
    eni = _live_primary(tx, instance)
    enis.replace_groups(tx, eni, group_ids, "SecurityGroupsPerInstanceLimitExceeded")


def set_instance_type(tx: Tx, instance: Instance, instance_type: str) -> None:
    """ModifyInstanceAttribute InstanceType: only while the instance is stopped."""
    if state_of(tx, instance) != "stopped":
        raise DomainError(
            "IncorrectInstanceState", f"The instance '{instance.id}' is not in the 'stopped' state."
        )
    if not INSTANCE_TYPE_FORM.match(instance_type):
        raise DomainError(
            "InvalidParameterValue", f"Invalid value '{instance_type}' for InstanceType."
        )
    tx.put(evolve(instance, instance_type=instance_type))


def set_flag(tx: Tx, instance: Instance, field_name: str, value: object) -> None:
    """ModifyInstanceAttribute for the plain instance-level attributes."""
    if field_name == "shutdown_behavior" and value not in SHUTDOWN_BEHAVIOURS:
        raise DomainError(
            "InvalidParameterValue",
            f"Value ({value}) for parameter instanceInitiatedShutdownBehavior is invalid.",
        )
    tx.put(evolve(instance, **{field_name: value}))


def set_metadata_options(
    tx: Tx, instance: Instance, current: MetadataOptions, changes: Mapping[str, Any]
) -> Instance:
    """ModifyInstanceMetadataOptions: change the named IMDS settings of a live instance
    (`current`: its settings now, the image's defaults resolved)."""
    options = dataclasses.replace(current, **changes)
    check_metadata_options(options)
    return modify_live(tx, instance, metadata_options=options)


def modify_live(tx: Tx, instance: Instance, **changes: Any) -> Instance:
    """Change settings of an instance that is not shutting down or terminated."""
    if state_of(tx, instance) in ("shutting-down", "terminated"):
        raise DomainError(
            "IncorrectInstanceState",
            f"The instance '{instance.id}' is not in a valid state for this operation.",
        )
    changed = evolve(instance, **changes)
    tx.put(changed)
    return changed


def set_auto_recovery(tx: Tx, instance: Instance, auto_recovery: str) -> Instance:
    """ModifyInstanceMaintenanceOptions AutoRecovery: default or disabled."""
    _check_choice(auto_recovery, AUTO_RECOVERY, "autoRecovery")
    return modify_live(tx, instance, auto_recovery=auto_recovery)


def set_dns_name_options(tx: Tx, instance: Instance, changes: Mapping[str, Any]) -> Instance:
    """ModifyPrivateDnsNameOptions: the named hostname settings (ip-name or resource-name)."""
    _check_choice(changes.get("hostname_type"), HOSTNAME_TYPES, "PrivateDnsHostnameType")
    options = dataclasses.replace(instance.private_dns_name_options, **changes)
    return modify_live(tx, instance, private_dns_name_options=options)


def set_monitoring(tx: Tx, instance_ids: Sequence[str], enabled: bool) -> list[Instance]:
    """MonitorInstances/UnmonitorInstances: detailed monitoring on or off for live instances."""
    out = []
    for instance in _targets(tx, instance_ids):
        if state_of(tx, instance) in ("shutting-down", "terminated"):
            raise _incorrect(instance.id, "monitored")
        changed = evolve(instance, monitoring=enabled)
        tx.put(changed)
        out.append(changed)
    return out


# -- import ---------------------------------------------------------------------------------------
def nested(params: Mapping[str, Any], outer: str, inner: str) -> Any:
    """params[outer][inner] of a request or Describe item, or None when either is absent."""
    return (params.get(outer) or {}).get(inner)


def options_from_describe(item: Mapping[str, Any]) -> dict[str, Any]:
    """The launch options of an exported Describe item, as Instance fields (snapshot import):
    tenancy, monitoring, IMDS, DNS name, hibernation, enclave, capacity, maintenance, profile."""
    out: dict[str, Any] = {
        "monitoring": nested(item, "Monitoring", "State") in ("enabled", "pending"),
        "tenancy": nested(item, "Placement", "Tenancy") or "default",
        "hibernation_configured": bool(nested(item, "HibernationOptions", "Configured")),
        "enclave_enabled": bool(nested(item, "EnclaveOptions", "Enabled")),
        "capacity_reservation_preference": nested(
            item, "CapacityReservationSpecification", "CapacityReservationPreference"
        )
        or "open",
        "auto_recovery": nested(item, "MaintenanceOptions", "AutoRecovery") or "default",
    }
    imds = item.get("MetadataOptions")
    if imds:
        defaults = MetadataOptions()
        out["metadata_options"] = MetadataOptions(
            http_tokens=imds.get("HttpTokens", defaults.http_tokens),
            http_put_response_hop_limit=int(
                imds.get("HttpPutResponseHopLimit", defaults.http_put_response_hop_limit)
            ),
            http_endpoint=imds.get("HttpEndpoint", defaults.http_endpoint),
            http_protocol_ipv6=imds.get("HttpProtocolIpv6", defaults.http_protocol_ipv6),
            instance_metadata_tags=imds.get(
                "InstanceMetadataTags", defaults.instance_metadata_tags
            ),
        )
    dns = item.get("PrivateDnsNameOptions")
    if dns:
        out["private_dns_name_options"] = PrivateDnsNameOptions(
            hostname_type=dns.get("HostnameType", "ip-name"),
            enable_resource_name_dns_a_record=bool(dns.get("EnableResourceNameDnsARecord")),
            enable_resource_name_dns_aaaa_record=bool(dns.get("EnableResourceNameDnsAAAARecord")),
        )
    root = _exported_root_device(item)
    if root is not None:
        out["root_device"] = root
    profile = nested(item, "IamInstanceProfile", "Arn")
    if profile:
        out["iam_instance_profile"] = IamProfileAssociation(
            association_id=new_id("iip-assoc"), arn=profile
        )
    return out


def _exported_root_device(item: Mapping[str, Any]) -> RootDevice | None:
    """The root EBS volume an exported instance lists (its mapping at RootDeviceName)."""
    name = item.get("RootDeviceName")
    for mapping in item.get("BlockDeviceMappings") or ():
        ebs = mapping.get("Ebs") or {}
        if mapping.get("DeviceName") == name and ebs.get("VolumeId"):
            attached = ebs.get("AttachTime")
            return RootDevice(
                volume_id=ebs["VolumeId"],
                device_name=str(name),
                attached_at=_epoch(attached) if attached else 0.0,
            )
    return None


def _epoch(value: Any) -> float:
    """Seconds since the epoch of an exported time (ISO 8601 text or a datetime)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


# -- IAM instance profiles -------------------------------------------------------------------------
INSTANCE_PROFILE_ARN = re.compile(
    r"^arn:aws[a-z-]*:iam::\d{12}:instance-profile/[\w+=,.@/-]{1,128}$"
)


def profile_arn(account: str, arn: str | None, name: str | None) -> str | None:
    """The ARN an IamInstanceProfile specification names (by ARN, or by name in the account)."""
    if arn:
        if not INSTANCE_PROFILE_ARN.match(arn):
            raise DomainError(
                "InvalidParameterValue",
                f"Value ({arn}) for parameter iamInstanceProfile.arn is invalid. Invalid ARN",
            )
        return arn
    if name:
        return f"arn:aws:iam::{account}:instance-profile/{name}"
    return None


def new_profile_association(view: View, arn: str) -> IamProfileAssociation:
    """A fresh association of an instance profile, made now."""
    return IamProfileAssociation(
        association_id=new_id("iip-assoc"), arn=arn, associated_at=view.now()
    )


def associate_profile(tx: Tx, instance_id: str, arn: str) -> Instance:
    """AssociateIamInstanceProfile: one profile per instance, running or stopped."""
    instance = require_visible(tx, instance_id)
    if state_of(tx, instance) not in ("pending", "running", "stopping", "stopped"):
        raise DomainError(
            "IncorrectState", f"The instance '{instance.id}' is not in a valid state."
        )
    if instance.iam_instance_profile is not None:
        raise DomainError(
            "IncorrectState", f"There is an existing association for instance {instance.id}"
        )
    changed = evolve(instance, iam_instance_profile=new_profile_association(tx, arn))
    tx.put(changed)
    return changed


def profile_holder(view: View, association_id: str) -> Instance:
    """The instance an IAM instance profile association belongs to (NotFound otherwise)."""
    for instance in view.all(Instance):
        held = instance.iam_instance_profile
        if held is not None and held.association_id == association_id and visible(view, instance):
            return instance
    raise DomainError(
        "InvalidAssociationID.NotFound", f"An association ID '{association_id}' does not exist."
    )


def disassociate_profile(tx: Tx, association_id: str) -> tuple[Instance, IamProfileAssociation]:
    """DisassociateIamInstanceProfile: the instance and the association it no longer has."""
    instance = profile_holder(tx, association_id)
    assert instance.iam_instance_profile is not None
    tx.put(evolve(instance, iam_instance_profile=None))
    return instance, instance.iam_instance_profile


def replace_profile(tx: Tx, association_id: str, arn: str) -> Instance:
    """ReplaceIamInstanceProfileAssociation: a new association (new id) with another profile."""
    instance = profile_holder(tx, association_id)
    changed = evolve(instance, iam_instance_profile=new_profile_association(tx, arn))
    tx.put(changed)
    return changed


def _live_primary(tx: Tx, instance: Instance) -> NetworkInterface:
    """eth0 of an instance that is not terminated (IncorrectInstanceState otherwise)."""
    eni = primary_interface(tx, instance)
    if eni is None or state_of(tx, instance) in ("shutting-down", "terminated"):
        raise DomainError(
            "IncorrectInstanceState",
            f"The instance '{instance.id}' is not in a valid state for this operation.",
        )
    return eni
