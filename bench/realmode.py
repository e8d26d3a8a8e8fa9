"""Benchmark: real mode brings up 50 instances in 10 subnets of 3 VPCs; an API change's delay.

Run as root: python bench/realmode.py   (targets: up within 10 s, a change effective < 200 ms)
The network is built through boto3 against a real `vpclab serve --in-memory` on 127.0.0.1.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import boto3

from vpclab.realmode.kernel import Applier, check_available, teardown_all
from vpclab.realmode.plan import SG_TABLE, build_plan, host_namespace
from vpclab.realmode.source import Target, fetch_view

ACCOUNT, REGION = "123456789012", "us-east-1"
SUBNETS_PER_VPC = (4, 3, 3)
INSTANCES = 50


def _serve() -> tuple[subprocess.Popen[str], str]:
    """A server on a free loopback port with instances settling at once."""
    main = "import sys; from vpclab.cli.main import main; sys.exit(main())"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            main,
            "serve",
            "--port",
            "0",
            "--in-memory",
            "--settle-seconds",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().split()[3]


def _build(ec2: Any) -> tuple[str, str]:
    """3 VPCs, 10 subnets, 50 instances; returns one instance id and its group."""
    subnets, groups = [], []
    for v, count in enumerate(SUBNETS_PER_VPC):
        vpc_id = ec2.create_vpc(CidrBlock=f"10.{v}.0.0/16")["Vpc"]["VpcId"]
        group = ec2.create_security_group(GroupName="g", Description="g", VpcId=vpc_id)["GroupId"]
        for s in range(count):
            subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.{v}.{s}.0/24")["Subnet"]
            subnets.append(subnet["SubnetId"])
            groups.append(group)
    image = ec2.describe_images()["Images"][0]["ImageId"]
    first = ""
    for n in range(INSTANCES):
        run = ec2.run_instances(
            ImageId=image,
            InstanceType="t3.micro",
            MinCount=1,
            MaxCount=1,
            SubnetId=subnets[n % len(subnets)],
            SecurityGroupIds=[groups[n % len(subnets)]],
        )
        first = first or run["Instances"][0]["InstanceId"]
    return first, groups[0]


def main() -> int:
    """Print the bring-up time and the API-change-to-kernel delay."""
    check_available()
    teardown_all()
    proc, endpoint = _serve()
    applier = Applier()
    try:
        ec2 = boto3.client(
            "ec2",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=ACCOUNT,
            aws_secret_access_key="x",
        )
        instance_id, group = _build(ec2)
        target = Target(endpoint, ACCOUNT, REGION)
        started = time.perf_counter()
        applier.apply(build_plan(fetch_view(target)[1]))
        up = time.perf_counter() - started
        print(f"up: {len(applier.applied_hosts)} instances in {up:.2f} s (target 10 s)")
        stop = threading.Event()

        def follow() -> None:
            """The `vpclab up` loop: poll every 100 ms, apply changes."""
            version = -1
            while not stop.is_set():
                current, view = fetch_view(target)
                if current != version:
                    applier.apply(build_plan(view))
                    version = current
                time.sleep(0.1)

        follower = threading.Thread(target=follow)
        follower.start()
        delays = []
        for port in range(1000, 1010):
            ec2.authorize_security_group_ingress(
                GroupId=group,
                IpPermissions=[
                    {
                        "IpProtocol": "tcp",
                        "FromPort": port,
                        "ToPort": port,
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    }
                ],
            )
            changed = time.perf_counter()
            while True:
                listed = subprocess.run(
                    [
                        "ip",
                        "netns",
                        "exec",
                        host_namespace(instance_id),
                        "nft",
                        "list",
                        "table",
                        "inet",
                        SG_TABLE,
                    ],
                    capture_output=True,
                    text=True,
                    check=False,
                ).stdout
                if f"dport {port}" in listed:
                    break
            delays.append(time.perf_counter() - changed)
        stop.set()
        follower.join()
        delays.sort()
        print(
            f"change: median {delays[len(delays) // 2] * 1000:.0f} ms, "
            f"max {delays[-1] * 1000:.0f} ms (target 200 ms)"
        )
    finally:
        applier.teardown()
        teardown_all()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    if os.geteuid() != 0:
        sys.exit("bench/realmode.py needs root")
    sys.exit(main())
