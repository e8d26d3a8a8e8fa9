"""DescribeInstanceTypes over a catalogue of common instance types: Terraform reads the type of
every instance it manages (burstable or not, vCPUs) before it reads the instance's other parts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vpclab.api.context import RequestContext
from vpclab.api.describe import describe
from vpclab.api.registry import operation
from vpclab.control import instances
from vpclab.model.errors import DomainError

# Per size: vCPUs, memory (MiB), network interfaces, IPv4 addresses per interface (the EC2
# User Guide's tables); a family's row set is shared by the families listed with it.
_BURSTABLE_SIZES = {
    "nano": (2, 512, 2, 2),
    "micro": (2, 1024, 2, 2),
    "small": (2, 2048, 3, 4),
    "medium": (2, 4096, 3, 6),
    "large": (2, 8192, 3, 12),
    "xlarge": (4, 16384, 4, 15),
    "2xlarge": (8, 32768, 4, 15),
}
_T2_SIZES = {
    "nano": (1, 512, 2, 2),
    "micro": (1, 1024, 2, 2),
    "small": (1, 2048, 3, 4),
    "medium": (2, 4096, 3, 6),
    "large": (2, 8192, 3, 12),
}


def _general_sizes(mib_per_vcpu: int) -> dict[str, tuple[int, int, int, int]]:
    """The large..4xlarge sizes of a non-burstable family with this much memory per vCPU."""
    limits = {
        "large": (2, 3, 10),
        "xlarge": (4, 4, 15),
        "2xlarge": (8, 4, 15),
        "4xlarge": (16, 8, 30),
    }
    return {size: (v, v * mib_per_vcpu, e, ips) for size, (v, e, ips) in limits.items()}


@dataclass(frozen=True, slots=True)
class Family:
    """What an instance family's types share."""

    sizes: dict[str, tuple[int, int, int, int]]
    network_performance: str
    arm: bool = False
    nitro: bool = True
    burstable: bool = False


_FAMILIES: dict[str, Family] = {
    "t2": Family(_T2_SIZES, "Low to Moderate", nitro=False, burstable=True),
    "t3": Family(_BURSTABLE_SIZES, "Up to 5 Gigabit", burstable=True),
    "t3a": Family(_BURSTABLE_SIZES, "Up to 5 Gigabit", burstable=True),
    "t4g": Family(_BURSTABLE_SIZES, "Up to 5 Gigabit", arm=True, burstable=True),
    "m5": Family(_general_sizes(4096), "Up to 10 Gigabit"),
    "m6i": Family(_general_sizes(4096), "Up to 12.5 Gigabit"),
    "m6g": Family(_general_sizes(4096), "Up to 10 Gigabit", arm=True),
    "m7g": Family(_general_sizes(4096), "Up to 12.5 Gigabit", arm=True),
    "c5": Family(_general_sizes(2048), "Up to 10 Gigabit"),
    "c6i": Family(_general_sizes(2048), "Up to 12.5 Gigabit"),
    "c6g": Family(_general_sizes(2048), "Up to 10 Gigabit", arm=True),
    "c7g": Family(_general_sizes(2048), "Up to 12.5 Gigabit", arm=True),
    "r5": Family(_general_sizes(8192), "Up to 10 Gigabit"),
    "r6i": Family(_general_sizes(8192), "Up to 12.5 Gigabit"),
    "r6g": Family(_general_sizes(8192), "Up to 10 Gigabit", arm=True),
    # m1.small: what RunInstances launches when no type is given (previous generation).
    "m1": Family({"small": (1, 1740, 2, 4)}, "Low", nitro=False),
}
FREE_TIER = ("t2.micro", "t3.micro")


def catalogue() -> list[str]:
    """Every instance type vpclab describes."""
    return [f"{name}.{size}" for name, family in _FAMILIES.items() for size in family.sizes]


def family_of(instance_type: str) -> Family | None:
    """The catalogue family of a type, or None when vpclab does not describe it."""
    name, _, size = instance_type.partition(".")
    family = _FAMILIES.get(name)
    return family if family is not None and size in family.sizes else None


