"""Account snapshots: import of `aws ec2 describe-*` exports, analysis on them, export, diff.

The Batfish fixtures under /work/shared/data/batfish-aws are real-looking exports of small AWS
test networks (Apache-2.0, see NOTICE.md there); they are read in place, never copied.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_server import ec2_client, running_server
from tests.scenarios import world as w
from vpclab.api.snapshot_export import export_partitions
from vpclab.cli.main import main
from vpclab.control.snapshot import FILES, SnapshotError, read_snapshot
from vpclab.control.store import Store
from vpclab.dataplane.compile import compile_view
from vpclab.dataplane.queries import internet_exposure
from vpclab.model.interface import Instance, NetworkInterface
from vpclab.model.network_acl import NetworkAcl
from vpclab.model.peering import VpcPeeringConnection
from vpclab.model.route_state import route_state
from vpclab.model.route_table import RouteTable
from vpclab.model.security_group import SecurityGroup
from vpclab.model.state import Clock
from vpclab.model.vpc import Vpc
from vpclab.network import Network, trace_view

BATFISH = Path("/work/shared/data/batfish-aws")
FIXTURES = sorted(p.name for p in BATFISH.iterdir() if p.is_dir()) if BATFISH.is_dir() else []
pytestmark = pytest.mark.skipif(not FIXTURES, reason="shared Batfish fixtures not present")
OWNER = "554773406868"  # the OwnerId of every single-account Batfish fixture


def fixture(name: str) -> str:
    """The path of one Batfish fixture folder."""
    return str(BATFISH / name)


def view_of(name: str, account: str | None = None, region: str | None = None) -> Any:
    """A fixture's partition as a View, read without any server or state file."""
    snapshot = read_snapshot(fixture(name))
    key = snapshot.resolve(account, region)
    return snapshot.world(Clock(settle_seconds=0.0)).view(*key)


# -- 1. import ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", FIXTURES)
def test_every_batfish_fixture_imports_and_skips_only_what_vpclab_does_not_model(
    name: str, tmp_path: Path, capsys: Any
) -> None:
    """Each folder imports into a state file; every skip is a file of a kind vpclab lacks."""
    assert main(["import", fixture(name), "--state", str(tmp_path / "s.db")]) == 0
    snapshot = read_snapshot(fixture(name))
    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        *snapshot.report.lines(),
        f"written to {tmp_path / 's.db'} (restart a server running on it to load it)",
    ]
    assert all("not modelled" in s.reason for s in snapshot.report.skipped)
    store = Store(tmp_path / "s.db")
    for key, tables in snapshot.partitions.items():
        for kind, items in tables.items():
            assert set(store.tables(*key)[kind]) == set(items)
    store.close()


