"""API benchmark: the same boto3 workload against vpclab, moto_server and boto3's own floor.

Run: python bench/api.py [--n 200] [--small 300] [--describes 20] [--sgs 200] [--skip-moto]
                         [--from-source]

What is measured (all through one boto3 EC2 client per server, over HTTP on 127.0.0.1):
  writes     N x CreateVpc + N x CreateSubnet + N x CreateTags
  describes  DescribeVpcs / DescribeSubnets with filters over all N resources, repeated
  small      a loop of DescribeVpcs(VpcIds=[one id])
  sg_writes  CreateSecurityGroup + AuthorizeSecurityGroupIngress (5 rules) per group
  sg_desc    DescribeSecurityGroups over all groups, without and with filters
The floor (issue #2) is the same calls against a stub that answers instantly with a canned
body: a minimal keep-alive HTTP server on 127.0.0.1 (its own process, raw sockets) replaying,
per Action and in order, the bodies recorded from vpclab. Overhead above it is what each
server adds. Also shown, labelled "no socket": the same replay from a before-send hook, which
skips urllib3 and the socket too (boto3's cost alone).
Start to first answer: spawn the server, then time its first 200 from the health endpoint
and its first DescribeVpcs answer (raw HTTP, so no client start-up is counted).
vpclab's modules are compiled to bytecode first, as pip does when it installs a package (moto,
installed by pip, starts from bytecode): where PYTHONDONTWRITEBYTECODE is set, as on the shared
machine, an editable vpclab would otherwise compile every module from source at each start
(--from-source skips the compile step; bytecode an earlier run left is still used).
All targets run at once and each phase runs on every target in turn, so that they share the
load of that moment (the machine is shared); CPU per call is reported beside wall time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import pickle
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
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


def compile_vpclab() -> None:
    """Compile vpclab's modules to bytecode in place (__pycache__), as `pip install` does; each
    file checked against its source's hash when imported, so an edit is never shadowed."""
    import compileall
    import py_compile

    import vpclab

    checked = py_compile.PycInvalidationMode.CHECKED_HASH
    compileall.compile_dir(os.path.dirname(vpclab.__file__), quiet=1, invalidation_mode=checked)


# "health", "describe_vpcs": seconds from spawn to first answer; "server_cpu": CPU used by then
Started = dict[str, float]

SCOPE_HEADER = (
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/ec2/aws4_request, "
    "SignedHeaders=host, Signature=0"
)


def first_describe(endpoint: str) -> None:
    """One raw DescribeVpcs POST (no boto3 start-up in the figure), answered 200."""
    host, port = endpoint.removeprefix("http://").rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request(
            "POST",
            "/",
            "Action=DescribeVpcs&Version=2016-11-15",
            {"Content-Type": "application/x-www-form-urlencoded", "Authorization": SCOPE_HEADER},
        )
        response = conn.getresponse()
        response.read()
        assert response.status == 200, response.status
    finally:
        conn.close()


def started_figures(start: float, endpoint: str, health_url: str, pid: int) -> Started:
    """Seconds from spawn to the first health answer, then to the first DescribeVpcs answer,
    and the CPU seconds the server had used by then (what a quiet machine would wait)."""
    wait_for(health_url)
    health = time.perf_counter() - start
    first_describe(endpoint)
    return {
        "health": health,
        "describe_vpcs": time.perf_counter() - start,
        "server_cpu": process_cpu_seconds(pid),
    }


Running = tuple[str, Started, int]  # endpoint, start figures, process id


@contextmanager
def vpclab_server(*extra: str) -> Iterator[Running]:
    """`vpclab serve --port 0 EXTRA`: its endpoint, start-to-first-answer figures and pid."""
    start = time.perf_counter()
    with process([*VPCLAB, "serve", "--port", "0", "--settle-seconds", "0", *extra]) as proc:
        assert proc.stdout is not None
        endpoint = proc.stdout.readline().split()[3]
        health = f"{endpoint}/_vpclab/health"
        yield endpoint, started_figures(start, endpoint, health, proc.pid), proc.pid


@contextmanager
def moto_server() -> Iterator[Running]:
    """moto's standalone server on a free port: its endpoint, start figures and pid."""
    port = free_port()
    start = time.perf_counter()
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with process(command) as proc:
        endpoint = f"http://127.0.0.1:{port}"
        health = f"{endpoint}/moto-api/"
        yield endpoint, started_figures(start, endpoint, health, proc.pid), proc.pid


def process_cpu_seconds(pid: int | None) -> float:
    """CPU time (user + system, all threads) a process has used so far; 0 without a process.

    On this shared 2-core machine wall-clock figures move with everyone else's load; the CPU
    a server spends per call does not, so it is reported beside them."""
    if pid is None:
        return 0.0
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- the floor: a stub HTTP server answering instantly with recorded bodies --------------------

