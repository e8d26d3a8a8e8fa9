"""Account snapshots in: `aws ec2 describe-*` JSON exports read into partitions, as exported.

The layout is the one users export from real accounts and Batfish reads:
`[aws_configs/][accounts/<account>/][<region>/]<Describe>.json`, each file holding what one
describe call printed (`Vpcs.json` = `{"Vpcs": [...]}`). An import reproduces the account: ids,
flags (main route table, default NACL) and states stay as exported, and nothing AWS would have
created on its own (a default VPC, a VPC's companions) is invented. Unknown fields are ignored,
files and resource kinds vpclab does not model are skipped, and everything skipped is reported.

A partition's account is the `OwnerId` its resources carry (that is what peering sides and
security-group references name), else the account folder's name, else the caller's choice.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from vpclab.control import instances as instance_options
from vpclab.control import network_acls as nacl_rules
from vpclab.control import security_groups as sg_rules
from vpclab.control.store import Store
from vpclab.model.account import SETTINGS_ID, PartitionSettings
from vpclab.model.base import KINDS, Resource, Tags, evolve
from vpclab.model.errors import DomainError
from vpclab.model.gateways import Address, EgressOnlyInternetGateway, InternetGateway, NatGateway
from vpclab.model.interface import (
    NAT_INTERFACE_TYPES,
    EniAttachment,
    Instance,
    NetworkInterface,
    PrivateIp,
)
from vpclab.model.network_acl import NaclAssociation, NaclEntry, NetworkAcl
from vpclab.model.peering import PeeringSide, VpcPeeringConnection
from vpclab.model.regions import DEFAULT_ACCOUNT
from vpclab.model.route_state import route_state
from vpclab.model.route_table import (
    Route,
    RouteTable,
    RouteTableAssociation,
    RouteTarget,
    gateway_kind,
)
from vpclab.model.security_group import PrefixList, PrefixListEntry, SecurityGroup, SgRule
from vpclab.model.state import Clock, Tables, World
from vpclab.model.vpc import CidrAssociation, Subnet, Vpc

Key = tuple[str, str]

# The describe files vpclab reads, in the order references need them, with their list key.
FILES: dict[str, str] = {
    "Vpcs.json": "Vpcs",
    "Subnets.json": "Subnets",
    "InternetGateways.json": "InternetGateways",
    "EgressOnlyInternetGateways.json": "EgressOnlyInternetGateways",
    "PrefixLists.json": "PrefixLists",
    "ManagedPrefixLists.json": "PrefixLists",
    # `get-managed-prefix-list-entries` of each customer-managed list, by list (vpclab's file).
    "ManagedPrefixListEntries.json": "ManagedPrefixListEntries",
    "SecurityGroups.json": "SecurityGroups",
    "SecurityGroupRules.json": "SecurityGroupRules",
    "NetworkAcls.json": "NetworkAcls",
    "RouteTables.json": "RouteTables",
    "Addresses.json": "Addresses",
    "NetworkInterfaces.json": "NetworkInterfaces",
    "Reservations.json": "Reservations",
    "NatGateways.json": "NatGateways",
    "VpcPeeringConnections.json": "VpcPeeringConnections",
}
# Read only to learn the region of a folder that has no region directory.
ZONES_FILE = "AvailabilityZones.json"
_FILE_OF_KEY: dict[str, tuple[str, ...]] = {}
for _name, _key in [*FILES.items(), (ZONES_FILE, "AvailabilityZones")]:
    _FILE_OF_KEY[_key] = (*_FILE_OF_KEY.get(_key, ()), _name)
_REGION_NAME = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_TRANSITIONAL_INSTANCE = ("pending", "stopping", "shutting-down")
_TERMINAL_PEERING = ("deleted", "rejected", "failed", "expired")
_PENDING_LIFETIME = 7 * 24 * 3600.0  # a peering request expires after a week (PCX-2)
# Route target fields, in the order a route is tested for them (RT-11); a GatewayId is told
# apart by its prefix (local, igw-, vgw-, vpce-). Every target is kept, modelled or not.
_ROUTE_TARGETS = (
    ("EgressOnlyInternetGatewayId", "egress-only"),
    ("NatGatewayId", "nat"),
    ("InstanceId", "instance"),
    ("VpcPeeringConnectionId", "peering"),
    ("TransitGatewayId", "transit"),
    ("CarrierGatewayId", "carrier"),
    ("LocalGatewayId", "local-gateway"),
    ("CoreNetworkArn", "core-network"),
    ("OdbNetworkArn", "odb-network"),
    ("NetworkInterfaceId", "eni"),
    ("GatewayId", "gateway"),
)


class SnapshotError(Exception):
    """The directory cannot be imported at all (missing, not a snapshot, invalid JSON)."""


@dataclass(frozen=True, slots=True)
class Skip:
    """Something the import left out, and why."""

    where: str
    item: str
    reason: str

    def describe(self) -> str:
        """One line for the import report."""
        item = f" {self.item}" if self.item else ""
        return f"{self.where}{item}: {self.reason}"


@dataclass
class ImportReport:
    """What was imported (counts per partition and kind), what was skipped and what differs."""

    imported: dict[Key, Counter[str]] = field(default_factory=dict)
    skipped: list[Skip] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    folders: dict[str, Key] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """The report as printable lines: counts per partition and kind, then skips and notes."""
        out = []
        for (account, region), counts in sorted(self.imported.items()):
            listed = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
            out.append(f"imported {account}/{region}: {listed or 'nothing'}")
        for folder, (account, region) in sorted(self.folders.items()):
            if folder != f"{account}/{region}":
                out.append(f"folder {folder} holds account {account} region {region}")
        if self.skipped:
            reasons = Counter(s.reason.split(":")[0] for s in self.skipped)
            out.append(f"skipped {len(self.skipped)}:")
            out += [f"  {s.describe()}" for s in self.skipped]
            out.append(
                "skipped by reason: " + "; ".join(f"{n} x {r}" for r, n in sorted(reasons.items()))
            )
        out += [f"note: {n}" for n in self.notes]
        return out


@dataclass
class Snapshot:
    """Partitions read from an export, with the report of how they were read."""

    partitions: dict[Key, Tables]
    report: ImportReport

    def world(self, clock: Clock | None = None) -> World:
        """The snapshot as a read-only world, for analysis without any server or state file."""
        return World(self.partitions, clock or Clock())

    def resolve(self, account: str | None, region: str | None) -> Key:
        """The partition an analysis means: given, named by its folder, or the only one there is."""
        by_folder = {k for f, k in self.report.folders.items() if f.split("/")[0] == account}
        keys = sorted(
            k
            for k in self.partitions
            if (account is None or k[0] == account or k in by_folder)
            and (region is None or k[1] == region)
        )
        if len(keys) == 1:
            return keys[0]
        listed = ", ".join(f"{a}/{r}" for a, r in sorted(self.partitions)) or "none"
        if not keys:
            raise SnapshotError(
                f"the export holds no partition {account}/{region} (it has {listed})"
            )
        raise SnapshotError(
            f"the export holds several accounts/regions ({listed}): choose with --account/--region"
        )


@dataclass(frozen=True, slots=True)
class Folder:
    """One directory of describe files, with the account and region its path names (if any)."""

    path: Path
    account: str | None
    region: str | None

    def label(self) -> str:
        """How the report names the folder."""
        return "/".join(p for p in (self.account, self.region) if p) or self.path.name


def snapshot_root(path: str | Path) -> Path:
    """The directory holding the layout: the one given, or its `aws_configs` folder."""
    root = Path(path)
    if not root.is_dir():
        raise SnapshotError(f"{path}: no such directory")
    nested = root / "aws_configs"
    return nested if nested.is_dir() else root


def _has_describe_files(path: Path) -> bool:
    """Whether a directory directly holds describe JSON files."""
    return any(path.glob("*.json"))


def is_snapshot(path: str | Path) -> bool:
    """Whether a path is an export directory (as opposed to a state file or a URL)."""
    try:
        root = snapshot_root(path)
    except SnapshotError:
        return False
    return bool(_folders(root))


def _region_dirs(path: Path) -> list[Path]:
    """Sub-directories named like a region that hold describe files."""
    return sorted(
        d
        for d in path.iterdir()
        if d.is_dir() and _REGION_NAME.match(d.name) and _has_describe_files(d)
    )


def _account_folders(path: Path, account: str | None) -> list[Folder]:
    """The folders of one account directory: one per region directory, or itself."""
    out = [Folder(d, account, d.name) for d in _region_dirs(path)]
    if _has_describe_files(path):
        out.append(Folder(path, account, None))
    return out


def _folders(root: Path) -> list[Folder]:
    """Every folder of describe files under the root, in a stable order."""
    accounts = root / "accounts"
    if accounts.is_dir():
        out = []
        for sub in sorted(d for d in accounts.iterdir() if d.is_dir()):
            out += _account_folders(sub, sub.name)
        return out
    return _account_folders(root, None)


def _read_json(path: Path) -> Any:
    """A file's JSON, or SnapshotError naming the file and the problem."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SnapshotError(f"{path}: not valid JSON ({exc})") from exc