def test_import_prints_counts_per_kind_and_each_skipped_file(tmp_path: Path, capsys: Any) -> None:
    """The report of public-subnet: one line of counts, then the four unmodelled files."""
    assert main(["import", fixture("public-subnet"), "--state", str(tmp_path / "s.db")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        f"imported {OWNER}/us-east-2: 1 instance, 1 internet-gateway, 1 network-acl, "
        "1 network-interface, 2 route-table, 2 security-group, 1 subnet, 1 vpc"
    )
    assert "skipped 12:" in lines  # 4 unmodelled files, 8 files' unread fields
    assert "  aws_configs/VpnGateways.json (0 items): not modelled by vpclab" in lines
    assert (
        "  aws_configs/Vpcs.json fields: not modelled by vpclab or derived by it: OwnerId, State"
        in lines
    )
    assert lines[-2] == (
        "skipped by reason: 4 x not modelled by vpclab; 8 x not modelled by vpclab or derived by it"
    )


def test_rt_15_public_subnet_import_keeps_ids_flags_routes_rules_and_addresses() -> None:
    """Main table, default NACL, route targets, SG rules and the ENI's public IP as exported."""
    view = view_of("public-subnet")
    assert (view.account, view.region) == (OWNER, "us-east-2")
    main_table = view.get(RouteTable, "rtb-0a7b14443588910ad")
    public_table = view.get(RouteTable, "rtb-0489000c9e6c299e8")
    assert main_table is not None and main_table.is_main
    assert public_table is not None and not public_table.is_main
    assert [a.subnet_id for a in public_table.associations] == ["subnet-0bb82ae8b3ea5dc78"]
    igw_route = public_table.routes[1]
    assert (igw_route.destination, igw_route.target.kind, igw_route.target.id) == (
        "0.0.0.0/0",
        "gateway",
        "igw-0a409e562d251f766",
    )
    assert route_state(view, igw_route) == "active"
    (acl,) = view.all(NetworkAcl)
    assert acl.is_default and len(acl.entries) == 4
    wizard = view.get(SecurityGroup, "sg-09ccba6656672061b")
    assert wizard is not None
    ((ssh,), egress) = (wizard.ingress(), wizard.egress())
    assert (ssh.protocol, ssh.from_port, ssh.to_port, ssh.cidr_ipv4) == ("tcp", 22, 22, "0.0.0.0/0")
    assert egress[0].protocol == "-1"
    default = view.get(SecurityGroup, "sg-038ae1875ef3e82ec")
    assert default is not None and default.ingress()[0].group_id == default.id
    eni = view.get(NetworkInterface, "eni-00064850627e198ee")
    assert eni is not None and eni.public_ip == "18.216.80.133" and eni.primary_ip == "10.0.0.91"
    instance = view.get(Instance, "i-06669a407b2ef3ae5")
    assert instance is not None and instance.state == "running"
    assert instance.primary_eni_id == eni.id and instance.auto_public_ip


# Paths (list indices dropped) where a re-export differs from the Batfish files, and why.
# Every instance detail comes back (root volume, capacity, hibernation, CPU, devices, token),
# and the NAT gateway ENI's attachment to amazon-aws.
UNMODELLED: set[str] = set()


ID_KEYS = {
    "Vpcs": "VpcId",
    "Subnets": "SubnetId",
    "InternetGateways": "InternetGatewayId",
    "SecurityGroups": "GroupId",
    "NetworkAcls": "NetworkAclId",
    "RouteTables": "RouteTableId",
    "Addresses": "AllocationId",
    "NetworkInterfaces": "NetworkInterfaceId",
    "Reservations": "ReservationId",
    "NatGateways": "NatGatewayId",
    "VpcPeeringConnections": "VpcPeeringConnectionId",
}


def _differences(exported: Any, ours: Any, path: str) -> Iterator[str]:
    """Paths where `ours` lacks or changes a value of `exported` (timestamps compared as times)."""
    if isinstance(exported, dict) and isinstance(ours, dict):
        for key, value in exported.items():
            if key not in ours:
                yield f"{path}.{key}"
            else:
                yield from _differences(value, ours[key], f"{path}.{key}")
    elif isinstance(exported, list) and isinstance(ours, list) and len(exported) == len(ours):
        for left, right in zip(exported, ours, strict=True):
            yield from _differences(left, right, path)
    elif exported != ours and not _same_time(exported, ours):
        yield path


def _same_time(left: Any, right: Any) -> bool:
    """Whether two values are the same instant written two ways (awscli v1 vs ISO 8601)."""
    try:
        return bool(datetime.fromisoformat(left) == datetime.fromisoformat(right))
    except (TypeError, ValueError):
        return False


@pytest.mark.parametrize(
    "name", ["public-subnet", "public-private-subnet", "nat-gateway", "vpc-peering", "subnet"]
)
def test_re_export_reproduces_every_modelled_field_of_the_batfish_files(
    name: str, tmp_path: Path
) -> None:
    """`vpclab export --state <fixture>` (read, then written by the Describe handlers): each
    item of each in-scope file comes back with every field it had, except instance details
    vpclab does not model; a route to a VGW (not modelled) keeps its exported state (RT-12),
    and the import report says analysis stops there."""
    snapshot = read_snapshot(fixture(name))
    (key,) = snapshot.partitions
    assert main(["export", str(tmp_path), "--state", fixture(name), "--all"]) == 0
    ours_dir = tmp_path / "accounts" / key[0] / key[1]
    found: set[str] = set()
    for source in sorted((BATFISH / name / "aws_configs").glob("*.json")):
        if source.name not in FILES or source.name == "PrefixLists.json":
            continue
        list_key = FILES[source.name]
        ours = json.loads((ours_dir / source.name).read_text())[list_key]
        exported = json.loads(source.read_text())[list_key]
        assert len(ours) == len(exported), source.name
        id_key = ID_KEYS[list_key]
        by_id = {i[id_key]: i for i in ours}
        for item in exported:
            found.update(_differences(item, by_id[item[id_key]], list_key))
    changed = found - UNMODELLED
    assert changed == set()
    if name == "public-private-subnet":
        assert any("vgw-070087240d6fa2989 (active) leaves" in n for n in snapshot.report.notes)


def test_vpc_17_an_imported_account_gets_no_invented_default_vpc(tmp_path: Path) -> None:
    """Served after the import, the account shows exactly the exported VPC and route tables:
    no default VPC and no companions are created for it (an import is not CreateVpc)."""
    assert main(["import", fixture("public-subnet"), "--state", str(tmp_path / "s.db")]) == 0
    network = Network.open(tmp_path / "s.db", settle_seconds=0.0)
    ec2 = network.client(account=OWNER, region="us-east-2")
    assert [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]] == ["vpc-0672bce73895d7252"]
    tables = ec2.describe_route_tables()["RouteTables"]
    assert sorted(t["RouteTableId"] for t in tables) == [
        "rtb-0489000c9e6c299e8",
        "rtb-0a7b14443588910ad",
    ]
    (subnet,) = ec2.describe_subnets()["Subnets"]
    exported = json.loads((BATFISH / "public-subnet/aws_configs/Subnets.json").read_text())
    same = ("SubnetId", "CidrBlock", "AvailabilityZoneId", "Tags", "AvailableIpAddressCount")
    for field in same:
        assert subnet[field] == exported["Subnets"][0][field]
    network.store.close()