_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)


def stub_connection(conn: socket.socket, queues: dict[str, Iterator[bytes]]) -> None:
    """Answer keep-alive requests on one connection: the next recorded body of each Action."""
    buffer = b""
    with conn:
        while True:
            while b"\r\n\r\n" not in buffer:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buffer += chunk
            head, buffer = buffer.split(b"\r\n\r\n", 1)
            match = _CONTENT_LENGTH.search(head)
            length = int(match.group(1)) if match else 0
            while len(buffer) < length:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buffer += chunk
            body, buffer = buffer[:length], buffer[length:]
            action = body.split(b"&", 1)[0].removeprefix(b"Action=").decode()
            answer = next(queues[action]) if action in queues else b"{}"
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n%s"
                % (len(answer), answer)
            )


def serve_stub(recorded_path: str) -> None:
    """`--serve-stub FILE`: the floor's server; prints its port, then serves until killed."""
    with open(recorded_path, "rb") as source:
        recorded: dict[str, list[bytes]] = pickle.load(source)
    queues = {action: iter(bodies) for action, bodies in recorded.items()}
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    print(listener.getsockname()[1], flush=True)
    while True:
        conn, _ = listener.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=stub_connection, args=(conn, queues), daemon=True).start()


@contextmanager
def stub_server(recorded: dict[str, list[bytes]], tmp: str) -> Iterator[tuple[str, int]]:
    """The floor's stub server in its own process, replaying these bodies: endpoint and pid."""
    path = os.path.join(tmp, "recorded.pickle")
    with open(path, "wb") as out:
        pickle.dump(recorded, out)
    with process([sys.executable, os.path.abspath(__file__), "--serve-stub", path]) as proc:
        assert proc.stdout is not None
        yield f"http://127.0.0.1:{int(proc.stdout.readline())}", proc.pid


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
    server_cpu: float = 0.0  # seconds of CPU the server process used
    client_cpu: float = 0.0  # seconds of CPU this (boto3) process used

    @property
    def per_call_ms(self) -> float:
        """Average milliseconds per call."""
        return 1000 * self.seconds / self.calls if self.calls else 0.0

    @property
    def server_cpu_ms(self) -> float:
        """Server CPU milliseconds per call."""
        return 1000 * self.server_cpu / self.calls if self.calls else 0.0

    @property
    def client_cpu_ms(self) -> float:
        """boto3's CPU milliseconds per call."""
        return 1000 * self.client_cpu / self.calls if self.calls else 0.0

    @property
    def rate(self) -> float:
        """Calls per second."""
        return self.calls / self.seconds if self.seconds else 0.0


@dataclass
class Result:
    """Phase timings of one run of the workload."""

    name: str
    pid: int | None = None  # the server process, whose CPU time is taken per phase
    phases: dict[str, Phase] = field(default_factory=dict)

    def timed(self, phase: str, fn: Callable[[], int]) -> None:
        """Run fn (returns its number of calls) and add its wall and CPU times to a phase."""
        server_before, client_before = process_cpu_seconds(self.pid), time.process_time()
        start = time.perf_counter()
        calls = fn()
        took = time.perf_counter() - start
        entry = self.phases.setdefault(phase, Phase())
        entry.calls += calls
        entry.seconds += took
        entry.server_cpu += process_cpu_seconds(self.pid) - server_before
        entry.client_cpu += time.process_time() - client_before


Workload = list[tuple[str, Callable[[], int]]]  # (phase, run it: returns its number of calls)


def workload(ec2: Any, n: int, describes: int, small: int, sgs: int) -> Workload:
    """The benchmark's phases on one client, in order (each one uses what the earlier made)."""
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

    return [
        ("writes", writes),
        ("describes", big_describes),
        ("small", small_describes),
        ("sg_writes", sg_writes),
        ("sg_desc", sg_describes),
    ]


