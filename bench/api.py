"""API benchmark: the same boto3 workload against vpclab, moto_server and a zero-cost stub.

Run: python bench/api.py [--n 200] [--small 300] [--describes 20] [--skip-moto]

What is measured (all through one boto3 EC2 client per server, over HTTP on 127.0.0.1):
  writes     N x CreateVpc + N x CreateSubnet + N x CreateTags
  describes  DescribeVpcs / DescribeSubnets with filters over all N resources, repeated
  small      a loop of DescribeVpcs(VpcIds=[one id])
The floor is boto3's own cost: the same calls answered by a before-send hook that returns a
canned body recorded from vpclab (no socket, no server). A hook, not a tiny HTTP server,
because a stub server has costs of its own that would then have to be subtracted again; with
the hook, "overhead above the floor" = transport + server, which both servers pay alike.
Also reported: server start to first answer (spawn `vpclab serve`, poll /_vpclab/health).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from botocore.config import Config

VPCLAB = [sys.executable, "-c", "import sys; from vpclab.cli.main import main; sys.exit(main())"]
CONFIG = Config(retries={"total_max_attempts": 1, "mode": "standard"})


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(url: str, timeout: float = 30.0) -> float:
    """Poll a URL until it answers (any HTTP status); seconds it took."""
    start = time.perf_counter()
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return time.perf_counter() - start
        except urllib.error.HTTPError:
            return time.perf_counter() - start
        except OSError:
            if time.perf_counter() - start > timeout:
                raise
            time.sleep(0.005)


@contextmanager
def process(command: list[str]) -> Iterator[subprocess.Popen[str]]:
    """Run a server process and stop it (SIGINT, then kill) when done."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def vpclab_server(*extra: str) -> Iterator[tuple[str, float]]:
    """`vpclab serve --port 0 EXTRA`: its endpoint and the seconds from spawn to first answer."""
    start = time.perf_counter()
    with process([*VPCLAB, "serve", "--port", "0", "--settle-seconds", "0", *extra]) as proc:
        assert proc.stdout is not None
        endpoint = proc.stdout.readline().split()[3]
        wait_for(f"{endpoint}/_vpclab/health")
        yield endpoint, time.perf_counter() - start


@contextmanager
def moto_server() -> Iterator[tuple[str, float]]:
    """moto's standalone server on a free port: its endpoint and start time."""
    port = free_port()
    start = time.perf_counter()
    with process([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]):
        endpoint = f"http://127.0.0.1:{port}"
        wait_for(f"{endpoint}/moto-api/")
        yield endpoint, time.perf_counter() - start


def ec2_client(endpoint: str) -> Any:
    """A boto3 EC2 client for a server."""
    session = boto3.session.Session(
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", region_name="us-east-1"
    )
    return session.client("ec2", endpoint_url=endpoint, config=CONFIG)


class _Raw:
    """The raw-response object botocore reads a canned body from."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        """The whole body at once."""
        yield self.body


def floor_client(recorded: dict[str, list[bytes]]) -> Any:
    """A boto3 client answered instantly by replaying recorded bodies in order (boto3's floor)."""
    made = ec2_client("http://floor.invalid")
    queues = {op: iter(bodies) for op, bodies in recorded.items()}

    def answer(request: Any, **_: Any) -> AWSResponse:
        """The next recorded body of this request's operation."""
        body = request.body or b""
        text = body.decode() if isinstance(body, bytes) else str(body)
        action = text.split("&", 1)[0].removeprefix("Action=")
        return AWSResponse(
            request.url, 200, {"Content-Type": "text/xml"}, _Raw(next(queues[action]))
        )

    made.meta.events.register("before-send", answer)
    return made


def recorder(client: Any, recorded: dict[str, list[bytes]]) -> None:
    """Keep every successful response body a client sees, per operation, in order."""

    def keep(**kwargs: Any) -> None:
        """botocore's after-call event: remember the body."""
        model = kwargs.get("model")
        response = kwargs.get("http_response")
        if model is not None and response is not None and response.status_code == 200:
            recorded.setdefault(model.name, []).append(response.content)

    client.meta.events.register("after-call", keep)


@dataclass
class Phase:
    """Calls made and seconds spent in one part of the workload."""

    calls: int = 0
    seconds: float = 0.0

    @property
    def per_call_ms(self) -> float:
        """Average milliseconds per call."""
        return 1000 * self.seconds / self.calls if self.calls else 0.0

    @property
    def rate(self) -> float:
        """Calls per second."""
        return self.calls / self.seconds if self.seconds else 0.0


@dataclass
class Result:
    """Phase timings of one run of the workload."""

    name: str
    phases: dict[str, Phase] = field(default_factory=dict)

    def timed(self, phase: str, fn: Callable[[], int]) -> None:
        """Run fn (returns its number of calls) and add its time to a phase."""
        start = time.perf_counter()
        calls = fn()
        took = time.perf_counter() - start
        entry = self.phases.setdefault(phase, Phase())
        entry.calls += calls
        entry.seconds += took


def workload(name: str, ec2: Any, n: int, describes: int, small: int, sgs: int = 200) -> Result:
    """The benchmark workload on one client."""
    result = Result(name)
    vpc_ids: list[str] = []

    def writes() -> int:
        for i in range(n):
            vpc = ec2.create_vpc(CidrBlock=f"10.{i % 256}.0.0/16")["Vpc"]["VpcId"]
            vpc_ids.append(vpc)
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{i % 256}.1.0/24")
            ec2.create_tags(
                Resources=[vpc], Tags=[{"Key": "env", "Value": "bench" if i % 2 else "x"}]
            )
        return 3 * n

    def big_describes() -> int:
        for _ in range(describes):
            vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:env", "Values": ["bench"]}])["Vpcs"]
            assert len(vpcs) >= n // 2, len(vpcs)
            subnets = ec2.describe_subnets(
                Filters=[{"Name": "cidr-block", "Values": ["10.*.1.0/24"]}]
            )
            assert len(subnets["Subnets"]) >= n
        return 2 * describes

    def small_describes() -> int:
        for i in range(small):
            ec2.describe_vpcs(VpcIds=[vpc_ids[i % len(vpc_ids)]])
        return small

    sg_vpc: list[str] = []

    def sg_writes() -> int:
        sg_vpc.append(ec2.create_vpc(CidrBlock="172.20.0.0/16")["Vpc"]["VpcId"])
        for i in range(sgs):
            group = ec2.create_security_group(
                GroupName=f"g{i}", Description="bench", VpcId=sg_vpc[0]
            )["GroupId"]
            ec2.authorize_security_group_ingress(
                GroupId=group,
                IpPermissions=[
                    {
                        "IpProtocol": "tcp",
                        "FromPort": port,
                        "ToPort": port,
                        "IpRanges": [{"CidrIp": f"10.{i % 256}.{port % 256}.0/24"}],
                    }
                    for port in (22, 80, 443, 5432, 6379)
                ],
            )
        return 1 + 2 * sgs

    def sg_describes() -> int:
        for _ in range(describes):
            groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": sg_vpc}])[
                "SecurityGroups"
            ]
            assert len(groups) >= sgs, len(groups)
            ec2.describe_security_groups(
                Filters=[
                    {"Name": "vpc-id", "Values": sg_vpc},
                    {"Name": "ip-permission.from-port", "Values": ["5432"]},
                    {"Name": "group-name", "Values": ["g1*"]},
                ]
            )
        return 2 * describes

    result.timed("writes", writes)
    result.timed("describes", big_describes)
    result.timed("small", small_describes)
    result.timed("sg_writes", sg_writes)
    result.timed("sg_desc", sg_describes)
    return result


