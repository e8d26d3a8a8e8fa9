"""The web console in headless Chromium against a real `vpclab serve`: what it draws, traces
through the UI checked against `vpclab trace`, exposure, and live updates without a reload."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.console.test_api import ACCOUNT, Network, build
from tests.e2e.test_server import wait_healthy
from tests.scenarios import world as w
from vpclab.cli.main import main

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

SERVE = [sys.executable, "-c", "import sys; from vpclab.cli.main import main; sys.exit(main())"]
READY = "window.vpclabConsole && window.vpclabConsole.renderedVersion !== null"
LIVE_TIMEOUT_MS = 5000  # the console polls every 300 ms; generous for a loaded 2-core machine


@pytest.fixture(scope="module")
def server() -> Iterator[subprocess.Popen[str]]:
    """A real `vpclab serve --in-memory` on a free loopback port, started first so that it
    boots while Chromium launches; stopped with Ctrl-C as a user would."""
    proc = subprocess.Popen(
        [*SERVE, "serve", "--port", "0", "--in-memory", "--settle-seconds", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    yield proc
    proc.send_signal(signal.SIGINT)
    try:
        proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()


@pytest.fixture(scope="module")
def world(server: subprocess.Popen[str], chromium: Any) -> Network:
    """The console API tests' network (public and private subnets, IGW, NAT gateway, named
    instances, a peered VPC, a Lambda ENI), built over HTTP through boto3."""
    assert server.stdout is not None
    line = server.stdout.readline()
    assert line.startswith("vpclab listening on http://127.0.0.1:"), line
    endpoint = line.split()[3]
    wait_healthy(endpoint)
    return build(endpoint)


@pytest.fixture(scope="module")
def page(chromium: Any, world: Network) -> Iterator[Any]:
    """The console open on the test account's partition (chosen in the picker), first layout done."""
    context = chromium.new_context(viewport={"width": 1500, "height": 950})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{world.endpoint}/_vpclab/console")
    page.wait_for_function(READY)
    partition = f"{ACCOUNT}|us-east-1"
    if page.input_value("[data-testid=partition-select]") != partition:
        page.select_option("[data-testid=partition-select]", partition)
    page.wait_for_function(f"window.vpclabConsole.nodes().some(n => n.id === '{world.web}')")
    page.evaluate("window.loadedOnce = true")  # a reload would lose this
    yield page
    context.close()
    assert errors == [], errors


def drawn(page: Any) -> dict[str, dict[str, Any]]:
    """The nodes on the map by id, as the console reports them."""
    return {node["id"]: node for node in page.evaluate("window.vpclabConsole.nodes()")}


def drawn_edges(page: Any) -> list[dict[str, Any]]:
    """The edges on the map, as the console reports them."""
    return list(page.evaluate("window.vpclabConsole.edges()"))


def cli_json(capsys: Any, world: Network, *args: str) -> Any:
    """What `vpclab ARGS --endpoint E --account A --json` prints, parsed."""
    capsys.readouterr()
    status = main([*args, "--endpoint", world.endpoint, "--account", ACCOUNT, "--json"])
    out, err = capsys.readouterr()
    assert status in (0, 1), f"vpclab {' '.join(args)} exited {status}: {err}"
    return json.loads(out[min(i for i in (out.find("{"), out.find("[")) if i >= 0) :])


def trace_in_ui(page: Any, source: str, destination: str, port: int) -> dict[str, Any]:
    """Pick the destination by clicking its node (via search) and type the source; run the trace."""
    page.fill("[data-testid=search]", destination)
    page.click("[data-testid=search-go]")
    page.locator(f"[data-testid=resource][data-id={destination}]").wait_for()
    page.click("[data-testid=set-destination]")
    page.fill("[data-testid=trace-source]", source)
    page.select_option("[data-testid=trace-protocol]", "tcp")
    page.fill("[data-testid=trace-port]", str(port))
    shown = int(page.get_attribute("[data-testid=trace-result]", "data-run") or 0)
    page.click("[data-testid=trace-run]")
    page.locator(f"[data-testid=trace-result][data-run='{shown + 1}']").wait_for()
    return dict(page.evaluate("window.vpclabConsole.lastTrace()"))


