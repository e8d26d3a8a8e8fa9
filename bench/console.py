"""Benchmark: the console draws 500 instances in 20 subnets; navigation to layout done and paint.

Run: python bench/console.py [--instances 500] [--subnets 20] [--runs 3] [--before REV]
(target: under 2 s)
Needs Debian's chromium (/usr/bin/chromium) and playwright (the dev extra). The network is
written straight into a state file (bench/analysis.py's generator, in-process through the
store) and served by a real `vpclab serve --state FILE` on 127.0.0.1. Each run opens the console
in a fresh browser context (nothing cached) and reads the marks the console sets when its first
layout completes and on the animation frame after cytoscape's first render of the placed graph
(first paint), measured from navigation start.
A 10-instance baseline is loaded alternately in the same run: on a shared, loaded machine the
ratio of the two is the figure that compares across runs.
With --before REV, the same big network is also served by that git revision's vpclab (its
`src/` exported with `git archive` into a temporary directory, first on PYTHONPATH) and loaded
in the same rotation, so before and after are measured under the same machine load.
With --live N, the big network is then opened N more times (alternating with --before's) and
each time one instance is launched through boto3 into one of its subnets while the page is open,
timed from RunInstances returning to the console having drawn it (after this follow-up, which
lays the whole graph out again).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from analysis import ACCOUNT, REGION, generate
from vpclab.control.store import Store
from vpclab.model import load_all_kinds
from vpclab.model.state import Clock

CHROMIUM = "/usr/bin/chromium"
BASELINE_INSTANCES = 10  # the same page with almost nothing to draw: its fixed cost
MARKS = "['vpclab-layout-done', 'vpclab-first-paint', 'vpclab-map-built', 'vpclab-elk-done']"


def write_state(path: Path, instances: int, subnets: int) -> None:
    """A state file holding the generated network (2 VPCs, peered, IGWs, NAT gateways)."""
    load_all_kinds()
    store = Store(path, clock=Clock(settle_seconds=0.0))
    generate(store, enis=instances, groups=40, subnets=subnets, vpcs=2, seed=7)
    store.close()


def export_source(revision: str, directory: Path) -> Path:
    """The `src/` of a git revision of this repository, exported under `directory`."""
    root = Path(__file__).resolve().parents[1]
    archive = subprocess.run(
        ["git", "-C", str(root), "archive", revision, "src"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(directory)], input=archive, check=True)
    return directory / "src"


def serve(state: Path, source: Path | None = None) -> tuple[subprocess.Popen[str], str]:
    """`vpclab serve --state FILE` on a free loopback port (the vpclab of `source` when given,
    else the installed one); its endpoint once it answers."""
    main = "import sys; from vpclab.cli.main import main; sys.exit(main())"
    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source), env.get("PYTHONPATH")]))
    proc = subprocess.Popen(
        [sys.executable, "-c", main, "serve", "--port", "0", "--state", str(state)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    endpoint = proc.stdout.readline().split()[3]
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{endpoint}/_vpclab/health", timeout=2).read()
            return proc, endpoint
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not answer")


def topology_figures(endpoint: str, runs: int) -> tuple[float, int, int]:
    """Median time of GET /_vpclab/api/topology, its size in bytes and its instance count."""
    url = f"{endpoint}/_vpclab/api/topology?account={ACCOUNT}&region={REGION}"
    times, body = [], b""
    for _ in range(runs):
        started = time.perf_counter()
        body = urllib.request.urlopen(url, timeout=60).read()
        times.append(time.perf_counter() - started)
    topology = json.loads(body)
    count = sum(
        len(subnet["instances"])
        for vpc in topology["vpcs"]
        for az in vpc["azs"]
        for subnet in az["subnets"]
    )
    return statistics.median(times), len(body), count


def open_console(browser: Any, url: str) -> tuple[float, float, float, float, float, int]:
    """One cold load, in seconds from navigation: layout done, first paint, the map's elements
    built (main thread), ELK's answer (worker); the wall time; and the nodes drawn."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_function(
        f"{MARKS}.every(name => performance.getEntriesByName(name).length > 0)", timeout=60_000
    )
    wall = time.perf_counter() - started
    marks = page.evaluate(f"{MARKS}.map(n => performance.getEntriesByName(n)[0].startTime)")
    layout, paint, built, elk = (mark / 1000 for mark in marks)
    nodes = page.evaluate("window.vpclabConsole.nodes().length")
    context.close()
    return layout, paint, built, elk, wall, nodes


@dataclass
class Network:
    """One generated network, served: its endpoint, the topology call's figures, its loads."""

    label: str
    endpoint: str
    topology_seconds: float
    topology_bytes: int
    instances: int
    loads: list[tuple[float, float, float, float, float, int]] = field(default_factory=list)


def report(network: Network) -> tuple[float, float]:
    """Print one network's loads and medians; return its median layout-done and first-paint."""
    print(
        f"{network.label}: {network.instances} instances; GET /_vpclab/api/topology "
        f"{network.topology_seconds * 1000:.0f} ms median ({network.topology_bytes / 1024:.0f} KiB)"
    )
    for number, (layout, paint, built, elk, wall, nodes) in enumerate(network.loads, start=1):
        print(
            f"  load {number}: layout done {layout:.2f} s, first paint {paint:.2f} s "
            f"(map built {built:.2f} s, ELK answered {elk:.2f} s; wall {wall:.2f} s, {nodes} nodes)"
        )
    layout = statistics.median(load[0] for load in network.loads)
    paint = statistics.median(load[1] for load in network.loads)
    print(f"  median: layout done {layout:.2f} s, first paint {paint:.2f} s")
    return layout, paint


