"""Helpers for real-mode tests: commands in instance namespaces and boto3 builders."""

from __future__ import annotations

import subprocess
from typing import Any

from vpclab.realmode.plan import host_namespace


def run_in(instance_id: str, *command: str, timeout: float = 5) -> subprocess.CompletedProcess[str]:
    """Run a command inside an instance's namespace."""
    return subprocess.run(
        ["ip", "netns", "exec", host_namespace(instance_id), *command],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def pings(source: str, address: str) -> bool:
    """Whether one ICMP echo from the instance gets a reply within a second."""
    return run_in(source, "ping", "-c1", "-W1", address).returncode == 0


def tcp_connects(source: str, address: str, port: int) -> bool:
    """Whether a TCP connection from the instance completes within a second."""
    probe = (
        "import socket,sys\n"
        "s=socket.socket(); s.settimeout(1)\n"
        f"sys.exit(s.connect_ex(({address!r},{port})))\n"
    )
    return run_in(source, "python3", "-c", probe).returncode == 0


def instance(ec2: Any, subnet_id: str, group: str) -> tuple[str, str]:
    """A running instance with one group; its id and private address."""
    image = ec2.describe_images()["Images"][0]["ImageId"]
    run = ec2.run_instances(
        ImageId=image,
        InstanceType="t3.micro",
        MinCount=1,
        MaxCount=1,
        SubnetId=subnet_id,
        SecurityGroupIds=[group],
    )
    inst = run["Instances"][0]
    return inst["InstanceId"], inst["PrivateIpAddress"]


def web_group(ec2: Any, vpc_id: str, name: str, *, egress: bool = True) -> str:
    """A group admitting ICMP and TCP 80 from the VPC; without any egress rule if asked."""
    group = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {
                "IpProtocol": "icmp",
                "FromPort": -1,
                "ToPort": -1,
                "IpRanges": [{"CidrIp": "10.0.0.0/16"}],
            },
            {
                "IpProtocol": "tcp",
                "FromPort": 80,
                "ToPort": 80,
                "IpRanges": [{"CidrIp": "10.0.0.0/16"}],
            },
        ],
    )
    if not egress:
        ec2.revoke_security_group_egress(
            GroupId=group,
            IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        )
    return str(group)