def engine_hops(trace: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(direction, component id, verdict) of every hop of `vpclab trace --json`."""
    return [
        (hop["direction"], hop["component"]["id"], hop["verdict"])
        for hop in [*trace["forward"], *trace["reverse"]]
    ]


def ui_hops(trace: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(direction, component id, verdict) of every hop the console drew."""
    return [(hop["direction"], hop["component"]["id"], hop["verdict"]) for hop in trace["hops"]]


def shoot(page: Any, artifacts: Path, name: str) -> None:
    """Keep a screenshot of the console as a test artifact."""
    page.screenshot(path=str(artifacts / f"{name}.png"))


def test_console_draws_vpcs_subnets_instances_and_gateways(
    page: Any, world: Network, artifacts: Path
) -> None:
    """VPC > AZ > subnet > instance nesting, public/private subnets, IGW/NAT/peering with links."""
    nodes = drawn(page)
    shoot(page, artifacts, "topology")
    assert nodes[world.vpc]["type"] == "vpc" and nodes[world.vpc]["label"] == "app"
    assert nodes[world.peer_vpc]["type"] == "vpc"
    public, private = nodes[world.public], nodes[world.private]
    assert (public["type"], public["public"], private["public"]) == ("subnet", True, False)
    assert "public" in public["display"] and "private" in private["display"]
    for subnet in (public, private):
        az = nodes[subnet["parent"]]
        assert az["type"] == "az" and az["parent"] == world.vpc
    assert (nodes[world.web]["label"], nodes[world.web]["parent"]) == ("web", world.public)
    assert (nodes[world.db]["label"], nodes[world.db]["parent"]) == ("db", world.private)
    lambda_eni = nodes[world.lambda_eni]
    assert (lambda_eni["type"], lambda_eni["parent"]) == ("eni", world.private)
    assert "lambda" in lambda_eni["display"]
    assert nodes[world.peer_host]["type"] == "instance"
    assert nodes[world.igw]["type"] == "igw" and nodes[world.nat]["type"] == "nat"
    assert nodes[world.peering]["type"] == "pcx" and "active" in nodes[world.peering]["display"]
    leaves = [node["id"] for node in nodes.values() if node["type"] in ("instance", "eni", "igw")]
    places = {json.dumps(page.evaluate(f"window.vpclabConsole.position('{id}')")) for id in leaves}
    assert len(places) == len(leaves), "two nodes drawn at the same place"
    links = {(e["source"], e["target"], e["type"]): e["label"] for e in drawn_edges(page)}
    assert (world.igw, world.vpc, "attachment") in links
    assert (world.nat, world.public, "nat") in links
    assert links[(world.peering, world.vpc, "peering")] == "active"
    assert links[(world.peering, world.peer_vpc, "peering")] == "active"


def test_side_panel_shows_describe_with_rules_routes_and_links(page: Any, world: Network) -> None:
    """Search by Name tag selects the instance; its SG, its subnet's route table and network ACL
    open as tables (the default ACL's entries as VPC-19 creates them, 32767 shown as *)."""
    page.fill("[data-testid=search]", "web")
    page.click("[data-testid=search-go]")
    panel = page.locator(f"[data-testid=resource][data-id={world.web}]")
    panel.wait_for()
    assert page.evaluate("window.vpclabConsole.selected()") == world.web
    assert world.web in panel.inner_text()
    page.click(f"[data-testid=link-{world.web_group}]")
    inbound = page.locator("[data-testid=sg-inbound]")
    inbound.wait_for()
    described = world.ec2.describe_security_groups(GroupIds=[world.web_group])["SecurityGroups"]
    expected = [
        f"{rule['IpProtocol']}\t{rule['FromPort']}\t{rule['IpRanges'][0]['CidrIp']}\t"
        for rule in described[0]["IpPermissions"]
    ]
    assert sorted(inbound.locator("tbody tr").all_inner_texts()) == sorted(expected)
    assert "tcp\t443\t0.0.0.0/0\t" in expected
    page.fill("[data-testid=search]", world.public)
    page.click("[data-testid=search-go]")
    table = w.table_of(world.ec2, world.public)
    page.click(f"[data-testid=link-{table}]")
    routes = page.locator("[data-testid=routes]")
    routes.wait_for()
    rows = routes.locator("tbody tr").all_inner_texts()
    assert f"0.0.0.0/0\t{world.igw}\tactive\tCreateRoute" in rows
    assert "10.0.0.0/16\tlocal\tactive\tCreateRouteTable" in rows
    page.fill("[data-testid=search]", world.public)
    page.click("[data-testid=search-go]")
    acls = world.ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [world.public]}]
    )["NetworkAcls"]
    page.click(f"[data-testid=link-{acls[0]['NetworkAclId']}]")
    inbound_entries = page.locator("[data-testid=acl-inbound] tbody tr")
    inbound_entries.first.wait_for()
    assert inbound_entries.all_inner_texts() == [
        "100\tall\tall\t0.0.0.0/0\tallow",
        "*\tall\tall\t0.0.0.0/0\tdeny",
    ]


