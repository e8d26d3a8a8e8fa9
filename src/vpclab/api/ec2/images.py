"""DescribeImages over a few built-in public images (Amazon Linux, Ubuntu, the VPC NAT AMI)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from vpclab.api.context import RequestContext
from vpclab.api.describe import describe
from vpclab.api.registry import operation
from vpclab.model.errors import DomainError
from vpclab.model.ids import has_prefix

AMAZON_OWNER = "137112412989"
ROOT_VOLUME_GIB = 8  # every built-in image's root device: 8 GiB of gp3
ROOT_VOLUME_TYPE = "gp3"
CANONICAL_OWNER = "099720109477"


@dataclass(frozen=True, slots=True)
class Image:
    """One public AMI as EC2 describes it."""

    name: str
    description: str
    owner_id: str
    owner_alias: str | None
    architecture: str
    creation_date: str
    root_device_name: str = "/dev/xvda"
    # ImdsSupport "v2.0": instances launched from it require IMDSv2 with a hop limit of 2.
    imds_v2: bool = False

    def snapshot_id(self, region: str) -> str:
        """The EBS snapshot behind the image's root device (a new root volume is made from it)."""
        return "snap-0" + self.image_id(region)[5:]

    @property
    def boot_mode(self) -> str:
        """The image's BootMode: uefi-preferred on x86_64, uefi on arm64."""
        return "uefi-preferred" if self.architecture == "x86_64" else "uefi"

    def image_id(self, region: str) -> str:
        """The AMI id in a region: stable, different per region (AMI ids are regional)."""
        digest = hashlib.sha256(f"{region}/{self.name}".encode()).hexdigest()
        return f"ami-0{digest[:16]}"


CATALOG = (
    Image(
        name="al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64",
        description="Amazon Linux 2023 AMI 2023.6.20241212.0 x86_64 HVM kernel-6.1",
        owner_id=AMAZON_OWNER,
        owner_alias="amazon",
        architecture="x86_64",
        creation_date="2024-12-12T21:05:06.000Z",
        imds_v2=True,
    ),
    Image(
        name="al2023-ami-2023.6.20241212.0-kernel-6.1-arm64",
        description="Amazon Linux 2023 AMI 2023.6.20241212.0 arm64 HVM kernel-6.1",
        owner_id=AMAZON_OWNER,
        owner_alias="amazon",
        architecture="arm64",
        creation_date="2024-12-12T21:05:08.000Z",
        imds_v2=True,
    ),
    Image(
        name="ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20241206",
        description="Canonical, Ubuntu, 24.04, amd64 noble image",
        owner_id=CANONICAL_OWNER,
        owner_alias=None,
        architecture="x86_64",
        creation_date="2024-12-06T07:14:33.000Z",
        root_device_name="/dev/sda1",
    ),
    Image(
        name="amzn-ami-vpc-nat-2018.03.0.20231116.0-x86_64-ebs",
        description="Amazon Linux AMI 2018.03.0.20231116.0 x86_64 VPC NAT HVM EBS",
        owner_id=AMAZON_OWNER,
        owner_alias="amazon",
        architecture="x86_64",
        creation_date="2023-11-16T23:41:59.000Z",
    ),
)


def find(region: str, image_id: str) -> Image | None:
    """The built-in image with this id in the region, if any."""
    for image in CATALOG:
        if image.image_id(region) == image_id:
            return image
    return None


def architecture_of(region: str, image_id: str) -> str:
    """The architecture an instance of this image runs (x86_64 for images vpclab does not know)."""
    image = find(region, image_id)
    return image.architecture if image else "x86_64"


def present_image(region: str, image: Image) -> dict[str, Any]:
    """An image in the shape of EC2's Image."""
    out: dict[str, Any] = {
        "ImageId": image.image_id(region),
        "ImageLocation": f"{image.owner_alias or image.owner_id}/{image.name}",
        "State": "available",
        "OwnerId": image.owner_id,
        "CreationDate": image.creation_date,
        "Public": True,
        "Architecture": image.architecture,
        "ImageType": "machine",
        "Name": image.name,
        "Description": image.description,
        "RootDeviceType": "ebs",
        "RootDeviceName": image.root_device_name,
        "VirtualizationType": "hvm",
        "Hypervisor": "xen",
        "EnaSupport": True,
        "SriovNetSupport": "simple",
        "PlatformDetails": "Linux/UNIX",
        "UsageOperation": "RunInstances",
        "BootMode": image.boot_mode,
        "BlockDeviceMappings": [
            {
                "DeviceName": image.root_device_name,
                "Ebs": {
                    "DeleteOnTermination": True,
                    "SnapshotId": image.snapshot_id(region),
                    "VolumeSize": ROOT_VOLUME_GIB,
                    "VolumeType": ROOT_VOLUME_TYPE,
                    "Encrypted": False,
                },
            }
        ],
    }
    if image.owner_alias is not None:
        out["ImageOwnerAlias"] = image.owner_alias
    if image.imds_v2:
        out["ImdsSupport"] = "v2.0"
    return out


def _owned_by(image: Image, owners: list[str], account: str) -> bool:
    """Whether an image matches the Owners parameter (ids, aliases, or 'self')."""
    for owner in owners:
        if owner in (image.owner_id, image.owner_alias):
            return True
        if owner == "self" and image.owner_id == account:
            return True
    return False


def image_filters(region: str) -> dict[str, Any]:
    """The DescribeImages filters vpclab supports."""
    return {
        "image-id": lambda i: i.image_id(region),
        "name": lambda i: i.name,
        "description": lambda i: i.description,
        "owner-alias": lambda i: i.owner_alias,
        "owner-id": lambda i: i.owner_id,
        "architecture": lambda i: i.architecture,
        "state": lambda i: "available",
        "is-public": lambda i: True,
        "image-type": lambda i: "machine",
        "root-device-type": lambda i: "ebs",
        "root-device-name": lambda i: i.root_device_name,
        "virtualization-type": lambda i: "hvm",
        "hypervisor": lambda i: "xen",
        "platform-details": lambda i: "Linux/UNIX",
        "ena-support": lambda i: True,
    }


T = TypeVar("T")


def pick_listed(
    ids: list[str],
    find_one: Callable[[str], T | None],
    *,
    prefix: str,
    malformed: str,
    not_found: tuple[str, str],
) -> list[T]:
    """The items a Describe names by id, in request order without repeats, for the derived
    (not stored) items images and volumes are: a malformed or unknown id is an error."""
    chosen = []
    for item_id in dict.fromkeys(ids):
        if not has_prefix(item_id, prefix):
            raise DomainError(malformed, f'Invalid id: "{item_id}" (expecting "{prefix}-...")')
        item = find_one(item_id)
        if item is None:
            raise DomainError(not_found[0], not_found[1].format(id=item_id))
        chosen.append(item)
    return chosen


@operation("DescribeImages")
def describe_images(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeImages: the built-in catalogue, by id, owner and filters."""
    images = list(CATALOG)
    ids = params.get("ImageIds")
    if ids:
        images = pick_listed(
            ids,
            lambda image_id: find(ctx.region, image_id),
            prefix="ami",
            malformed="InvalidAMIID.Malformed",
            not_found=("InvalidAMIID.NotFound", "The image id '[{id}]' does not exist"),
        )
    owners = params.get("Owners")
    if owners:
        images = [i for i in images if _owned_by(i, owners, ctx.account)]
    return describe(
        images,
        params,
        fields=image_filters(ctx.region),
        present=lambda i: present_image(ctx.region, i),
        list_key="Images",
        key=lambda i: i.image_id(ctx.region),
        ids_given=bool(ids),
    )
