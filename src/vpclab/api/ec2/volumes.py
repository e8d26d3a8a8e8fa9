"""DescribeVolumes over the root EBS volumes of instances, and DescribeInstanceCreditSpecifications:
what infrastructure-as-code tools read after DescribeInstances lists an instance's block devices
and burstable instance type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vpclab.api.common import timestamp
from vpclab.api.context import RequestContext
from vpclab.api.describe import describe
from vpclab.api.ec2 import images
from vpclab.api.ec2.instances import (
    VOLUME_ATTACHED_STATES,
    chosen_instances,
    root_attach_time,
    root_device_name,
    root_volume_id,
)
from vpclab.api.registry import operation
from vpclab.control import instances
from vpclab.model.base import Tags
from vpclab.model.interface import Instance

GP3_BASELINE_IOPS = 3000  # what a gp3 volume provides unless more is bought
GP3_BASELINE_THROUGHPUT = 125  # MiB/s


@dataclass(frozen=True, slots=True)
class RootVolume:
    """An instance's root EBS volume, derived from the instance (vpclab keeps no volumes)."""

    instance: Instance
    volume_id: str
    device: str
    snapshot_id: str

    @property
    def tags(self) -> Tags:
        """The volume's tags (given at launch), for presentation and tag filters."""
        return self.instance.root_volume_tags


def root_volumes(ctx: RequestContext) -> list[RootVolume]:
    """The root volume of every instance whose volume is attached now."""
    out = []
    for instance in ctx.tx.all(Instance):
        if instances.state_of(ctx.tx, instance) not in VOLUME_ATTACHED_STATES:
            continue
        image = images.find(ctx.region, instance.image_id)
        out.append(
            RootVolume(
                instance=instance,
                volume_id=root_volume_id(instance),
                device=root_device_name(ctx, instance),
                snapshot_id=image.snapshot_id(ctx.region) if image else "",
            )
        )
    return out


def present_volume(ctx: RequestContext, volume: RootVolume) -> dict[str, Any]:
    """A root volume in the shape of EC2's Volume (in use, attached to its instance)."""
    instance = volume.instance
    return {
        "VolumeId": volume.volume_id,
        "AvailabilityZone": instance.availability_zone,
        "CreateTime": timestamp(instance.launch_time),
        "Size": images.ROOT_VOLUME_GIB,
        "SnapshotId": volume.snapshot_id,
        "State": "in-use",
        "VolumeType": images.ROOT_VOLUME_TYPE,
        "Iops": GP3_BASELINE_IOPS,
        "Throughput": GP3_BASELINE_THROUGHPUT,
        "Encrypted": False,
        "MultiAttachEnabled": False,
        "Attachments": [
            {
                "AttachTime": root_attach_time(instance),
                "Device": volume.device,
                "InstanceId": instance.id,
                "State": "attached",
                "VolumeId": volume.volume_id,
                "DeleteOnTermination": True,
            }
        ],
        "Tags": [{"Key": k, "Value": v} for k, v in volume.tags],
    }


VOLUME_FILTERS: dict[str, Any] = {
    "volume-id": lambda v: v.volume_id,
    "attachment.instance-id": lambda v: v.instance.id,
    "attachment.device": lambda v: v.device,
    "attachment.status": lambda v: "attached",
    "attachment.delete-on-termination": lambda v: True,
    "availability-zone": lambda v: v.instance.availability_zone,
    "status": lambda v: "in-use",
    "volume-type": lambda v: images.ROOT_VOLUME_TYPE,
    "size": lambda v: images.ROOT_VOLUME_GIB,
    "snapshot-id": lambda v: v.snapshot_id,
    "encrypted": lambda v: False,
    "multi-attach-enabled": lambda v: False,
}


@operation("DescribeVolumes")
def describe_volumes(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeVolumes: instances' root volumes; an unknown volume id is InvalidVolume.NotFound."""
    volumes = root_volumes(ctx)
    ids = params.get("VolumeIds")
    if ids:
        by_id = {v.volume_id: v for v in volumes}
        volumes = images.pick_listed(
            ids,
            by_id.get,
            prefix="vol",
            malformed="InvalidVolumeID.Malformed",
            not_found=("InvalidVolume.NotFound", "The volume '{id}' does not exist."),
        )
    return describe(
        volumes,
        params,
        fields=VOLUME_FILTERS,
        present=lambda v: present_volume(ctx, v),
        list_key="Volumes",
        key=lambda v: v.volume_id,
        ids_given=bool(ids),
    )


def cpu_credits(instance_type: str) -> str | None:
    """A burstable type's default credit option: standard for T2, unlimited for later T families."""
    family = instance_type.partition(".")[0]
    if family == "t2":
        return "standard"
    if family.startswith("t") and family[1:2].isdigit():
        return "unlimited"
    return None


@operation("DescribeInstanceCreditSpecifications")
def describe_instance_credit_specifications(
    ctx: RequestContext, params: dict[str, Any]
) -> dict[str, Any]:
    """DescribeInstanceCreditSpecifications: burstable (T) instances only, as EC2 lists them."""
    burstable = [
        i for i in chosen_instances(ctx, params) if cpu_credits(i.instance_type) is not None
    ]
    return describe(
        burstable,
        params,
        fields={"instance-id": lambda i: i.id},
        present=lambda i: {"InstanceId": i.id, "CpuCredits": cpu_credits(i.instance_type)},
        list_key="InstanceCreditSpecifications",
        ids_given=bool(params.get("InstanceIds")),
    )