def test_trace_admitted_drawn_green_and_equal_to_vpclab_trace(
    page: Any, world: Network, capsys: Any, artifacts: Path
) -> None:
    """Internet -> web:443 through the UI: the same hops and verdict as `vpclab trace`, all green."""
    shown = trace_in_ui(page, "internet", world.web, 443)
    shoot(page, artifacts, "trace-admitted")
    engine = cli_json(capsys, world, "trace", "internet", world.web, "--port", "443")
    assert (shown["verdict"], shown["reachable"]) == (engine["verdict"], True)
    assert ui_hops(shown) == engine_hops(engine)
    assert page.inner_text("[data-testid=trace-verdict]") == "REACHABLE"
    nodes = drawn(page)
    on_path = {"internet"} | {hop["node"] for hop in shown["hops"]}
    assert {world.igw, world.public, world.web} <= on_path
    assert all("trace-admitted" in nodes[node]["classes"] for node in on_path)
    path = [(e["source"], e["target"]) for e in drawn_edges(page) if "forward" in e["classes"]]
    assert path == [("internet", world.igw), (world.igw, world.web)]
    hop_rows = page.locator("[data-testid=trace-hops] tbody tr").count()
    assert hop_rows == len(engine["forward"]) + len(engine["reverse"])


def test_trace_blocked_by_sg_3_drawn_red_at_the_instance(
    page: Any, world: Network, capsys: Any, artifacts: Path
) -> None:
    """web -> db:22: no rule of db's groups admits it (SG-3); the db node is red, code shown."""
    shown = trace_in_ui(page, "web", world.db, 22)
    shoot(page, artifacts, "trace-blocked")
    engine = cli_json(capsys, world, "trace", world.web, world.db, "--port", "22")
    assert (shown["verdict"], shown["reachable"]) == (engine["verdict"], False)
    assert ui_hops(shown) == engine_hops(engine)
    assert page.inner_text("[data-testid=trace-verdict]") == "NOT REACHABLE"
    dropped = [hop for hop in shown["hops"] if hop["verdict"] == "dropped"]
    assert [(hop["node"], hop["codes"]) for hop in dropped] == [
        (world.db, ["ENI_SG_RULES_MISMATCH"])
    ]
    assert "trace-blocked" in drawn(page)[world.db]["classes"]
    blocked = [(e["source"], e["target"]) for e in drawn_edges(page) if "blocked" in e["classes"]]
    assert blocked == [(world.web, world.db)]
    assert "ENI_SG_RULES_MISMATCH" in page.inner_text("[data-testid=trace-hops]")


def test_exposure_toggle_badges_what_the_internet_reaches(
    page: Any, world: Network, capsys: Any, artifacts: Path
) -> None:
    """The exposure overlay marks exactly what `vpclab exposure` finds, with its ports."""
    page.check("[data-testid=exposure-toggle]")
    page.wait_for_function("window.vpclabConsole.exposure().length > 0")
    shoot(page, artifacts, "exposure")
    shown = {item["id"]: item["ports"] for item in page.evaluate("window.vpclabConsole.exposure()")}
    engine = cli_json(capsys, world, "exposure")
    assert {finding["owner_id"] or finding["eni_id"] for finding in engine} == set(shown)
    assert any("443" in ports and "80" in ports for ports in shown[world.web])
    nodes = drawn(page)
    assert "exposed" in nodes[world.web]["classes"] and "443" in nodes[world.web]["display"]
    assert "exposed" not in nodes[world.db]["classes"]
    page.uncheck("[data-testid=exposure-toggle]")
    assert "exposed" not in drawn(page)[world.web]["classes"]


