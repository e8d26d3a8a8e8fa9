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
from vpclab.realmode.plan import build_plan, namespace_name
from vpclab.realmode.source import Follower, Target, fetch_view

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


def _build(ec2: Any) -> tuple[list[str], str]:
    """3 VPCs, 10 subnets, 50 instances; returns two instances of the first subnet, its group."""
    subnets, groups = [], []
    for v, count in enumerate(SUBNETS_PER_VPC):
        vpc_id = ec2.create_vpc(CidrBlock=f"10.{v}.0.0/16")["Vpc"]["VpcId"]
        group = ec2.create_security_group(GroupName="g", Description="g", VpcId=vpc_id)["GroupId"]
        for s in range(count):
            subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.{v}.{s}.0/24")["Subnet"]
            subnets.append(subnet["SubnetId"])
            groups.append(group)
    image = ec2.describe_images()["Images"][0]["ImageId"]
    first_subnet: list[str] = []
    for n in range(INSTANCES):
        run = ec2.run_instances(
            ImageId=image,
            InstanceType="t3.micro",
            MinCount=1,
            MaxCount=1,
            SubnetId=subnets[n % len(subnets)],
            SecurityGroupIds=[groups[n % len(subnets)]],
        )
        if n % len(subnets) == 0:
            first_subnet.append(run["Instances"][0]["InstanceId"])
    return first_subnet[:2], groups[0]


LISTENER = """
import socket, time
socks = []
for port in range(1000, 1000 + {count}):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port)); s.listen(64); socks.append(s)
print("ready", flush=True)
time.sleep(3600)
"""

# Reads "ADDRESS PORT" lines; tries a new connection every 5 ms until one completes, then
# prints the CLOCK_MONOTONIC time it completed (comparable across namespaces).
PROBER = """
import select, socket, sys, time
for line in sys.stdin:
    address, port = line.split()
    while True:
        s = socket.socket(); s.setblocking(False)
        s.connect_ex((address, int(port)))
        _, ready, _ = select.select([], [s], [], 0.005)
        if ready and s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
            print(time.monotonic(), flush=True); s.close(); break
        s.close()
"""
CHANGES = 20


def _in_namespace(namespace: str, script: str) -> subprocess.Popen[str]:
    """A Python process inside a namespace, talking over pipes."""
    return subprocess.Popen(
        ["ip", "netns", "exec", namespace, sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def _measure_changes(
    ec2: Any, group: str, target: Target, applier: Applier, ids: list[str]
) -> list[float]:
    """From each AuthorizeSecurityGroupIngress call's return to the first connection it admits.

    `vpclab up`'s loop (Follower.poll + apply) runs in a thread; a prober in another instance
    of the same subnet retries a TCP connection every 5 ms to a listening port the change opens.
    """
    server, client = ids
    stop = threading.Event()

    def follow() -> None:
        """The `vpclab up` loop, 20 ms poll."""
        follower = Follower(target)
        while not stop.is_set():
            view = follower.poll()
            if view is not None:
                applier.apply(build_plan(view, target.run))
            time.sleep(0.02)

    address = ec2.describe_instances(InstanceIds=[server])["Reservations"][0]["Instances"][0][
        "PrivateIpAddress"
    ]
    listener = _in_namespace(namespace_name(target.run, server), LISTENER.format(count=CHANGES))
    prober = _in_namespace(namespace_name(target.run, client), PROBER)
    assert listener.stdout is not None and prober.stdin is not None and prober.stdout is not None
    listener.stdout.readline()
    follower = threading.Thread(target=follow)
    follower.start()
    delays = []
    try:
        for port in range(1000, 1000 + CHANGES):
            prober.stdin.write(f"{address} {port}\n")
            prober.stdin.flush()
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
            returned = time.monotonic()
            delays.append(float(prober.stdout.readline()) - returned)
    finally:
        stop.set()
        follower.join()
        for proc in (listener, prober):
            proc.kill()
            proc.communicate()
    return delays


def main() -> int:
    """Print the bring-up time and the API-change-to-kernel delay."""
    check_available()
    proc, endpoint = _serve()
    target = Target(endpoint, ACCOUNT, REGION)
    applier = Applier()
    try:
        ec2 = boto3.client(
            "ec2",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=ACCOUNT,
            aws_secret_access_key="x",
        )
        ids, group = _build(ec2)
        started = time.perf_counter()
        applier.apply(build_plan(fetch_view(target)[1], target.run))
        up = time.perf_counter() - started
        print(f"up: {len(applier.applied_hosts)} instances in {up:.2f} s (target 10 s)")
        delays = sorted(_measure_changes(ec2, group, target, applier, ids))
        print(
            f"change (API return -> first admitted TCP connection, {len(delays)} changes): "
            f"median {delays[len(delays) // 2] * 1000:.0f} ms, "
            f"p90 {delays[int(len(delays) * 0.9)] * 1000:.0f} ms, "
            f"max {delays[-1] * 1000:.0f} ms (target 200 ms)"
        )
    finally:
        applier.teardown()
        teardown_all(target.run)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    if os.geteuid() != 0:
        sys.exit("bench/realmode.py needs root")
    sys.exit(main())