def test_accounts_layout_takes_owner_ids_and_regions_from_the_folders() -> None:
    """accounts/111/us-west-1 and accounts/222/us-west-2 both hold OwnerId 554773406868."""
    snapshot = read_snapshot(fixture("multi-account"))
    assert sorted(snapshot.partitions) == [(OWNER, "us-west-1"), (OWNER, "us-west-2")]
    assert snapshot.report.folders == {
        "111/us-west-1": (OWNER, "us-west-1"),
        "222/us-west-2": (OWNER, "us-west-2"),
    }
    # A folder name chooses its partition for analysis.
    assert snapshot.resolve("222", None) == (OWNER, "us-west-2")
    with pytest.raises(SnapshotError, match="several"):
        snapshot.resolve(None, None)


def test_pcx_14_cross_account_peering_is_kept_in_both_accounts_with_their_own_tags() -> None:
    """Each side keeps its record (its own Name tag); deleted ones stay deleted (PCX-1, PCX-14).

    The export lacks InternetGateways.json although routes name IGWs: those routes are
    blackholes in vpclab (RT-12), and the report says they were exported active.
    """
    snapshot = read_snapshot(fixture("vpc-peering-multi-account"))
    assert set(snapshot.partitions) == {
        ("028403472736", "us-east-1"),
        ("951601349076", "us-east-1"),
    }
    world = snapshot.world(Clock(settle_seconds=0.0))
    requester = world.view("028403472736", "us-east-1")
    accepter = world.view("951601349076", "us-east-1")
    mine = requester.get(VpcPeeringConnection, "pcx-0040f7640e10191f4")
    theirs = accepter.get(VpcPeeringConnection, "pcx-0040f7640e10191f4")
    assert mine is not None and theirs is not None
    assert (mine.status, theirs.status) == ("active", "active")
    assert mine.tag_dict()["Name"] == "pcx-bat-fish-r"
    assert theirs.tag_dict()["Name"] == "pcx-bat-fish-a"
    assert (mine.requester.owner_id, mine.accepter.owner_id) == ("028403472736", "951601349076")
    deleted = accepter.get(VpcPeeringConnection, "pcx-07d8d712b329b9337")
    assert deleted is not None and deleted.status == "deleted"
    notes = "\n".join(snapshot.report.notes)
    assert "igw-0ccac11864b23b189: exported active, vpclab derives blackhole" in notes
    assert "i-022b9fb2c0a0c72c1 (terminated) has no network data" in notes
    assert "no NetworkAcls.json" in notes