def test_partition_picker_lists_a_new_region_and_draws_it(page: Any, world: Network) -> None:
    """A VPC created in us-west-2 after the page loaded: the picker offers it, choosing it draws
    that region's network, choosing back draws the first one again."""
    west = boto3.session.Session().client(
        "ec2",
        region_name="us-west-2",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        endpoint_url=world.endpoint,
    )
    west_vpc = w.vpc(west, "10.9.0.0/16")
    picker = "[data-testid=partition-select]"
    page.focus(picker)
    page.locator(f"{picker} option[value='{ACCOUNT}|us-west-2']").wait_for(state="attached")
    page.select_option(picker, f"{ACCOUNT}|us-west-2")
    page.wait_for_function(f"window.vpclabConsole.nodes().some(n => n.id === '{west_vpc}')")
    assert world.web not in drawn(page)
    assert page.evaluate("window.vpclabConsole.lastTrace()") is None
    assert not page.is_visible("[data-testid=trace-verdict-badge]")
    page.select_option(picker, f"{ACCOUNT}|us-east-1")
    page.wait_for_function(f"window.vpclabConsole.nodes().some(n => n.id === '{world.web}')")
    assert west_vpc not in drawn(page)


def overlapping(page: Any) -> list[tuple[str, str]]:
    """Pairs of drawn nodes whose boxes overlap, neither inside the other (none on a good map)."""
    boxes = {box["id"]: box for box in page.evaluate("window.vpclabConsole.boxes()")}

    def lineage(node_id: str | None) -> set[str]:
        """The node and its ancestors."""
        found: set[str] = set()
        while node_id is not None:
            found.add(node_id)
            node_id = boxes[node_id]["parent"]
        return found

    lineages = {node_id: lineage(node_id) for node_id in boxes}
    ids = sorted(boxes)
    return [
        (a, b)
        for i, a in enumerate(ids)
        for b in ids[i + 1 :]
        if a not in lineages[b]
        and b not in lineages[a]
        and boxes[a]["x1"] < boxes[b]["x2"]
        and boxes[b]["x1"] < boxes[a]["x2"]
        and boxes[a]["y1"] < boxes[b]["y2"]
        and boxes[b]["y1"] < boxes[a]["y2"]
    ]


def positions(page: Any) -> dict[str, Any]:
    """Every drawn node's position."""
    ids = [node["id"] for node in page.evaluate("window.vpclabConsole.nodes()")]
    return {
        node_id: page.evaluate("(id) => window.vpclabConsole.position(id)", node_id)
        for node_id in ids
    }


def test_new_instance_appears_live_without_a_reload(
    page: Any, world: Network, artifacts: Path
) -> None:
    """RunInstances through boto3 shows on the open page by itself, in its subnet."""
    started = time.monotonic()
    worker = w.instance(world.ec2, world.private, world.web_group, Name="worker")
    page.wait_for_function(
        f"window.vpclabConsole.nodes().some(n => n.id === '{worker}')", timeout=LIVE_TIMEOUT_MS
    )
    print(f"new instance drawn {time.monotonic() - started:.2f} s after RunInstances returned")
    shoot(page, artifacts, "live-new-instance")
    node = drawn(page)[worker]
    assert (node["label"], node["parent"]) == ("worker", world.private)
    assert overlapping(page) == []
    assert page.evaluate("window.loadedOnce") is True


def test_five_instances_added_live_are_laid_out_without_overlaps(
    page: Any, world: Network, artifacts: Path
) -> None:
    """Five instances launched into a subnet while the page is open: the graph is laid out again
    (once the change is seen), no two node boxes overlap, and the viewport stays as it was."""
    viewport = page.evaluate("window.vpclabConsole.viewport()")
    layouts = page.evaluate("window.vpclabConsole.layouts")
    added = [w.instance(world.ec2, world.public, world.web_group) for _ in range(5)]
    page.wait_for_function(
        f"{json.dumps(added)}.every(id => window.vpclabConsole.position(id) !== null)",
        timeout=LIVE_TIMEOUT_MS,
    )
    shoot(page, artifacts, "live-five-instances")
    assert page.evaluate("window.vpclabConsole.layouts") > layouts
    assert all(drawn(page)[instance]["parent"] == world.public for instance in added)
    assert overlapping(page) == []
    assert page.evaluate("window.vpclabConsole.viewport()") == viewport