def _documents(folder: Folder) -> tuple[dict[str, Any], dict[str, str]]:
    """Every JSON file of a folder by describe file name, and the files that were renamed.

    All are read before anything is converted. A file named otherwise (`aws ec2
    describe-security-groups > sg.json`) is known by the one list it holds, when that list
    belongs to only one describe file.
    """
    docs = {p.name: _read_json(p) for p in sorted(folder.path.glob("*.json"))}
    renamed = {}
    for name in [n for n in docs if n not in FILES and n != ZONES_FILE]:
        canonical = _canonical_name(docs[name])
        if canonical is not None and canonical not in docs:
            docs[canonical] = docs.pop(name)
            renamed[name] = canonical
    return docs, renamed


def _canonical_name(doc: Any) -> str | None:
    """The describe file a document's list key names unambiguously, if any."""
    if not isinstance(doc, dict):
        return None
    names = [n for key in doc for n in _FILE_OF_KEY.get(key, ())]
    return names[0] if len(names) == 1 else None


def _items(docs: Mapping[str, Any], name: str) -> list[Any]:
    """The list a describe file holds under its key (empty when the file is absent)."""
    doc = docs.get(name)
    if not isinstance(doc, dict):
        return []
    found = doc.get(FILES.get(name, name.removesuffix(".json")))
    return found if isinstance(found, list) else []


def _zone_region(zone: str) -> str:
    """The region of an availability zone name (us-east-2b -> us-east-2)."""
    return zone.rstrip("abcdefghijklmnopqrstuvwxyz") if zone[-1:].isalpha() else zone


def _folder_region(folder: Folder, docs: Mapping[str, Any], region: str | None) -> str:
    """The folder's region: its directory, AvailabilityZones.json, the subnets' zones, or the flag."""
    if folder.region is not None:
        return folder.region
    for zone in _items(docs, ZONES_FILE):
        if isinstance(zone, dict) and zone.get("RegionName"):
            return str(zone["RegionName"])
    for subnet in _items(docs, "Subnets.json"):
        if isinstance(subnet, dict) and subnet.get("AvailabilityZone"):
            return _zone_region(str(subnet["AvailabilityZone"]))
    if region is not None:
        return region
    raise SnapshotError(
        f"{folder.path}: cannot tell the region (no region directory, no AvailabilityZones.json, "
        "no subnet); give it with --region"
    )