def test_rt_12_blackhole_route_to_a_deleted_igw_and_disassociated_cidr_stay_as_exported() -> None:
    """vpc-peering: VPC B's default route names a deleted IGW, exported blackhole, derived so."""
    snapshot = read_snapshot(fixture("vpc-peering"))
    view = snapshot.world(Clock(settle_seconds=0.0)).view(OWNER, "us-east-2")
    table = view.get(RouteTable, "rtb-017c36290c9baf017")
    assert table is not None
    (default_route,) = [r for r in table.routes if r.destination == "0.0.0.0/0"]
    assert route_state(view, default_route) == "blackhole"
    assert not any("rtb-017c36290c9baf017" in n for n in snapshot.report.notes)
    states = {a.state for v in view.all(Vpc) for a in v.cidr_associations}
    assert "disassociated" in states


def _write(folder: Path, name: str, body: Any) -> None:
    """One describe file of a hand-written fixture."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps(body) if not isinstance(body, str) else body)


VPC = {"VpcId": "vpc-0123456789abcdef0", "CidrBlock": "10.9.0.0/16", "FutureField": {"x": 1}}


def test_import_region_comes_from_zones_then_subnets_then_the_flag(
    tmp_path: Path, capsys: Any
) -> None:
    """A folder without a region directory needs --region when nothing else tells it (exit 2)."""
    _write(tmp_path / "bare", "Vpcs.json", {"Vpcs": [VPC]})
    state = str(tmp_path / "s.db")
    assert main(["import", str(tmp_path / "bare"), "--state", state]) == 2
    assert "--region" in capsys.readouterr().err
    assert not Path(state).exists()
    assert main(["import", str(tmp_path / "bare"), "--state", state, "--region", "eu-west-1"]) == 0
    assert "imported 123456789012/eu-west-1: 1 vpc" in capsys.readouterr().out
    _write(tmp_path / "zoned", "Vpcs.json", {"Vpcs": [VPC]})
    _write(
        tmp_path / "zoned",
        "AvailabilityZones.json",
        {"AvailabilityZones": [{"RegionName": "ap-south-1"}]},
    )
    assert read_snapshot(tmp_path / "zoned").partitions.keys() == {("123456789012", "ap-south-1")}


def test_import_skips_unknown_files_and_malformed_items_and_reports_them(tmp_path: Path) -> None:
    """Unknown fields are ignored, unknown files and broken items skipped and listed."""
    folder = tmp_path / "aws_configs" / "us-east-1"
    _write(folder, "Vpcs.json", {"Vpcs": [VPC, {"CidrBlock": "10.1.0.0/16"}]})
    _write(folder, "TransitGateways.json", {"TransitGateways": [{"TransitGatewayId": "tgw-1"}]})
    igw = {"InternetGatewayId": "igw-0123456789abcdef0", "Attachments": []}
    _write(folder, "my-igws.json", {"InternetGateways": [igw]})  # named by hand, known by key
    snapshot = read_snapshot(tmp_path)
    (tables,) = snapshot.partitions.values()
    assert list(tables["vpc"]) == ["vpc-0123456789abcdef0"]
    assert list(tables["internet-gateway"]) == ["igw-0123456789abcdef0"]
    assert "us-east-1/my-igws.json read as InternetGateways.json" in snapshot.report.notes
    reasons = {(s.where, s.reason.split(" (")[0]) for s in snapshot.report.skipped}
    assert ("us-east-1/TransitGateways.json", "not modelled by vpclab") in reasons
    assert ("us-east-1/Vpcs.json", "malformed") in reasons
    (fields,) = [k for k in snapshot.report.skipped if k.item == "fields"]
    assert fields.where == "us-east-1/Vpcs.json" and "FutureField" in fields.reason


def test_import_refuses_invalid_json_or_a_missing_directory_and_writes_nothing(
    tmp_path: Path, capsys: Any
) -> None:
    """Exit 2 with the file named; the target state file keeps what it had."""
    network = Network(Store(tmp_path / "s.db", clock=Clock(settle_seconds=0.0)))
    w.vpc(network.client())
    vpcs = {v.id for v in network.store.view("123456789012", "us-east-1").all(Vpc)}
    network.store.close()
    _write(tmp_path / "bad" / "us-east-1", "Vpcs.json", {"Vpcs": [VPC]})
    _write(tmp_path / "bad" / "us-east-1", "Subnets.json", "{not json")
    assert main(["import", str(tmp_path / "bad"), "--state", str(tmp_path / "s.db")]) == 2
    assert "Subnets.json: not valid JSON" in capsys.readouterr().err
    assert main(["import", str(tmp_path / "nowhere"), "--state", str(tmp_path / "s.db")]) == 2
    assert "no such directory" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["exposure", "--state", str(tmp_path / "empty")]) == 2
    assert "no describe JSON files" in capsys.readouterr().err
    after = Network.open(tmp_path / "s.db", settle_seconds=0.0)
    assert {v.id for v in after.store.view("123456789012", "us-east-1").all(Vpc)} == vpcs
    after.store.close()


# -- 2. analysis on exports ---------------------------------------------------------------------
def test_igw_6_exposure_of_the_public_subnet_export_finds_the_instance_on_ssh(capsys: Any) -> None:
    """The public instance (18.216.80.133) is open on tcp 22 from the internet, nothing else."""
    assert main(["exposure", "--state", fixture("public-subnet"), "--json"]) == 0
    findings = json.loads(capsys.readouterr().out)
    assert {(f["owner_id"], f["protocol"]) for f in findings} == {("i-06669a407b2ef3ae5", "tcp")}
    (finding,) = findings
    ports = finding["destination_ports"]
    assert ports in ([[22, 22]], {"spans": [[22, 22]]})


def test_trace_on_an_export_directory_exit_codes(capsys: Any) -> None:
    """trace --state DIR: internet -> public instance on 22 is reachable (0), on 80 not (1)."""
    base = ["trace", "internet", "i-06669a407b2ef3ae5", "--state", fixture("public-subnet")]
    assert main([*base, "--port", "22"]) == 0
    assert "REACHABLE" in capsys.readouterr().out
    assert main([*base, "--port", "80"]) == 1
    assert "ENI_SG_RULES_MISMATCH" in capsys.readouterr().out


def test_nat_14_nat_gateway_export_gives_the_verdicts_its_topology_implies() -> None:
    """nat-gateway: Subnet 1 routes 0.0.0.0/0 to the NAT gateway in the public subnet (whose
    table routes to the IGW, and whose NACL admits all at rule 200), so test1 reaches the
    internet; Subnet 20 uses the main table (local route only), so test20 does not; only the
    jump host has a public IP, so it alone is exposed (tcp 22 and ICMP echo by its SG)."""
    view = view_of("nat-gateway")
    world = compile_view(view)
    out = trace_view(world, "tag:Name=test1", "8.8.8.8", port=443)
    assert out.reachable
    assert "nat-07ab4846da51f4612" in [h.component.id for h in out.forward]
    blocked = trace_view(world, "tag:Name=test20", "8.8.8.8", port=443)
    assert not blocked.reachable
    assert [e.code for e in blocked.explanations] == ["NO_ROUTE_TO_DESTINATION"]
    assert not trace_view(world, "internet", "tag:Name=test1", port=22).reachable
    exposed = internet_exposure(world.home)
    assert {f.owner_id for f in exposed} == {"i-0b31b509174d7f5de"}
    assert {f.protocol for f in exposed} == {"tcp", "icmp"}


def test_pcx_9_peering_export_matrix_is_not_transitive(capsys: Any) -> None:
    """vpc-peering: A peers with B and with C (B and C share 192.168.0.0/16); every SG opens
    tcp 22. A <-> B and A <-> C carry ssh; B -> C gets nothing (peering is not transitive, and
    neither B nor C routes to the other)."""
    assert main(["matrix", "--state", fixture("vpc-peering"), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    a, b, c = "i-06ba034d88c84ef07", "i-0b14080af811fda3d", "i-04a292ff83b3aa833"
    opened = {(s, d): row["open"] for row in rows for s in row["from"] for d in row["to"]}
    assert opened[(a, b)] == opened[(a, c)] == opened[(b, a)] == opened[(c, a)] == "tcp 22"
    assert opened[(b, c)] == opened[(c, b)] == "none"


def test_check_on_an_export_directory_passes_and_fails_with_exit_codes(
    tmp_path: Path, capsys: Any
) -> None:
    """check --state DIR: true assertions exit 0, a false one exits 1 naming the reason."""
    good = tmp_path / "good.yaml"
    good.write_text(
        "- {from: i-06ba034d88c84ef07, to: i-0b14080af811fda3d, port: 22, expect: reachable}\n"
        "- {from: i-0b14080af811fda3d, to: i-04a292ff83b3aa833, port: 22, expect: blocked}\n"
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {from: internet, to: i-06ba034d88c84ef07, port: 22, expect: reachable}\n")
    assert main(["check", str(good), "--state", fixture("vpc-peering")]) == 0
    assert main(["check", str(bad), "--state", fixture("vpc-peering")]) == 1
    assert "FAIL" in capsys.readouterr().out


def test_pcx_8_cross_account_trace_crosses_the_peering_and_names_the_missing_acl(
    capsys: Any,
) -> None:
    """vpc-peering-multi-account: bat-web01 -> fish-web01 (10.2.1.252) routes over the active
    cross-account peering; the export has no NetworkAcls.json, so the subnets have no ACL and
    the verdict is blocked by the ACL (the report warns about exactly this)."""
    base = ["trace", "i-07ae69cc808e8804e", "10.2.1.252", "--port", "22", "--json"]
    where = ["--state", fixture("vpc-peering-multi-account"), "--account", "123456789012"]
    assert main([*base, *where]) == 1
    data = json.loads(capsys.readouterr().out)
    hops = [h["component"]["id"] for h in data["forward"]]
    assert "pcx-0040f7640e10191f4" in hops
    assert "SUBNET_ACL_RESTRICTION" in [e["code"] for e in data["explanations"]]
    assert main(["trace", "i-07ae69cc808e8804e", "10.2.1.252", "--state", where[1]]) == 2


# -- 3. export and round trip -------------------------------------------------------------------
def build_network(network: Network) -> dict[str, str]:
    """A network with most of what an export carries: public and private subnets, IGW, NAT
    gateway on an EIP, an EIP on an instance, a custom NACL, SGs referring to each other and a
    prefix list, a peering; returns the ids a test needs."""
    ec2 = network.client()
    vpc = w.vpc(ec2)
    other = w.vpc(ec2, "10.8.0.0/16")
    public = w.subnet(ec2, vpc, "10.0.1.0/24")
    private = w.subnet(ec2, vpc, "10.0.2.0/24")
    far = w.subnet(ec2, other, "10.8.1.0/24")
    igw = w.internet_gateway(ec2, vpc)
    ec2.create_route(
        RouteTableId=w.table_of(ec2, public), DestinationCidrBlock="0.0.0.0/0", GatewayId=igw
    )
    nat_eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=nat_eip)["NatGateway"][
        "NatGatewayId"
    ]
    private_table = w.table_of(ec2, private)
    ec2.create_route(RouteTableId=private_table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    pcx = ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=other)["VpcPeeringConnection"][
        "VpcPeeringConnectionId"
    ]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    ec2.create_route(
        RouteTableId=private_table, DestinationCidrBlock="10.8.0.0/16", VpcPeeringConnectionId=pcx
    )
    ec2.create_route(
        RouteTableId=w.table_of(ec2, far),
        DestinationCidrBlock="10.0.0.0/16",
        VpcPeeringConnectionId=pcx,
    )
    web_sg = w.open_group(ec2, vpc, "web", (443,))
    app_sg = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
    plist = ec2.create_managed_prefix_list(
        PrefixListName="office",
        AddressFamily="IPv4",
        MaxEntries=5,
        Entries=[{"Cidr": "10.0.1.0/24"}],
    )["PrefixList"]["PrefixListId"]
    ec2.authorize_security_group_ingress(
        GroupId=app_sg,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 8080,
                "ToPort": 8080,
                "UserIdGroupPairs": [{"GroupId": web_sg}],
            },
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "PrefixListIds": [{"PrefixListId": plist}],
            },
        ],
    )
    far_sg = w.open_group(ec2, other, "far", (5432,))
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    for number, protocol, action, egress in (
        (100, "-1", "allow", False),
        (100, "-1", "allow", True),
        (50, "6", "deny", False),
    ):
        ec2.create_network_acl_entry(
            NetworkAclId=acl,
            RuleNumber=number,
            Protocol=protocol,
            RuleAction=action,
            Egress=egress,
            CidrBlock="0.0.0.0/0",
            PortRange={"From": 23, "To": 23},  # read for tcp only (NACL-7)
        )
    assoc = ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [private]}]
    )["NetworkAcls"][0]["Associations"]
    (mine,) = [a for a in assoc if a["SubnetId"] == private]
    ec2.replace_network_acl_association(
        AssociationId=mine["NetworkAclAssociationId"], NetworkAclId=acl
    )
    web = w.instance(ec2, public, web_sg, public=True, Name="web")
    app = w.instance(ec2, private, app_sg, Name="app")
    db = w.instance(ec2, far, far_sg, Name="db")
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=eip, InstanceId=web)
    ec2.create_tags(Resources=[vpc, public], Tags=[{"Key": "env", "Value": "prod"}])
    return {"web": web, "app": app, "db": db, "web_sg": web_sg}


def _files(root: Path) -> dict[str, str]:
    """Every file under a directory, by relative path, with its text."""
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*.json"))}


def _answers(view: Any, ids: dict[str, str]) -> Any:
    """Exposure and a few traces, in a form that can be compared across states."""
    world = compile_view(view)
    exposure = sorted(
        (f.owner_id, f.protocol, f.destination_ports.describe())
        for f in internet_exposure(world.home)
    )
    flows = [
        ("internet", ids["web"], 443),
        ("internet", ids["web"], 22),
        (ids["web"], ids["app"], 8080),
        (ids["web"], ids["app"], 22),  # only the prefix-list rule admits it
        (ids["app"], ids["db"], 5432),
        (ids["app"], "8.8.8.8", 443),
        (ids["db"], ids["web"], 443),
    ]
    traces = [trace_view(world, s, d, port=p).verdict for s, d, p in flows]
    return exposure, traces


def test_export_import_export_round_trip_is_identical_and_answers_agree(
    tmp_path: Path, capsys: Any
) -> None:
    """Built through boto3, exported, imported into a fresh state, exported again: the same
    files; exposure and traces answer the same on the original and on the import."""
    network = Network(Store(tmp_path / "orig.db", clock=Clock(settle_seconds=0.0)))
    ids = build_network(network)
    network.store.close()
    assert (
        main(
            [
                "export",
                str(tmp_path / "one"),
                "--state",
                str(tmp_path / "orig.db"),
                "--settle-seconds",
                "0",
            ]
        )
        == 0
    )
    folder = tmp_path / "one" / "accounts" / "123456789012" / "us-east-1"
    assert (folder / "Vpcs.json").is_file() and (folder / "Reservations.json").is_file()
    assert main(["import", str(tmp_path / "one"), "--state", str(tmp_path / "copy.db")]) == 0
    assert (
        main(
            [
                "export",
                str(tmp_path / "two"),
                "--state",
                str(tmp_path / "copy.db"),
                "--settle-seconds",
                "0",
            ]
        )
        == 0
    )
    one, two = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert one.keys() == two.keys()
    for name in one:
        assert one[name] == two[name], name
    capsys.readouterr()
    original = Network.open(tmp_path / "orig.db", settle_seconds=0.0).store.view(
        "123456789012", "us-east-1"
    )
    imported = Network.open(tmp_path / "copy.db", settle_seconds=0.0).store.view(
        "123456789012", "us-east-1"
    )
    before, after = _answers(original, ids), _answers(imported, ids)
    assert before == after
    partial = "reachable only for source ports 0-22, 24-65535"  # NACL rule 50 denies tcp 23 in
    assert before == (
        [(ids["web"], "tcp", "443")],
        ["reachable", "not reachable", "reachable", "reachable", partial, partial, "not reachable"],
    )
    rules = {r.id for g in original.all(SecurityGroup) for r in g.rules}
    assert {r.id for g in imported.all(SecurityGroup) for r in g.rules} == rules
    from_dir = (
        read_snapshot(tmp_path / "one")
        .world(Clock(settle_seconds=0.0))
        .view("123456789012", "us-east-1")
    )
    assert _answers(from_dir, ids) == before


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A running in-memory vpclab server on loopback."""
    with running_server("--in-memory", "--settle-seconds", "0") as endpoint:
        yield endpoint


