"""Helpers for real-mode tests: commands in instance namespaces and boto3 builders."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

from vpclab.realmode.kernel import Applier
from vpclab.realmode.plan import build_plan, internet_namespace, namespace_name
from vpclab.realmode.source import Target, fetch_world

ACCOUNT = "123456789012"
MAIN = ["-c", "import sys; from vpclab.cli.main import main; sys.exit(main())"]


def run_vpclab(
    endpoint: str, *args: str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the vpclab command as a user would, against the test server: by default with the
    usual AWS settings naming this account (a bare key: requests go unsigned), else `env`."""
    settings = env or {
        **os.environ,
        "AWS_ACCESS_KEY_ID": ACCOUNT,
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    return subprocess.run(
        [sys.executable, *MAIN, *args],
        capture_output=True,
        text=True,
        env={**settings, "AWS_ENDPOINT_URL": endpoint},
        timeout=30,
    )


def http_client(
    endpoint: str, service: str = "ec2", account: str = ACCOUNT, region: str = "us-east-1"
) -> Any:
    """A boto3 client of the test server acting in an account (in the default auth mode a
    12-digit key is the account) and region, failing at once instead of retrying."""
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=account,
        aws_secret_access_key="secret",
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )


@dataclass
class Realm:
    """One test module's real-mode run: its target's namespaces and the applier keeping them."""

    target: Target
    applier: Applier = field(default_factory=Applier)

    def namespace(self, owner_id: str) -> str:
        """The namespace of an instance or NAT gateway in this run."""
        return namespace_name(self.target.run, owner_id)

    @property
    def internet(self) -> str:
        """This run's simulated internet namespace."""
        return internet_namespace(self.target.run)

    def apply(self) -> None:
        """Bring the kernel in step with the server's state now (one `vpclab up` cycle)."""
        self.applier.apply(build_plan(fetch_world(self.target)[1], self.target.run))

    def run_in(
        self, owner_id: str, *command: str, timeout: float = 5
    ) -> subprocess.CompletedProcess[str]:
        """Run a command inside an instance's namespace ("internet" for the internet's)."""
        namespace = self.internet if owner_id == "internet" else self.namespace(owner_id)
        return subprocess.run(
            ["ip", "netns", "exec", namespace, *command],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def pings(self, source: str, address: str) -> bool:
        """Whether one ICMP echo from the instance gets a reply within a second."""
        return self.run_in(source, "ping", "-c1", "-W1", address).returncode == 0

    def tcp_connects(self, source: str, address: str, port: int) -> bool:
        """Whether a TCP connection from the instance completes within a second."""
        probe = (
            "import socket,sys\n"
            "s=socket.socket(); s.settimeout(1)\n"
            f"sys.exit(s.connect_ex(({address!r},{port})))\n"
        )
        return self.run_in(source, "python3", "-c", probe).returncode == 0

    def udp_answer(self, source: str, address: str, port: int = 53) -> str | None:
        """Send one UDP datagram and return the answer (the address the server saw), if any."""
        probe = (
            "import socket,sys\n"
            "s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1)\n"
            f"s.sendto(b'q', ({address!r},{port}))\n"
            "try: print(s.recv(100).decode().strip())\n"
            "except OSError: sys.exit(1)\n"
        )
        done = self.run_in(source, "python3", "-c", probe)
        return done.stdout.strip() if done.returncode == 0 else None

    def curl(self, source: str, url: str) -> str | None:
        """The body curl gets from inside the instance, or None if it cannot connect."""
        done = self.run_in(source, "curl", "-s", "--max-time", "2", url)
        return done.stdout.strip() if done.returncode == 0 else None


def launch(ec2: Any, subnet_id: str, group: str, *, public: bool = False) -> dict[str, Any]:
    """A running instance with one group, with or without a public IPv4, as described."""
    image = ec2.describe_images()["Images"][0]["ImageId"]
    spec = {"DeviceIndex": 0, "SubnetId": subnet_id, "Groups": [group]}
    run = ec2.run_instances(
        ImageId=image,
        InstanceType="t3.micro",
        MinCount=1,
        MaxCount=1,
        NetworkInterfaces=[{**spec, "AssociatePublicIpAddress": public}],
    )
    instance_id = run["Instances"][0]["InstanceId"]
    described = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"]
    return dict(described[0])


def instance(ec2: Any, subnet_id: str, group: str) -> tuple[str, str]:
    """A running instance with one group; its id and private address."""
    described = launch(ec2, subnet_id, group)
    return described["InstanceId"], described["PrivateIpAddress"]


def web_group(
    ec2: Any, vpc_id: str, name: str, *, egress: bool = True, cidr: str = "10.0.0.0/16"
) -> str:
    """A group admitting ICMP and TCP 80 from a CIDR; without any egress rule if asked."""
    group = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {
                "IpProtocol": "icmp",
                "FromPort": -1,
                "ToPort": -1,
                "IpRanges": [{"CidrIp": cidr}],
            },
            {
                "IpProtocol": "tcp",
                "FromPort": 80,
                "ToPort": 80,
                "IpRanges": [{"CidrIp": cidr}],
            },
        ],
    )
    if not egress:
        ec2.revoke_security_group_egress(
            GroupId=group,
            IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        )
    return str(group)


def main_route_table(ec2: Any, vpc_id: str) -> str:
    """A VPC's main route table."""
    tables = ec2.describe_route_tables(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "association.main", "Values": ["true"]},
        ]
    )
    return str(tables["RouteTables"][0]["RouteTableId"])