def main() -> None:
    """Run the workload on every server and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--n", type=int, default=200, help="VPCs (and subnets, tag calls) to create"
    )
    parser.add_argument(
        "--describes", type=int, default=20, help="rounds of big filtered describes"
    )
    parser.add_argument("--small", type=int, default=300, help="small DescribeVpcs calls")
    parser.add_argument("--sgs", type=int, default=200, help="security groups (5 rules each)")
    parser.add_argument("--skip-moto", action="store_true")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args()

    results: list[Result] = []
    starts: dict[str, float] = {}
    recorded: dict[str, list[bytes]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        servers: list[tuple[str, Callable[[], Any]]] = [
            ("vpclab (memory)", lambda: vpclab_server("--in-memory")),
            ("vpclab (sqlite)", lambda: vpclab_server("--state", os.path.join(tmp, "s.db"))),
        ]
        if not args.skip_moto:
            servers.append(("moto_server", moto_server))
        for name, start in servers:
            with start() as (endpoint, started):
                starts[name] = started
                ec2 = ec2_client(endpoint)
                if not recorded:
                    recorder(ec2, recorded)
                ec2.describe_vpcs()  # warm the connection and the server's first-use path
                results.append(workload(name, ec2, args.n, args.describes, args.small, args.sgs))
        replay = floor_client(recorded)
        replay.describe_vpcs()
        floor = workload("boto3 floor", replay, args.n, args.describes, args.small, args.sgs)

    print_table(results, floor, starts)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(
                {
                    "floor": {k: vars(v) for k, v in floor.phases.items()},
                    "results": {r.name: {k: vars(v) for k, v in r.phases.items()} for r in results},
                    "start_seconds": starts,
                },
                out,
                indent=2,
            )


def print_table(results: list[Result], floor: Result, starts: dict[str, float]) -> None:
    """calls/s, per-call overhead above boto3's floor, and ratios against moto."""
    print(
        f"{'phase':<10} {'server':<16} {'calls':>6} {'calls/s':>9} {'ms/call':>8} {'overhead ms':>12}"
    )
    for phase, base in floor.phases.items():
        print(
            f"{phase:<10} {'boto3 floor':<16} {base.calls:>6} {base.rate:>9.0f} {base.per_call_ms:>8.2f} {'-':>12}"
        )
        for result in results:
            got = result.phases[phase]
            overhead = got.per_call_ms - base.per_call_ms
            print(
                f"{'':<10} {result.name:<16} {got.calls:>6} {got.rate:>9.0f} {got.per_call_ms:>8.2f} {overhead:>12.2f}"
            )
    moto = next((r for r in results if r.name == "moto_server"), None)
    if moto is not None:
        print("\nratios (moto / vpclab): overhead above floor, and end-to-end time")
        for result in results:
            if result is moto:
                continue
            for phase, base in floor.phases.items():
                mine, theirs = result.phases[phase], moto.phases[phase]
                over_ratio = (theirs.per_call_ms - base.per_call_ms) / max(
                    mine.per_call_ms - base.per_call_ms, 1e-9
                )
                e2e_ratio = theirs.per_call_ms / mine.per_call_ms
                print(
                    f"  {result.name:<16} {phase:<10} overhead x{over_ratio:5.1f}   end-to-end x{e2e_ratio:5.1f}"
                )
    print("\nstart to first answer:")
    for name, seconds in starts.items():
        print(f"  {name:<16} {seconds:.2f} s")


if __name__ == "__main__":
    main()