def present_instance_type(instance_type: str) -> dict[str, Any]:
    """An InstanceTypeInfo, shaped like describe-instance-types.rst's example."""
    family = family_of(instance_type)
    assert family is not None
    vcpus, memory, interfaces, addresses = family.sizes[instance_type.partition(".")[2]]
    cores, threads = instances.cpu_options(instance_type)
    current = instance_type.partition(".")[0] != "m1"
    architectures = (
        ["arm64"] if family.arm else (["x86_64"] if family.nitro else ["i386", "x86_64"])
    )
    boot_modes = (
        ["uefi"] if family.arm else (["legacy-bios", "uefi"] if family.nitro else ["legacy-bios"])
    )
    return {
        "InstanceType": instance_type,
        "CurrentGeneration": current,
        "FreeTierEligible": instance_type in FREE_TIER,
        "SupportedUsageClasses": ["on-demand", "spot"],
        "SupportedRootDeviceTypes": ["ebs"],
        "SupportedVirtualizationTypes": ["hvm"] if current else ["hvm", "paravirtual"],
        "BareMetal": False,
        "Hypervisor": "nitro" if family.nitro else "xen",
        "ProcessorInfo": {"SupportedArchitectures": architectures},
        "VCpuInfo": {
            "DefaultVCpus": vcpus,
            "DefaultCores": cores,
            "DefaultThreadsPerCore": threads,
            "ValidCores": [cores],
            "ValidThreadsPerCore": [1, 2] if threads == 2 else [1],
        },
        "MemoryInfo": {"SizeInMiB": memory},
        "InstanceStorageSupported": False,
        "EbsInfo": {
            "EbsOptimizedSupport": "default" if family.nitro else "unsupported",
            "EncryptionSupport": "supported",
            "NvmeSupport": "required" if family.nitro else "unsupported",
        },
        "NetworkInfo": {
            "NetworkPerformance": family.network_performance,
            "MaximumNetworkInterfaces": interfaces,
            "Ipv4AddressesPerInterface": addresses,
            "Ipv6AddressesPerInterface": addresses if current else 0,
            "Ipv6Supported": current,
            "EnaSupport": "required" if family.nitro else "unsupported",
        },
        "PlacementGroupInfo": {"SupportedStrategies": ["partition", "spread"]},
        "HibernationSupported": family.nitro and not family.arm,
        "BurstablePerformanceSupported": family.burstable,
        "DedicatedHostsSupported": family.nitro,
        "AutoRecoverySupported": True,
        "SupportedBootModes": boot_modes,
    }


INSTANCE_TYPE_FILTERS: dict[str, Any] = {
    "instance-type": lambda t: t,
    "current-generation": lambda t: present_instance_type(t)["CurrentGeneration"],
    "free-tier-eligible": lambda t: present_instance_type(t)["FreeTierEligible"],
    "burstable-performance-supported": lambda t: present_instance_type(t)[
        "BurstablePerformanceSupported"
    ],
    "hypervisor": lambda t: present_instance_type(t)["Hypervisor"],
    "processor-info.supported-architecture": lambda t: present_instance_type(t)["ProcessorInfo"][
        "SupportedArchitectures"
    ],
    "vcpu-info.default-vcpus": lambda t: present_instance_type(t)["VCpuInfo"]["DefaultVCpus"],
    "memory-info.size-in-mib": lambda t: present_instance_type(t)["MemoryInfo"]["SizeInMiB"],
}


@operation("DescribeInstanceTypes")
def describe_instance_types(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeInstanceTypes: the catalogue, or the named types (InvalidInstanceType when one is
    not in it)."""
    named = params.get("InstanceTypes")
    if named:
        unknown = [t for t in named if family_of(t) is None]
        if unknown:
            raise DomainError(
                "InvalidInstanceType",
                f"The following supplied instance types do not exist: [{', '.join(unknown)}]",
            )
    chosen = list(dict.fromkeys(named)) if named else catalogue()
    return describe(
        chosen,
        params,
        fields=INSTANCE_TYPE_FILTERS,
        present=present_instance_type,
        list_key="InstanceTypes",
        key=lambda t: t,
        maximum=100,
    )
