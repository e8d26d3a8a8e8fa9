// Turns the /topology JSON into cytoscape elements: compound VPC > AZ > subnet > instance/ENI
// nodes, gateways and peerings around them, and the links AWS architects draw between them.

export const INTERNET = 'internet';

// The label a resource shows: its Name tag when it has one, else its id.
function named(resource) {
  return resource.name || resource.id;
}

// A node element; `type` picks its style, its place in the layout and what clicking it shows.
function node(id, type, label, extra = {}) {
  return { group: 'nodes', data: { id, type, label, ...extra } };
}

// An edge element, its id derived from its ends so updates find it again.
function edge(source, target, type, label = '') {
  return { group: 'edges', data: { id: `${type}:${source}->${target}`, source, target, type, label } };
}

// The nodes of one subnet's instances and of its ENIs that belong to no instance.
function subnetMembers(subnet, vpcId) {
  const members = [];
  for (const instance of subnet.instances) {
    const address = instance.public_ip ? `${instance.private_ip} / ${instance.public_ip}` : instance.private_ip;
    members.push(
      node(instance.id, 'instance', named(instance), {
        parent: subnet.id,
        vpc: vpcId,
        subtitle: address || instance.state,
        state: instance.state,
        privateIp: instance.private_ip,
        publicIp: instance.public_ip,
        name: instance.name,
        eniIds: instance.eni_ids,
        securityGroupIds: instance.security_group_ids,
      }),
    );
  }
  for (const eni of subnet.enis) {
    if (eni.instance_id) continue;
    members.push(
      node(eni.id, 'eni', named(eni), {
        parent: subnet.id,
        vpc: vpcId,
        subtitle: eni.service ? `${eni.service} ${eni.private_ip}` : eni.private_ip,
        privateIp: eni.private_ip,
        publicIp: eni.public_ip,
        name: eni.name,
        service: eni.service,
        eniIds: [eni.id],
        securityGroupIds: eni.security_group_ids,
      }),
    );
  }
  return members;
}

// Everything inside and attached to one VPC.
function vpcElements(vpc) {
  // A VPC or subnet a flow log records says so under its name (ENIs' show in their panel).
  const logged = new Set(vpc.flow_logs.map((flowLog) => flowLog.resource_id));
  const flowLogNote = (id) => (logged.has(id) ? ' · flow log' : '');
  const elements = [
    node(vpc.id, 'vpc', named(vpc), {
      subtitle: vpc.cidrs.join(', ') + (vpc.is_default ? ' · default' : '') + flowLogNote(vpc.id),
      name: vpc.name,
      cidrs: vpc.cidrs,
      container: vpc.azs.length > 0 || vpc.nat_gateways.length > 0 || vpc.services.length > 0,
    }),
  ];
  for (const az of vpc.azs) {
    const azId = `${vpc.id}/${az.name}`;
    elements.push(node(azId, 'az', az.name, { parent: vpc.id, vpc: vpc.id, container: true }));
    for (const subnet of az.subnets) {
      const members = subnetMembers(subnet, vpc.id);
      elements.push(
        node(subnet.id, 'subnet', named(subnet), {
          parent: azId,
          vpc: vpc.id,
          subtitle: `${subnet.cidr} · ${subnet.public ? 'public' : 'private'}${flowLogNote(subnet.id)}`,
          public: subnet.public,
          cidr: subnet.cidr,
          name: subnet.name,
          routeTableId: subnet.route_table_id,
          networkAclId: subnet.network_acl_id,
          container: members.length > 0,
        }),
        ...members,
      );
    }
  }
  for (const igw of vpc.internet_gateways) {
    elements.push(node(igw.id, 'igw', named(igw), { subtitle: 'internet gateway', name: igw.name }));
    elements.push(edge(INTERNET, igw.id, 'internet'), edge(igw.id, vpc.id, 'attachment'));
  }
  for (const eigw of vpc.egress_only_internet_gateways) {
    elements.push(node(eigw.id, 'eigw', named(eigw), { subtitle: 'egress-only gateway', name: eigw.name }));
    elements.push(edge(INTERNET, eigw.id, 'internet'), edge(eigw.id, vpc.id, 'attachment'));
  }
  for (const service of vpc.services) {
    elements.push(
      node(service.id, 'service', service.name, {
        parent: vpc.id,
        vpc: vpc.id,
        subtitle: `${service.detail} · ${service.status}`,
        status: service.status,
        name: service.name,
        service: service.service,
        eniIds: service.eni_ids,
        subnetGroupId: service.subnet_group_id,
        securityGroupIds: service.security_group_ids,
      }),
      ...service.eni_ids.map((eniId) => edge(service.id, eniId, 'service')),
    );
  }
  for (const nat of vpc.nat_gateways) {
    elements.push(
      node(nat.id, 'nat', named(nat), {
        parent: vpc.id,
        vpc: vpc.id,
        subtitle: `NAT ${nat.connectivity} · ${nat.state}`,
        privateIp: nat.private_ip,
        publicIp: nat.public_ip,
        name: nat.name,
      }),
      edge(nat.id, nat.subnet_id, 'nat'),
    );
  }
  return elements;
}