def test_export_and_import_through_a_running_server(server: str, tmp_path: Path) -> None:
    """export --endpoint writes what the server holds; import --endpoint swaps it back in; a
    malformed payload is refused with 400 and changes nothing."""
    account = "111111111111"  # the module's server is shared: each test has its own account
    ec2 = ec2_client(server, key=account)
    vpc = w.vpc(ec2)
    w.subnet(ec2, vpc, "10.0.1.0/24")
    out = tmp_path / "exp"
    assert (
        main(
            [
                "export",
                str(out),
                "--endpoint",
                server,
                "--account",
                account,
                "--region",
                "us-east-1",
            ]
        )
        == 0
    )
    vpcs = json.loads((out / "accounts" / account / "us-east-1" / "Vpcs.json").read_text())["Vpcs"]
    assert vpc in [v["VpcId"] for v in vpcs]
    ec2.delete_subnet(
        SubnetId=ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"][0][
            "SubnetId"
        ]
    )
    assert main(["import", str(out), "--endpoint", server]) == 0
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
    assert [s["CidrBlock"] for s in subnets] == ["10.0.1.0/24"]
    request = urllib.request.Request(
        f"{server}/_vpclab/api/snapshot", data=b'{"partitions": [{"account": 1}]}', method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400
    refused.value.close()
    assert [v["VpcId"] for v in ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"]] == [vpc]


# -- 4. diff ------------------------------------------------------------------------------------
def _open_ssh_to_the_world(ec2: Any, group: str) -> str:
    """The change under review: tcp 22 from 0.0.0.0/0; the new rule's group/rule id."""
    out = ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    return f"{group}/{out['SecurityGroupRules'][0]['SecurityGroupRuleId']}"


def test_sg_3_diff_between_two_exports_shows_ssh_opened_to_the_world(
    tmp_path: Path, capsys: Any
) -> None:
    """Export, open 22 to the world, export again: diff names internet -> web on tcp 22."""
    network = Network(settle_seconds=0.0)
    ids = build_network(network)
    key = [("123456789012", "us-east-1")]
    export_partitions(network.store, key, tmp_path / "before")
    rule = _open_ssh_to_the_world(network.client(), ids["web_sg"])
    export_partitions(network.store, key, tmp_path / "after")
    assert main(["diff", str(tmp_path / "before"), str(tmp_path / "after"), "--json"]) == 1
    changes = json.loads(capsys.readouterr().out)
    from_internet = [c for c in changes if c["source"] == "internet"]
    assert [(c["change"], c["destination"], c["protocol"]) for c in from_internet] == [
        ("opened", ids["web"], "tcp")
    ]
    assert from_internet[0]["ports"] in ([[22, 22]], {"spans": [[22, 22]]})
    assert from_internet[0]["rules"] == [rule]  # the real rule id survives the export
    assert main(["diff", str(tmp_path / "before"), str(tmp_path / "before")]) == 0


def test_sg_3_diff_between_an_export_and_a_running_server(
    server: str, tmp_path: Path, capsys: Any
) -> None:
    """An export taken before opening ssh, against the live server after: the change shows."""
    account = "222222222222"
    ec2 = ec2_client(server, key=account)
    vpc = w.vpc(ec2)
    sub = w.subnet(ec2, vpc, "10.0.1.0/24")
    igw = w.internet_gateway(ec2, vpc)
    ec2.create_route(
        RouteTableId=w.table_of(ec2, sub), DestinationCidrBlock="0.0.0.0/0", GatewayId=igw
    )
    group = w.open_group(ec2, vpc, "web", (443,))
    web = w.instance(ec2, sub, group, public=True)
    where = ["--account", account, "--region", "us-east-1"]
    assert main(["export", str(tmp_path / "before"), "--endpoint", server, *where]) == 0
    assert main(["diff", str(tmp_path / "before"), server, *where]) == 0
    rule = _open_ssh_to_the_world(ec2, group)
    capsys.readouterr()
    assert main(["diff", str(tmp_path / "before"), server, *where, "--json"]) == 1
    changes = json.loads(capsys.readouterr().out)
    assert [(c["source"], c["destination"], c["rules"]) for c in changes] == [
        ("internet", web, [rule])
    ]