def main() -> None:
    """Run the workload on every server and the floor, print the table (and write JSON)."""
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
    parser.add_argument(
        "--from-source",
        action="store_true",
        help="skip compiling vpclab to bytecode first (start-up then includes compiling every "
        "module, unless bytecode from an earlier run is still there)",
    )
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--serve-stub", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_stub:
        serve_stub(args.serve_stub)
        return

    def phases(ec2: Any) -> Workload:
        """The workload on one client, after one call that warms the connection."""
        ec2.describe_vpcs()
        return workload(ec2, args.n, args.describes, args.small, args.sgs)

    if not args.from_source:
        compile_vpclab()
    starts: dict[str, Started] = {}
    recorded: dict[str, list[bytes]] = {}
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as running:
        # 1. Record the bodies the floor replays: the whole workload once, untimed.
        with vpclab_server("--in-memory") as (endpoint, _, _):
            recording = ec2_client(endpoint)
            recorder(recording, recorded)
            for _, step in phases(recording):
                step()
        # 2. Start everything (start-up timed one server at a time), then run each phase on
        # every target in turn, so that they share the machine's load of that moment.
        servers: list[tuple[str, Callable[[], Any]]] = [
            ("vpclab (memory)", lambda: vpclab_server("--in-memory")),
            ("vpclab (sqlite)", lambda: vpclab_server("--state", os.path.join(tmp, "s.db"))),
        ]
        if not args.skip_moto:
            servers.append(("moto_server", moto_server))
        stub_endpoint, stub_pid = running.enter_context(stub_server(recorded, tmp))
        targets = [
            (Result("boto3 floor", stub_pid), phases(ec2_client(stub_endpoint))),
            (Result("no socket"), phases(floor_client(recorded))),
        ]
        for name, start in servers:
            endpoint, starts[name], pid = running.enter_context(start())
            targets.append((Result(name, pid), phases(ec2_client(endpoint))))
        for index in range(len(targets[0][1])):
            for result, steps in targets:
                result.timed(*steps[index])
    floor, no_socket = targets[0][0], targets[1][0]
    results = [result for result, _ in targets[2:]]

    print_table(results, floor, no_socket, starts)
    print(
        "  (vpclab compiled from source at each start: --from-source)"
        if args.from_source
        else "  (vpclab's bytecode compiled beforehand, as pip install does)"
    )
    if args.json:
        with open(args.json, "w") as out:
            json.dump(
                {
                    "floor": {k: vars(v) for k, v in floor.phases.items()},
                    "floor_no_socket": {k: vars(v) for k, v in no_socket.phases.items()},
                    "results": {r.name: {k: vars(v) for k, v in r.phases.items()} for r in results},
                    "start_to_first_answer_s": starts,
                },
                out,
                indent=2,
            )


def print_table(
    results: list[Result], floor: Result, no_socket: Result, starts: dict[str, Started]
) -> None:
    """calls/s, per-call overhead above boto3's floor, CPU per call, and ratios against moto."""
    print(
        f"{'phase':<10} {'server':<16} {'calls':>6} {'calls/s':>9} {'ms/call':>8} "
        f"{'overhead ms':>12} {'server cpu ms':>14} {'boto3 cpu ms':>13}"
    )

    def row(phase: str, name: str, got: Phase, overhead: str) -> None:
        """One line of the table."""
        print(
            f"{phase:<10} {name:<16} {got.calls:>6} {got.rate:>9.0f} {got.per_call_ms:>8.2f} "
            f"{overhead:>12} {got.server_cpu_ms:>14.3f} {got.client_cpu_ms:>13.3f}"
        )

    for phase, base in floor.phases.items():
        row(phase, "boto3 floor", base, "-")
        bare = no_socket.phases[phase]
        row("", "(no socket)", bare, f"{bare.per_call_ms - base.per_call_ms:.2f}")
        for result in results:
            got = result.phases[phase]
            row("", result.name, got, f"{got.per_call_ms - base.per_call_ms:.2f}")
    moto = next((r for r in results if r.name == "moto_server"), None)
    if moto is not None:
        print(
            "\nratios (moto / vpclab): wall overhead above the stub floor, end-to-end wall time, "
            "server CPU per call"
        )
        for result in results:
            if result is moto:
                continue
            for phase, base in floor.phases.items():
                mine, theirs = result.phases[phase], moto.phases[phase]
                mine_over = mine.per_call_ms - base.per_call_ms
                theirs_over = theirs.per_call_ms - base.per_call_ms
                over = f"x{theirs_over / mine_over:5.1f}" if mine_over > 0 else "  (<= floor)"
                e2e = theirs.per_call_ms / mine.per_call_ms
                ticks = mine.server_cpu_ms > 0  # /proc counts in 10 ms ticks
                cpu = f"x{theirs.server_cpu_ms / mine.server_cpu_ms:5.1f}" if ticks else "  n/a"
                print(
                    f"  {result.name:<16} {phase:<10} overhead {over:<12} "
                    f"end-to-end x{e2e:5.1f}   server CPU {cpu}"
                )
    print("\nstart to first answer (spawn -> first 200):")
    for name, started in starts.items():
        print(
            f"  {name:<16} health {started['health']:.2f} s   "
            f"first DescribeVpcs {started['describe_vpcs']:.2f} s   "
            f"(server CPU by then {started['server_cpu']:.2f} s)"
        )


if __name__ == "__main__":
    main()
