"""Route state and the subnet -> route table relation, derived at read time (RT-12, RT-17, SUB-8)."""

from __future__ import annotations

from vpclab.model.gateways import EgressOnlyInternetGateway, InternetGateway, NatGateway
from vpclab.model.interface import Instance, NetworkInterface
from vpclab.model.lifecycle import instance_state, nat_gateway_state, peering_usable
from vpclab.model.peering import VpcPeeringConnection
from vpclab.model.route_table import Route, RouteTable
from vpclab.model.state import View
from vpclab.model.vpc import Subnet

ACTIVE = "active"
BLACKHOLE = "blackhole"


def _table_vpc(view: View, route: Route) -> str | None:
    """The VPC of the table holding the route: stamped on it, else found (imported states)."""
    if route.vpc_id:
        return route.vpc_id
    for table in view.iter(RouteTable):
        if route in table.routes:
            return table.vpc_id
    return None


def _internet_gateway_usable(view: View, route: Route) -> bool:
    """An IGW target works only while it exists and is attached to the table's VPC (IGW-11)."""
    igw = view.get(InternetGateway, route.target.id)
    if igw is None or igw.vpc_id is None:
        return False
    return igw.vpc_id == _table_vpc(view, route)


def _nat_gateway_usable(view: View, route: Route) -> bool:
    """A NAT gateway target works only once it is available (AMB-23, NAT-5)."""
    nat = view.get(NatGateway, route.target.id)
    if nat is None:
        return False
    return nat_gateway_state(nat, view.now(), view.clock.settle_seconds) == "available"


def _instance_usable(view: View, route: Route) -> bool:
    """An instance target blackholes on termination, not on stop (AMB-24, NATI-5)."""
    instance = view.get(Instance, route.target.id)
    if instance is None:
        return False
    state = instance_state(instance, view.now(), view.clock.settle_seconds)
    if state in ("shutting-down", "terminated"):
        return False
    return route.target_eni is None or view.get(NetworkInterface, route.target_eni) is not None


def _peering_record(view: View, pcx_id: str) -> VpcPeeringConnection | None:
    """The freshest copy of a peering: each side's partition keeps one (PCX-14)."""
    mine = view.get(VpcPeeringConnection, pcx_id)
    if mine is None or view.world is None:
        return mine
    freshest = mine
    for side in (mine.requester, mine.accepter):
        if (side.owner_id, side.region) == (view.account, view.region):
            continue
        theirs = view.other(side.owner_id, side.region).get(VpcPeeringConnection, pcx_id)
        if theirs is not None and theirs.changed_at > freshest.changed_at:
            freshest = theirs
    return freshest


def _peering_usable(view: View, route: Route) -> bool:
    """A peering target works only while the peering is active (RT-10, PCX-9)."""
    pcx = _peering_record(view, route.target.id)
    return pcx is not None and peering_usable(pcx)


def _target_usable(view: View, route: Route) -> bool:
    """Whether the route's target can take traffic now."""
    kind = route.target.kind
    if kind == "local":
        return True
    if route.leaves_model:
        return route.exported_state == ACTIVE  # only the export can say (RT-12)
    if kind == "gateway":
        return _internet_gateway_usable(view, route)
    if kind == "nat":
        return _nat_gateway_usable(view, route)
    if kind == "instance":
        return _instance_usable(view, route)
    if kind == "peering":
        return _peering_usable(view, route)
    if kind == "eni":
        return view.get(NetworkInterface, route.target.id) is not None
    if kind == "egress-only":
        return view.get(EgressOnlyInternetGateway, route.target.id) is not None
    return False


def route_state(view: View, route: Route) -> str:
    """'active' or 'blackhole', judged now from the target's existence and state (RT-12)."""
    return ACTIVE if _target_usable(view, route) else BLACKHOLE


def main_route_table(view: View, vpc_id: str) -> RouteTable:
    """The VPC's main route table (RT-15: exactly one per VPC)."""
    for table in view.iter(RouteTable):
        if table.vpc_id == vpc_id and table.is_main:
            return table
    raise LookupError(f"VPC {vpc_id} has no main route table")


def subnet_route_table(view: View, subnet_id: str) -> RouteTable:
    """The table a subnet uses: its explicit association, else its VPC's main table (RT-17, SUB-10)."""
    subnet = view.get(Subnet, subnet_id)
    if subnet is None:
        raise LookupError(f"no subnet {subnet_id}")
    for table in view.iter(RouteTable):
        if any(a.subnet_id == subnet_id for a in table.associations):
            return table
    return main_route_table(view, subnet.vpc_id)


def is_public_subnet(view: View, subnet_id: str) -> bool:
    """A subnet is public when its table routes anywhere to an IGW, whatever its state (SUB-8, AMB-17)."""
    table = subnet_route_table(view, subnet_id)
    return any(r.target.kind == "gateway" and r.target.id.startswith("igw-") for r in table.routes)