def main() -> None:
    """Build both networks, serve them, load the console alternately, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=500)
    parser.add_argument("--subnets", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--screenshot", help="save a screenshot of the last big load here (PNG)")
    parser.add_argument("--before", help="also serve the big network with this git revision")
    parser.add_argument(
        "--live", type=int, default=0, help="then launch this many instances on the open page"
    )
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    sizes = {"baseline": (BASELINE_INSTANCES, 2), "network": (args.instances, args.subnets)}
    with tempfile.TemporaryDirectory() as directory, sync_playwright() as playwright:
        servers, networks = [], {}
        try:
            for label, (instances, subnets) in sizes.items():
                state = Path(directory) / f"{label}.db"
                write_state(state, instances, subnets)
                proc, endpoint = serve(state)
                servers.append(proc)
                networks[label] = Network(label, endpoint, *topology_figures(endpoint, args.runs))
            if args.before:
                source = export_source(args.before, Path(directory))
                proc, endpoint = serve(Path(directory) / "network.db", source)
                servers.append(proc)
                label = f"before ({args.before})"
                networks["before"] = Network(
                    label, endpoint, *topology_figures(endpoint, args.runs)
                )
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
            for _ in range(args.runs):  # alternated, so both see the same machine load
                for network in networks.values():
                    network.loads.append(
                        open_console(browser, f"{network.endpoint}/_vpclab/console")
                    )
            # --before: the same additions on the other revision's server, alternated
            live_on = [n for label, n in networks.items() if label != "baseline"]
            live: dict[str, list[float]] = {n.label: [] for n in live_on}
            for _ in range(args.live):
                for network in live_on:
                    live[network.label].append(live_addition(browser, network.endpoint))
            if args.screenshot:
                screenshot(
                    browser, f"{networks['network'].endpoint}/_vpclab/console", args.screenshot
                )
            browser.close()
        finally:
            for proc in servers:
                proc.terminate()
                proc.communicate(timeout=10)
    _, base_paint = report(networks["baseline"])
    if args.before:
        _, before_paint = report(networks["before"])
    layout, paint = report(networks["network"])
    topology = networks["network"].topology_seconds
    verdict = "meets" if paint < 2.0 else "misses"
    print(
        f"{args.instances} instances in {args.subnets} subnets: navigation -> layout done "
        f"{layout:.2f} s, -> first paint {paint:.2f} s (median of {args.runs}; {verdict} the 2 s "
        f"target); {paint / base_paint:.2f}x the {BASELINE_INSTANCES}-instance baseline's "
        f"{base_paint:.2f} s; the topology endpoint alone {topology * 1000:.0f} ms "
        f"({topology / paint:.0%} of first paint)"
    )
    for label, delays in live.items() if args.live else ():
        print(
            f"live ({label}): {len(delays)} instances launched on the open page, each drawn "
            f"{statistics.median(delays) * 1000:.0f} ms median after RunInstances returned "
            f"({min(delays) * 1000:.0f}-{max(delays) * 1000:.0f} ms; the page polls every 300 ms)"
        )
    if args.before:
        print(
            f"before ({args.before}): first paint {before_paint:.2f} s; this version / before: "
            f"{paint / before_paint:.2f}x (same run, loads alternated)"
        )


def live_addition(browser: Any, endpoint: str) -> float:
    """Open the console, launch one instance through boto3 into the network's first subnet, and
    time RunInstances returning -> the console drawing it (a fresh page each time, so every
    addition meets the same drawing)."""
    import boto3

    ec2 = boto3.session.Session().client(
        "ec2",
        region_name=REGION,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        endpoint_url=endpoint,
    )
    subnet = ec2.describe_subnets()["Subnets"][0]
    in_vpc = [{"Name": "vpc-id", "Values": [subnet["VpcId"]]}]
    group = ec2.describe_security_groups(Filters=in_vpc)["SecurityGroups"][0]["GroupId"]
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.goto(f"{endpoint}/_vpclab/console")
    page.wait_for_function("performance.getEntriesByName('vpclab-first-paint').length > 0")
    reservation = ec2.run_instances(
        ImageId="ami-12345678",
        MinCount=1,
        MaxCount=1,
        SubnetId=subnet["SubnetId"],
        SecurityGroupIds=[group],
    )
    started = time.perf_counter()
    instance = reservation["Instances"][0]["InstanceId"]
    page.wait_for_function(f"window.vpclabConsole.position('{instance}') !== null", timeout=30_000)
    delay = time.perf_counter() - started
    page.close()
    return delay


def screenshot(browser: Any, url: str, path: str) -> None:
    """A picture of the console once it has drawn the network."""
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.goto(url)
    page.wait_for_function("performance.getEntriesByName('vpclab-first-paint').length > 0")
    page.screenshot(path=path)
    page.close()


if __name__ == "__main__":
    main()
