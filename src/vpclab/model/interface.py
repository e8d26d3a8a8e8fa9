"""Network interfaces and instances (spec section 9.1)."""

from __future__ import annotations

from dataclasses import dataclass

from vpclab.model.base import Resource, Tags, register

# InterfaceType of a NAT gateway's ENI: AWS answers nat_gateway (its API reference and real
# exports); botocore's enum, and state files of earlier vpclab versions, say natGateway.
NAT_INTERFACE_TYPE = "nat_gateway"
NAT_INTERFACE_TYPES = (NAT_INTERFACE_TYPE, "natGateway")


@dataclass(frozen=True, slots=True, kw_only=True)
class PrivateIp:
    """One private IPv4 address of an ENI."""

    address: str
    primary: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class EniAttachment:
    """The attachment of an ENI to an instance."""

    id: str
    instance_id: str
    device_index: int
    delete_on_termination: bool = True
    attached_at: float = 0.0


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class NetworkInterface(Resource):
    """An ENI: addresses in one subnet, security groups, source/dest check, optional attachment."""

    kind = "network-interface"
    id_prefix = "eni"
    resource_type = "network-interface"
    subnet_id: str
    vpc_id: str
    availability_zone: str
    private_ips: tuple[PrivateIp, ...]
    groups: tuple[str, ...] = ()
    mac_address: str = ""
    description: str = ""
    source_dest_check: bool = True
    interface_type: str = "interface"
    requester_managed: bool = False
    requester_id: str | None = None
    attachment: EniAttachment | None = None
    # Auto-assigned public IPv4 of the primary address (ENI-3); EIPs live on Address.
    public_ip: str | None = None
    # The ela-attach-... id of a NAT gateway ENI's attachment to amazon-aws, as AWS exported it
    # (vpclab derives one for the gateways it makes).
    service_attachment_id: str | None = None

    @property
    def is_nat_gateway(self) -> bool:
        """Whether this is a NAT gateway's ENI (no security groups of its own, NAT-12)."""
        return self.interface_type in NAT_INTERFACE_TYPES

    @property
    def presented_type(self) -> str:
        """InterfaceType as AWS answers it (one spelling for NAT gateways, whatever was stored)."""
        return NAT_INTERFACE_TYPE if self.is_nat_gateway else self.interface_type

    @property
    def primary_ip(self) -> str:
        """The primary private IPv4 (ENI-1)."""
        for ip in self.private_ips:
            if ip.primary:
                return ip.address
        return self.private_ips[0].address

    def addresses(self) -> tuple[str, ...]:
        """Every private IPv4 of the ENI."""
        return tuple(ip.address for ip in self.private_ips)


@dataclass(frozen=True, slots=True, kw_only=True)
class MetadataOptions:
    """An instance's IMDS settings (RunInstances/ModifyInstanceMetadataOptions); AWS's defaults."""

    http_tokens: str = "optional"
    http_put_response_hop_limit: int = 1
    http_endpoint: str = "enabled"
    http_protocol_ipv6: str = "disabled"
    instance_metadata_tags: str = "disabled"


@dataclass(frozen=True, slots=True, kw_only=True)
class PrivateDnsNameOptions:
    """How an instance's private DNS hostname is formed (copied from its subnet at launch)."""

    hostname_type: str = "ip-name"
    enable_resource_name_dns_a_record: bool = False
    enable_resource_name_dns_aaaa_record: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class RootDevice:
    """An imported instance's root EBS volume as AWS named it (vpclab derives it otherwise)."""

    volume_id: str
    device_name: str
    attached_at: float


@dataclass(frozen=True, slots=True, kw_only=True)
class IamProfileAssociation:
    """An IAM instance profile associated with an instance (iip-assoc-...)."""

    association_id: str
    arn: str
    associated_at: float = 0.0


@register
@dataclass(frozen=True, slots=True, kw_only=True)
class Instance(Resource):
    """An EC2 instance; its state moves on the clock from `state_since` (pending -> running ...)."""

    kind = "instance"
    id_prefix = "i"
    resource_type = "instance"
    image_id: str
    instance_type: str
    subnet_id: str
    vpc_id: str
    availability_zone: str
    primary_eni_id: str
    state: str = "pending"
    state_since: float = 0.0
    launch_time: float = 0.0
    key_name: str | None = None
    ami_launch_index: int = 0
    reservation_id: str = ""
    client_token: str | None = None
    state_reason: str | None = None
    # A digest of the launch request, so a reused ClientToken with other parameters fails.
    request_digest: str = ""
    # Whether launch gave eth0 an auto-assigned public IPv4; start gives a new one (ENI-3, ENI-4).
    auto_public_ip: bool = False
    # When the state last changed by a user action, for StateTransitionReason.
    transition_reason: str = ""
    disable_api_termination: bool = False
    disable_api_stop: bool = False
    shutdown_behavior: str = "stop"
    ebs_optimized: bool = False
    user_data: str | None = None
    monitoring: bool = False
    tenancy: str = "default"
    # None: the image's defaults (resolved where the image catalogue is known).
    metadata_options: MetadataOptions | None = None
    private_dns_name_options: PrivateDnsNameOptions = PrivateDnsNameOptions()
    hibernation_configured: bool = False
    enclave_enabled: bool = False
    capacity_reservation_preference: str = "open"
    auto_recovery: str = "default"
    iam_instance_profile: IamProfileAssociation | None = None
    # Tags of the root EBS volume (RunInstances TagSpecifications for "volume").
    root_volume_tags: Tags = ()
    root_device: RootDevice | None = None