def test_sg_rule_change_redraws_without_moving_any_node(page: Any, world: Network) -> None:
    """An attribute change (a security group rule added) is drawn at its new version with no
    new layout: every node keeps its place."""
    before = positions(page)
    layouts = page.evaluate("window.vpclabConsole.layouts")
    version = page.evaluate("window.vpclabConsole.renderedVersion")
    world.ec2.authorize_security_group_ingress(
        GroupId=world.web_group, IpProtocol="tcp", FromPort=8080, ToPort=8080, CidrIp="10.0.0.0/8"
    )
    page.wait_for_function(
        f"window.vpclabConsole.renderedVersion > {version}", timeout=LIVE_TIMEOUT_MS
    )
    assert page.evaluate("window.vpclabConsole.layouts") == layouts
    assert positions(page) == before


def follow_link(page: Any, start: str, linked: str) -> Any:
    """Search for `start`, then follow its panel's link to `linked`: the panel shown for it."""
    page.fill("[data-testid=search]", start)
    page.click("[data-testid=search-go]")
    page.locator(f"[data-testid=resource][data-id='{start}']").wait_for()
    page.click(f"[data-testid='link-{linked}']")
    shown = page.locator(f"[data-testid=resource][data-id='{linked}']")
    shown.wait_for()
    return shown


def test_managed_services_are_drawn_with_their_enis_and_panels(page: Any, world: Network) -> None:
    """The VPC Lambda function is a node in its VPC linked to its Hyperplane ENI; selecting it
    shows GetFunctionConfiguration, and the ENI's panel links back to it."""
    arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:worker"
    node = drawn(page)[arn]
    assert (node["type"], node["parent"], node["label"]) == ("service", world.vpc, "worker")
    links = {(e["source"], e["target"], e["type"]) for e in drawn_edges(page)}
    assert (arn, world.lambda_eni, "service") in links
    shown = follow_link(page, world.lambda_eni, arn)
    assert shown.get_attribute("data-kind") == "lambda-function"
    related = shown.locator("[data-testid=related]").inner_text()
    assert world.lambda_eni in related and "Security group" in related
    assert "FunctionName\tworker" in shown.locator("[data-testid=describe-fields]").inner_text()


def test_flow_log_of_a_subnet_shows_on_its_node_and_opens_from_its_panel(
    page: Any, world: Network
) -> None:
    """CreateFlowLogs on the private subnet: the subnet says so on the map, and its panel links
    to the flow log, shown as DescribeFlowLogs lists it."""
    (flow_log,) = world.ec2.create_flow_logs(
        ResourceIds=[world.private],
        ResourceType="Subnet",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::console-flow-logs",
    )["FlowLogIds"]
    page.wait_for_function(
        f"window.vpclabConsole.nodes().some(n => n.id === '{world.private}' "
        "&& n.display.includes('flow log'))",
        timeout=LIVE_TIMEOUT_MS,
    )
    assert "flow log" not in drawn(page)[world.public]["display"]
    shown = follow_link(page, world.private, flow_log)
    assert shown.get_attribute("data-kind") == "vpc-flow-log"
    fields = shown.locator("[data-testid=describe-fields]").inner_text()
    assert "LogDestination\tarn:aws:s3:::console-flow-logs" in fields


def test_sg_3_revoking_the_only_admitting_rule_flips_the_shown_trace_live(
    page: Any, world: Network, artifacts: Path
) -> None:
    """With internet -> web:443 shown, revoking the 443 rule turns it red without a click."""
    assert trace_in_ui(page, "internet", world.web, 443)["reachable"] is True
    world.ec2.revoke_security_group_ingress(
        GroupId=world.web_group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    page.wait_for_function(
        "window.vpclabConsole.lastTrace().reachable === false", timeout=LIVE_TIMEOUT_MS
    )
    shoot(page, artifacts, "live-revoked")
    shown = page.evaluate("window.vpclabConsole.lastTrace()")
    dropped = [hop for hop in shown["hops"] if hop["verdict"] == "dropped"]
    assert [hop["node"] for hop in dropped] == [world.web]
    assert page.inner_text("[data-testid=trace-verdict]") == "NOT REACHABLE"
    assert page.evaluate("window.loadedOnce") is True