// Peering connections: a node between the two VPCs (a placeholder for a VPC of another partition).
function peeringElements(peerings, knownVpcs) {
  const elements = [];
  for (const pcx of peerings) {
    elements.push(node(pcx.id, 'pcx', named(pcx), { subtitle: `peering · ${pcx.status}`, status: pcx.status, name: pcx.name }));
    for (const vpcId of [pcx.requester_vpc_id, pcx.accepter_vpc_id]) {
      if (!knownVpcs.has(vpcId)) {
        knownVpcs.add(vpcId);
        elements.push(node(vpcId, 'remote-vpc', vpcId, { subtitle: 'VPC in another account or region' }));
      }
      elements.push(edge(pcx.id, vpcId, 'peering', pcx.status));
    }
  }
  return elements;
}

// Every element of a topology, in a deterministic order.
export function topologyElements(topology) {
  const hasGateways = topology.vpcs.some(
    (vpc) => vpc.internet_gateways.length || vpc.egress_only_internet_gateways.length,
  );
  const elements = hasGateways
    ? [node(INTERNET, 'internet', 'Internet', { subtitle: '0.0.0.0/0, ::/0' })]
    : [];
  for (const vpc of topology.vpcs) elements.push(...vpcElements(vpc));
  const knownVpcs = new Set(topology.vpcs.map((vpc) => vpc.id));
  elements.push(...peeringElements(topology.peering_connections, knownVpcs));
  return elements;
}

// Where each ENI is drawn: its instance's node when it has one, else its own node.
export function eniOwners(topology) {
  const owners = new Map();
  for (const vpc of topology.vpcs) {
    for (const az of vpc.azs) {
      for (const subnet of az.subnets) {
        for (const eni of subnet.enis) owners.set(eni.id, eni.instance_id || eni.id);
      }
    }
  }
  return owners;
}

// What the side panel links each drawn resource to beyond its own fields: the flow logs that
// record it (by the VPC, subnet or ENI they name) and, for an ENI a managed service placed, the
// database, cache cluster or functions using it.
export function panelLinks(topology) {
  const flowLogs = new Map();
  const services = new Map();
  const add = (map, key, value) => map.set(key, [...(map.get(key) || []), value]);
  for (const vpc of topology.vpcs) {
    for (const flowLog of vpc.flow_logs) add(flowLogs, flowLog.resource_id, flowLog.id);
    for (const service of vpc.services) {
      for (const eniId of service.eni_ids) add(services, eniId, service.id);
    }
  }
  return { flowLogs, services };
}

// Every resource of the topology by id with its kind, for links in the side panel.
export function resourceIndex(topology) {
  const index = new Map();
  for (const vpc of topology.vpcs) {
    for (const table of vpc.route_tables) index.set(table.id, { ...table, kind: 'route-table', vpc: vpc.id });
    for (const acl of vpc.network_acls) index.set(acl.id, { ...acl, kind: 'network-acl', vpc: vpc.id });
    for (const group of vpc.security_groups) index.set(group.id, { ...group, kind: 'security-group', vpc: vpc.id });
  }
  return index;
}