def _owner_ids(docs: Mapping[str, Any]) -> Counter[str]:
    """How often each OwnerId appears on the folder's top-level resources."""
    seen: Counter[str] = Counter()
    for name in FILES:
        for item in _items(docs, name):
            if isinstance(item, dict) and isinstance(item.get("OwnerId"), str):
                seen[item["OwnerId"]] += 1
    return seen


def _folder_account(folder: Folder, docs: Mapping[str, Any], account: str | None) -> str:
    """The folder's account: the OwnerId its resources carry, else its folder name, else the flag."""
    owners = _owner_ids(docs)
    if owners:
        return sorted(owners.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return folder.account or account or DEFAULT_ACCOUNT


def read_snapshot(
    path: str | Path, *, account: str | None = None, region: str | None = None
) -> Snapshot:
    """Every partition of an export directory, converted; SnapshotError if it cannot be read."""
    root = snapshot_root(path)
    folders = _folders(root)
    if not folders:
        raise SnapshotError(f"{path}: no describe JSON files (e.g. Vpcs.json) found")
    loaded = [(f, *_documents(f)) for f in folders]  # every file parsed before any conversion
    report = ImportReport()
    partitions: dict[Key, Tables] = {}
    route_states: list[ExportedRouteState] = []
    for folder, docs, renamed in loaded:
        key = (
            _folder_account(folder, docs, account),
            _folder_region(folder, docs, region),
        )
        report.folders[folder.label()] = key
        report.notes += [f"{folder.label()}/{a} read as {b}" for a, b in renamed.items()]
        tables = partitions.setdefault(key, {})
        reader = _PartitionReader(key, tables, report, folder.label())
        reader.read(docs)
        route_states += reader.route_states
    for key, tables in partitions.items():
        tables.setdefault(PartitionSettings.kind, {})[SETTINGS_ID] = PartitionSettings(
            id=SETTINGS_ID, default_vpc_created=True
        )
        counts: Counter[str] = Counter()
        for kind, items in tables.items():
            if kind != PartitionSettings.kind and items:
                counts[kind] = len(items)
        report.imported[key] = counts
    _note_route_states(partitions, route_states, report)
    return Snapshot(partitions, report)


def _note_route_states(
    partitions: dict[Key, Tables], exported: list[ExportedRouteState], report: ImportReport
) -> None:
    """Note routes whose exported State differs from what vpclab derives (e.g. unmodelled VGWs)."""
    world = World(partitions, Clock(settle_seconds=0.0))
    for marker in exported:
        view = world.view(*marker.key)
        table = view.get(RouteTable, marker.table_id)
        if table is None:
            continue
        route = next((r for r in table.routes if r.key() == marker.destination), None)
        if route is None:
            continue
        derived = route_state(view, route)
        if derived != marker.state:
            report.notes.append(
                f"{'/'.join(marker.key)} {table.id} route {marker.destination} -> "
                f"{route.target.id}: exported {marker.state}, vpclab derives {derived}"
            )


@dataclass(frozen=True, slots=True)
class ExportedRouteState:
    """A route's State as exported, compared with vpclab's own judgement after the import."""

    key: Key
    table_id: str
    destination: str
    state: str


def _tags(item: Mapping[str, Any], key: str = "Tags") -> Tags:
    """Tags of a describe item (Tags, or TagSet on ENIs), in their exported order."""
    raw = item.get(key) or item.get("TagSet") or []
    return tuple((str(t["Key"]), str(t.get("Value", ""))) for t in raw if "Key" in t)


def _associations(raw: list[dict[str, Any]] | None, family: str) -> tuple[CidrAssociation, ...]:
    """CIDR associations in every exported state; family "" reads CidrBlock, "Ipv6" Ipv6CidrBlock."""
    return tuple(
        CidrAssociation(
            association_id=a["AssociationId"],
            cidr=a[f"{family}CidrBlock"],
            state=(a.get(f"{family}CidrBlockState") or {}).get("State", "associated"),
        )
        for a in raw or []
    )


def _epoch(value: Any) -> float:
    """A describe timestamp ("2019-08-06 23:40:11+00:00", ISO 8601, or epoch) as epoch seconds."""
    if value is None or value == "":
        return 0.0
    if isinstance(value, int | float):
        return float(value)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


class _Tracked(dict[str, Any]):
    """A describe item that remembers which of its top-level fields a converter looked at."""

    def __init__(self, item: Mapping[str, Any]) -> None:
        """A copy of the item, with nothing read yet."""
        super().__init__(item)
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        """The field, noted as read."""
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        """The field or a default, noted as read."""
        self.read.add(key)
        return super().get(key, default)


class _PartitionReader:
    """Converts one folder's describe items into resources of one partition."""

    def __init__(self, key: Key, tables: Tables, report: ImportReport, label: str) -> None:
        """A reader filling `tables` (partition `key`), reporting under the folder's `label`."""
        self.account, self.region = key
        self.tables = tables
        self.report = report
        self.label = label
        self.enis_seen: set[str] = set()
        self.public_dns_enis: set[str] = set()
        self.route_states: list[ExportedRouteState] = []
        self.eip_addresses: set[str] = set()  # public IPs that are Elastic IPs, not auto-assigned
        self.unread: dict[str, set[str]] = {}  # top-level fields no converter looked at, by file

    # -- bookkeeping ---------------------------------------------------------------------------
    def put(self, obj: Resource) -> None:
        """Store a resource (a repeated id replaces the earlier one: the later file wins)."""
        self.tables.setdefault(obj.kind, {})[obj.id] = obj
        if isinstance(obj, Address):
            self.eip_addresses.add(obj.public_ip)

    def get(self, cls: type[Resource], resource_id: str) -> Resource | None:
        """A resource already read into this partition."""
        return self.tables.get(cls.kind, {}).get(resource_id)

    def skip(self, file: str, item: str, reason: str) -> None:
        """Record something left out."""
        self.report.skipped.append(Skip(f"{self.label}/{file}", item, reason))

    def read(self, docs: Mapping[str, Any]) -> None:
        """Convert every in-scope file in dependency order; report the others."""
        readers: dict[str, Callable[[dict[str, Any]], None]] = {
            "Vpcs.json": self.vpc,
            "Subnets.json": self.subnet,
            "InternetGateways.json": self.internet_gateway,
            "EgressOnlyInternetGateways.json": self.egress_only_gateway,
            "PrefixLists.json": self.prefix_list,
            "ManagedPrefixLists.json": self.managed_prefix_list,
            "ManagedPrefixListEntries.json": self.prefix_list_entries,
            "SecurityGroups.json": self.security_group,
            "SecurityGroupRules.json": self.security_group_rule,
            "NetworkAcls.json": self.network_acl,
            "RouteTables.json": self.route_table,
            "Addresses.json": self.address,
            "NetworkInterfaces.json": self.network_interface,
            "Reservations.json": self.reservation,
            "NatGateways.json": self.nat_gateway,
            "VpcPeeringConnections.json": self.peering,
        }
        for name in sorted(set(docs) - set(readers) - {ZONES_FILE}):
            self.skip(name, f"({len(_items(docs, name))} items)", "not modelled by vpclab")
        for name, reader in readers.items():
            if name not in docs:
                continue
            if not isinstance(docs[name], dict) or FILES[name] not in docs[name]:
                self.skip(name, "", f"has no {FILES[name]} list")
                continue
            for item in _items(docs, name):
                self._convert(name, item, reader)
        for name, fields in self.unread.items():
            if fields:
                listed = ", ".join(sorted(fields))
                self.skip(name, "fields", f"not modelled by vpclab or derived by it: {listed}")
        self._infer_dns_hostnames()
        if "NetworkAcls.json" not in docs and self.tables.get(Subnet.kind):
            self.report.notes.append(
                f"{self.label} has no NetworkAcls.json: its subnets have no network ACL here, so "
                "analysis finds their traffic denied (AWS always has one; export it too)"
            )

    def _convert(self, name: str, item: Any, reader: Callable[[dict[str, Any]], None]) -> None:
        """Run one item's converter; a malformed item is skipped and reported, never half-read."""
        if not isinstance(item, dict):
            self.skip(name, "", "an item that is not a JSON object")
            return
        tracked = _Tracked(item)
        try:
            reader(tracked)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            self.skip(name, _item_id(item), f"malformed ({type(exc).__name__}: {exc})")
        except DomainError as exc:
            self.skip(name, _item_id(item), f"{exc.code}: {exc.message}")
        self.unread.setdefault(name, set()).update(set(item) - tracked.read)

    # -- VPCs and subnets ----------------------------------------------------------------------
    def vpc(self, item: dict[str, Any]) -> None:
        """A Vpc, with its CIDR associations in every state (disassociated ones too)."""
        self.put(
            Vpc(
                id=item["VpcId"],
                tags=_tags(item),
                cidr_block=item["CidrBlock"],
                cidr_associations=_associations(
                    item.get("CidrBlockAssociationSet")
                    or [{"AssociationId": "", "CidrBlock": item["CidrBlock"]}],
                    "",
                ),
                ipv6_associations=_associations(item.get("Ipv6CidrBlockAssociationSet"), "Ipv6"),
                instance_tenancy=item.get("InstanceTenancy", "default"),
                is_default=bool(item.get("IsDefault", False)),
                dhcp_options_id=item.get("DhcpOptionsId", "dopt-default"),
                enable_dns_hostnames=bool(item.get("IsDefault", False)),
            )
        )

    def subnet(self, item: dict[str, Any]) -> None:
        """A Subnet with its zone, launch options and IPv6 blocks."""
        dns = item.get("PrivateDnsNameOptionsOnLaunch") or {}
        self.put(
            Subnet(
                id=item["SubnetId"],
                tags=_tags(item),
                vpc_id=item["VpcId"],
                cidr_block=item["CidrBlock"],
                availability_zone=item["AvailabilityZone"],
                availability_zone_id=item.get("AvailabilityZoneId", ""),
                map_public_ip_on_launch=bool(item.get("MapPublicIpOnLaunch", False)),
                default_for_az=bool(item.get("DefaultForAz", False)),
                assign_ipv6_address_on_creation=bool(
                    item.get("AssignIpv6AddressOnCreation", False)
                ),
                ipv6_associations=_associations(item.get("Ipv6CidrBlockAssociationSet"), "Ipv6"),
                enable_dns64=bool(item.get("EnableDns64", False)),
                map_customer_owned_ip_on_launch=bool(item.get("MapCustomerOwnedIpOnLaunch", False)),
                private_dns_hostname_type=dns.get("HostnameType", "ip-name"),
                enable_resource_name_dns_a_record=bool(
                    dns.get("EnableResourceNameDnsARecord", False)
                ),
                enable_resource_name_dns_aaaa_record=bool(
                    dns.get("EnableResourceNameDnsAAAARecord", False)
                ),
            )
        )

    # -- gateways and addresses ----------------------------------------------------------------
    def internet_gateway(self, item: dict[str, Any]) -> None:
        """An InternetGateway, attached to the VPC its attachment names."""
        attached = [
            a["VpcId"]
            for a in item.get("Attachments") or []
            if a.get("State", "available") in ("available", "attached", "attaching")
        ]
        self.put(
            InternetGateway(
                id=item["InternetGatewayId"],
                tags=_tags(item),
                vpc_id=attached[0] if attached else None,
            )
        )

    def egress_only_gateway(self, item: dict[str, Any]) -> None:
        """An EgressOnlyInternetGateway of its one VPC."""
        self.put(
            EgressOnlyInternetGateway(
                id=item["EgressOnlyInternetGatewayId"],
                tags=_tags(item),
                vpc_id=item["Attachments"][0]["VpcId"],
            )
        )

    def prefix_list(self, item: dict[str, Any]) -> None:
        """An AWS service prefix list as DescribePrefixLists shows it (id, name, CIDRs)."""
        self.put(
            PrefixList(
                id=item["PrefixListId"],
                name=item["PrefixListName"],
                entries=tuple(PrefixListEntry(cidr=c) for c in item.get("Cidrs") or []),
                aws_managed=True,
            )
        )

    def managed_prefix_list(self, item: dict[str, Any]) -> None:
        """A managed prefix list; an AWS-owned one keeps the CIDRs PrefixLists.json gave it."""
        aws_managed = item.get("OwnerId") == "AWS"
        known = self.get(PrefixList, item["PrefixListId"])
        self.put(
            PrefixList(
                id=item["PrefixListId"],
                tags=_tags(item),
                name=item["PrefixListName"],
                address_family=item.get("AddressFamily", "IPv4"),
                max_entries=item.get("MaxEntries"),
                version=int(item.get("Version", 1)),
                entries=known.entries if isinstance(known, PrefixList) else (),
                aws_managed=aws_managed,
            )
        )

    def prefix_list_entries(self, item: dict[str, Any]) -> None:
        """The entries of one customer-managed list, as get-managed-prefix-list-entries gave them."""
        plist = self.get(PrefixList, item["PrefixListId"])
        if not isinstance(plist, PrefixList):
            self.skip("ManagedPrefixListEntries.json", item["PrefixListId"], "list not exported")
            return
        entries = tuple(
            PrefixListEntry(cidr=e["Cidr"], description=e.get("Description"))
            for e in item.get("Entries") or []
        )
        self.put(evolve(plist, entries=entries))

    def address(self, item: dict[str, Any]) -> None:
        """An Elastic IP (VPC domain) and its association, if any."""
        if not item.get("AllocationId"):
            self.skip("Addresses.json", item.get("PublicIp", ""), "EC2-Classic address")
            return
        self.put(
            Address(
                id=item["AllocationId"],
                tags=_tags(item),
                public_ip=item["PublicIp"],
                association_id=item.get("AssociationId"),
                network_interface_id=item.get("NetworkInterfaceId"),
                private_ip=item.get("PrivateIpAddress"),
                network_border_group=item.get("NetworkBorderGroup", ""),
                public_ipv4_pool=item.get("PublicIpv4Pool", "amazon"),
            )
        )

    def nat_gateway(self, item: dict[str, Any]) -> None:
        """A NatGateway; its exported state is reproduced through the times it derives from."""
        state = item.get("State", "available")
        address = (item.get("NatGatewayAddresses") or [{}])[0]
        subnet = self.get(Subnet, item["SubnetId"])
        created = _epoch(item.get("CreateTime"))
        deleted = _epoch(item["DeleteTime"]) if item.get("DeleteTime") else None
        if state in ("deleting", "deleted") and deleted is None:
            deleted = created
        failure = item.get("FailureCode") or ("Gateway.NotAvailable" if state == "failed" else None)
        self.put(
            NatGateway(
                id=item["NatGatewayId"],
                tags=_tags(item),
                subnet_id=item["SubnetId"],
                vpc_id=item["VpcId"],
                connectivity_type=item.get("ConnectivityType", "public"),
                availability_zone=subnet.availability_zone if isinstance(subnet, Subnet) else "",
                allocation_id=address.get("AllocationId"),
                public_ip=address.get("PublicIp"),
                association_id=address.get("AssociationId"),
                network_interface_id=address.get("NetworkInterfaceId"),
                private_ip=address.get("PrivateIp"),
                created_at=created,
                deleted_at=deleted,
                failure_code=failure,
                failure_message=item.get("FailureMessage"),
            )
        )
        if state in ("pending", "deleting"):
            self.report.notes.append(
                f"{self.label} NAT gateway {item['NatGatewayId']} was exported {state}; "
                "vpclab lets it settle after its settle delay"
            )

    # -- security groups, ACLs, route tables ---------------------------------------------------
    def security_group(self, item: dict[str, Any]) -> None:
        """A SecurityGroup; each IpPermission peer becomes one rule with a stable id."""
        group_id = item["GroupId"]
        rules: list[SgRule] = []
        for egress, key in ((False, "IpPermissions"), (True, "IpPermissionsEgress")):
            for perm in item.get(key) or []:
                rules += self._permission_rules(group_id, item.get("VpcId", ""), egress, perm)
        self.put(
            SecurityGroup(
                id=group_id,
                tags=_tags(item),
                name=item["GroupName"],
                description=item.get("Description", ""),
                vpc_id=item["VpcId"],
                rules=tuple(rules),
            )
        )

    def _permission_rules(
        self, group_id: str, vpc_id: str, egress: bool, perm: Mapping[str, Any]
    ) -> list[SgRule]:
        """The rules of one IpPermission, one per peer (SG-12), ports as SG-11 reads them."""
        protocol = sg_rules.normalise_protocol(str(perm["IpProtocol"]))
        ports = sg_rules.parse_ports(protocol, perm.get("FromPort"), perm.get("ToPort"))
        head: dict[str, Any] = {"egress": egress, "protocol": protocol}
        head_ports: dict[str, Any] = {"from_port": ports.from_port, "to_port": ports.to_port}
        peers: list[dict[str, Any]] = []
        for r in perm.get("IpRanges") or []:
            peers.append({"cidr_ipv4": r["CidrIp"], "description": r.get("Description")})
        for r in perm.get("Ipv6Ranges") or []:
            peers.append({"cidr_ipv6": r["CidrIpv6"], "description": r.get("Description")})
        for r in perm.get("PrefixListIds") or []:
            peers.append({"prefix_list_id": r["PrefixListId"], "description": r.get("Description")})
        for pair in perm.get("UserIdGroupPairs") or []:
            owner = pair.get("UserId") or self.account
            peers.append(
                {
                    "group_id": pair["GroupId"],
                    "group_owner": owner,
                    "group_vpc_id": pair.get("VpcId") or vpc_id,
                    "peering_id": pair.get("VpcPeeringConnectionId"),
                    "description": pair.get("Description"),
                }
            )
        out = []
        for peer in peers:
            identity = json.dumps([group_id, head, head_ports, peer], sort_keys=True)
            rule_id = "sgr-0" + hashlib.sha256(identity.encode()).hexdigest()[:16]
            out.append(SgRule(id=rule_id, **head, **head_ports, **peer))
        return out

    def security_group_rule(self, item: dict[str, Any]) -> None:
        """A rule's real id and tags (describe-security-group-rules) onto the rule read before."""
        group = self.get(SecurityGroup, item["GroupId"])
        if not isinstance(group, SecurityGroup):
            self.skip("SecurityGroupRules.json", item["SecurityGroupRuleId"], "group not exported")
            return
        protocol = sg_rules.normalise_protocol(str(item["IpProtocol"]))
        ports = sg_rules.parse_ports(protocol, item.get("FromPort"), item.get("ToPort"))
        referenced = (item.get("ReferencedGroupInfo") or {}).get("GroupId")
        identity = (
            bool(item["IsEgress"]),
            protocol,
            ports.from_port,
            ports.to_port,
            item.get("CidrIpv4"),
            item.get("CidrIpv6"),
            item.get("PrefixListId"),
            referenced,
        )
        rules = list(group.rules)
        for index, rule in enumerate(rules):
            if rule.identity() == identity:
                rules[index] = replace(rule, id=item["SecurityGroupRuleId"], tags=_tags(item))
                self.put(evolve(group, rules=tuple(rules)))
                return
        self.skip("SecurityGroupRules.json", item["SecurityGroupRuleId"], "not in its group")

    def network_acl(self, item: dict[str, Any]) -> None:
        """A NetworkAcl with every entry as exported (the * rules too) and its associations."""
        entries = []
        for raw in item.get("Entries") or []:
            ports = raw.get("PortRange") or {}
            icmp = raw.get("IcmpTypeCode") or {}
            entries.append(
                NaclEntry(
                    rule_number=int(raw["RuleNumber"]),
                    egress=bool(raw["Egress"]),
                    protocol=nacl_rules.normalise_protocol(str(raw["Protocol"])),
                    action=str(raw["RuleAction"]).lower(),
                    cidr=raw.get("CidrBlock"),
                    ipv6_cidr=raw.get("Ipv6CidrBlock"),
                    port_from=ports.get("From"),
                    port_to=ports.get("To"),
                    icmp_type=icmp.get("Type"),
                    icmp_code=icmp.get("Code"),
                )
            )
        self.put(
            NetworkAcl(
                id=item["NetworkAclId"],
                tags=_tags(item),
                vpc_id=item["VpcId"],
                is_default=bool(item.get("IsDefault", False)),
                entries=tuple(entries),
                associations=tuple(
                    NaclAssociation(id=a["NetworkAclAssociationId"], subnet_id=a["SubnetId"])
                    for a in item.get("Associations") or []
                ),
            )
        )

    def route_table(self, item: dict[str, Any]) -> None:
        """A RouteTable with its routes and associations (Main kept as exported, RT-15)."""
        table_id, vpc_id = item["RouteTableId"], item["VpcId"]
        routes = []
        for raw in item.get("Routes") or []:
            route = self._route(table_id, vpc_id, raw)
            if route is not None:
                routes.append(route)
        associations = tuple(
            RouteTableAssociation(
                id=a["RouteTableAssociationId"],
                subnet_id=a.get("SubnetId"),
                gateway_id=a.get("GatewayId"),
                main=bool(a.get("Main", False)),
            )
            for a in item.get("Associations") or []
            if (a.get("AssociationState") or {}).get("State", "associated") == "associated"
        )
        self.put(
            RouteTable(
                id=table_id,
                tags=_tags(item),
                vpc_id=vpc_id,
                routes=tuple(routes),
                associations=associations,
                propagating_vgws=tuple(g["GatewayId"] for g in item.get("PropagatingVgws") or []),
            )
        )

    def _route(self, table_id: str, vpc_id: str, raw: Mapping[str, Any]) -> Route | None:
        """One route with its target folded into RouteTarget, whatever the target; a target
        vpclab does not model keeps its exported State (RT-12) and is noted in the report."""
        destination = (
            raw.get("DestinationCidrBlock")
            or raw.get("DestinationIpv6CidrBlock")
            or raw.get("DestinationPrefixListId")
        )
        target = next(((kind, raw[k]) for k, kind in _ROUTE_TARGETS if raw.get(k)), None)
        if target is None or destination is None:
            self.skip(
                "RouteTables.json", f"{table_id} route {destination}", "no target or destination"
            )
            return None
        kind, target_id = target
        if kind == "gateway":
            kind = gateway_kind(target_id)
        state = str(raw.get("State", "active"))
        self.route_states.append(
            ExportedRouteState((self.account, self.region), table_id, str(destination), state)
        )
        route = Route(
            destination=raw.get("DestinationCidrBlock"),
            destination_ipv6=raw.get("DestinationIpv6CidrBlock"),
            destination_prefix_list=raw.get("DestinationPrefixListId"),
            target=RouteTarget(kind=kind, id=target_id),
            origin=raw.get("Origin", "CreateRoute"),
            target_eni=raw.get("NetworkInterfaceId") if kind == "instance" else None,
            vpc_id=vpc_id,
        )
        if route.leaves_model:
            route = replace(route, exported_state=state)
            self.report.notes.append(
                f"{self.label} {table_id} route {destination} -> {target_id} ({state}) leaves the "
                "modelled network: analysis stops there (not analysed beyond it)"
            )
        return route

    # -- interfaces and instances --------------------------------------------------------------
    def network_interface(self, item: dict[str, Any], zone: str | None = None) -> None:
        """An ENI with its private addresses, auto-assigned public IP and attachment (ENI-3)."""
        eni_id = item["NetworkInterfaceId"]
        private_ips = tuple(
            PrivateIp(address=p["PrivateIpAddress"], primary=bool(p.get("Primary", False)))
            for p in item.get("PrivateIpAddresses") or []
        ) or (PrivateIp(address=item["PrivateIpAddress"], primary=True),)
        public_ip = None
        for raw in item.get("PrivateIpAddresses") or [item]:
            public_ip = public_ip or self._public_side(eni_id, raw)
        attachment = item.get("Attachment")
        service_attachment = None
        if attachment and not attachment.get("InstanceId") and "InstanceOwnerId" in attachment:
            owner = attachment["InstanceOwnerId"]
            if owner == "amazon-aws" and item.get("InterfaceType") in NAT_INTERFACE_TYPES:
                service_attachment = attachment.get("AttachmentId")
            else:
                self.skip("NetworkInterfaces.json", eni_id, f"attachment to {owner} not modelled")
        if item.get("Ipv6Addresses"):
            self.skip("NetworkInterfaces.json", eni_id, "IPv6 addresses not modelled (IPv4 kept)")
        self.enis_seen.add(eni_id)
        self.put(
            NetworkInterface(
                id=eni_id,
                tags=_tags(item, "TagSet"),
                subnet_id=item["SubnetId"],
                vpc_id=item["VpcId"],
                availability_zone=item.get("AvailabilityZone") or zone or "",
                private_ips=private_ips,
                groups=tuple(g["GroupId"] for g in item.get("Groups") or []),
                mac_address=item.get("MacAddress", ""),
                description=item.get("Description", ""),
                source_dest_check=bool(item.get("SourceDestCheck", True)),
                interface_type=item.get("InterfaceType", "interface"),
                requester_managed=bool(item.get("RequesterManaged", False)),
                requester_id=item.get("RequesterId"),
                attachment=None
                if not attachment or not attachment.get("InstanceId")
                else EniAttachment(
                    id=attachment["AttachmentId"],
                    instance_id=attachment["InstanceId"],
                    device_index=int(attachment.get("DeviceIndex", 0)),
                    delete_on_termination=bool(attachment.get("DeleteOnTermination", True)),
                    attached_at=_epoch(attachment.get("AttachTime")),
                ),
                public_ip=public_ip,
                service_attachment_id=service_attachment,
            )
        )

    def _public_side(self, eni_id: str, raw: Mapping[str, Any]) -> str | None:
        """An address's auto-assigned public IP; an EIP's association is recorded on the Address."""
        association = raw.get("Association")
        if not association or not association.get("PublicIp"):
            return None
        public = str(association["PublicIp"])
        if association.get("PublicDnsName"):
            self.public_dns_enis.add(eni_id)
        if public in self.eip_addresses:
            return None
        if association.get("AllocationId"):
            self.put(
                Address(
                    id=association["AllocationId"],
                    public_ip=public,
                    association_id=association.get("AssociationId"),
                    network_interface_id=eni_id,
                    private_ip=raw.get("PrivateIpAddress"),
                )
            )
            self.report.notes.append(
                f"{self.label} Elastic IP {public} known only from {eni_id}'s association"
            )
            return None
        return public

    def reservation(self, item: dict[str, Any]) -> None:
        """The instances of one reservation; ENIs only listed under an instance are read too."""
        for raw in item.get("Instances") or []:
            self._convert(
                "Reservations.json", raw, lambda i: self.instance(i, item.get("ReservationId", ""))
            )

    def instance(self, item: dict[str, Any], reservation_id: str) -> None:
        """An Instance in its exported state, attached to its ENIs (eth0 is its primary)."""
        zone = (item.get("Placement") or {}).get("AvailabilityZone", "")
        for raw in item.get("NetworkInterfaces") or []:
            if raw["NetworkInterfaceId"] not in self.enis_seen:
                attached = dict(raw)
                attached["Attachment"] = {
                    **(raw.get("Attachment") or {}),
                    "InstanceId": item["InstanceId"],
                }
                self.network_interface(attached, zone)
        interfaces = sorted(
            item.get("NetworkInterfaces") or [],
            key=lambda n: (n.get("Attachment") or {}).get("DeviceIndex", 0),
        )
        state = item["State"]["Name"]
        launched = _epoch(item.get("LaunchTime"))
        primary = interfaces[0] if interfaces else None
        if primary is None:
            self.report.notes.append(
                f"{self.label} instance {item['InstanceId']} ({state}) has no network data"
            )
        self.put(
            Instance(
                id=item["InstanceId"],
                tags=_tags(item),
                image_id=item.get("ImageId", ""),
                instance_type=item.get("InstanceType", ""),
                subnet_id=item.get("SubnetId") or (primary or {}).get("SubnetId", ""),
                vpc_id=item.get("VpcId") or (primary or {}).get("VpcId", ""),
                availability_zone=zone,
                primary_eni_id=primary["NetworkInterfaceId"] if primary else "",
                state=state,
                state_since=launched,
                launch_time=launched,
                key_name=item.get("KeyName"),
                ami_launch_index=int(item.get("AmiLaunchIndex", 0)),
                reservation_id=reservation_id,
                client_token=item.get("ClientToken") or None,
                state_reason=(item.get("StateReason") or {}).get("Code"),
                auto_public_ip=bool(primary and self._auto_public(primary["NetworkInterfaceId"])),
                transition_reason=item.get("StateTransitionReason", ""),
                ebs_optimized=bool(item.get("EbsOptimized", False)),
                **instance_options.options_from_describe(item),
            )
        )
        if state in _TRANSITIONAL_INSTANCE:
            self.report.notes.append(
                f"{self.label} instance {item['InstanceId']} was exported {state}; "
                "vpclab lets it settle"
            )

    def _auto_public(self, eni_id: str) -> bool:
        """Whether the ENI holds an auto-assigned public IPv4 (ENI-3)."""
        eni = self.get(NetworkInterface, eni_id)
        return isinstance(eni, NetworkInterface) and eni.public_ip is not None

    # -- peering -------------------------------------------------------------------------------
    def peering(self, item: dict[str, Any]) -> None:
        """A peering as this partition's side exported it (its own tags, PCX-1, PCX-14)."""
        status = item.get("Status") or {}
        code = status.get("Code", "active")
        if code in ("initiating-request", "provisioning"):
            code = "pending-acceptance" if code == "initiating-request" else "active"
        expiration = _epoch(item.get("ExpirationTime")) or self._now() + _PENDING_LIFETIME
        # Terminal states stay listed for a while after they change (PCX-3): from the import on.
        changed = self._now() if code in _TERMINAL_PEERING else 0.0
        self.put(
            VpcPeeringConnection(
                id=item["VpcPeeringConnectionId"],
                tags=_tags(item),
                requester=self._peering_side(item["RequesterVpcInfo"]),
                accepter=self._peering_side(item["AccepterVpcInfo"]),
                status=code,
                status_message=status.get("Message", ""),
                created_at=-1.0,
                expiration_time=expiration,
                changed_at=changed,
                ended_by=_ended_by(status.get("Message", ""), self.region),
            )
        )

    def _peering_side(self, info: Mapping[str, Any]) -> PeeringSide:
        """One side of a peering with its options and the blocks it showed."""
        options = info.get("PeeringOptions") or {}
        return PeeringSide(
            owner_id=info.get("OwnerId", self.account),
            region=info.get("Region", self.region),
            vpc_id=info["VpcId"],
            allow_dns_resolution_from_remote_vpc=bool(
                options.get("AllowDnsResolutionFromRemoteVpc", False)
            ),
            cidr_blocks=tuple(
                b["CidrBlock"] for b in info.get("CidrBlockSet") or [] if "CidrBlock" in b
            ),
            ipv6_cidr_blocks=tuple(
                b["Ipv6CidrBlock"]
                for b in info.get("Ipv6CidrBlockSet") or []
                if "Ipv6CidrBlock" in b
            ),
        )

    @staticmethod
    def _now() -> float:
        """The wall time of the import."""
        return time.time()

    def _infer_dns_hostnames(self) -> None:
        """A VPC shows public DNS names only with DNS hostnames on (VPC-21): read it back from them."""
        for eni_id in self.public_dns_enis:
            eni = self.get(NetworkInterface, eni_id)
            vpc = self.get(Vpc, eni.vpc_id) if isinstance(eni, NetworkInterface) else None
            if isinstance(vpc, Vpc) and not vpc.enable_dns_hostnames:
                self.put(evolve(vpc, enable_dns_hostnames=True))


def _ended_by(message: str, region: str) -> str:
    """Who ended a peering ("account/region"), read from "Deleted by 0284..." messages."""
    words = message.split()
    if len(words) >= 3 and words[-2] == "by" and words[-1].isdigit():
        return f"{words[-1]}/{region}"
    return ""


def _item_id(item: Mapping[str, Any]) -> str:
    """The id of a describe item, whatever its kind, for the report."""
    for key, value in item.items():
        if key.endswith("Id") and isinstance(value, str) and "-" in value:
            return value
    return ""


def import_snapshot(store: Store, snapshot: Snapshot) -> None:
    """Replace the snapshot's partitions in a store in one transaction; others stay as they are."""
    keys = sorted(snapshot.partitions)
    if not keys:
        return
    with store.transaction(*keys[0]) as tx:
        for key in keys:
            side = tx.other(*key)
            for kind, items in store.tables(*key).items():
                for rid in list(items):
                    side.delete(KINDS[kind], rid)
            for items in snapshot.partitions[key].values():
                for obj in items.values():
                    side.put(obj)
