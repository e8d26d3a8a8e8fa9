// The side panel's view of one resource as Describe reports it: its fields, its tags, and its
// rules and routes as tables (security groups, network ACLs, route tables).

import { h, table } from './dom.js';

// A port range as the console shows it ('all', '443', '1024-2048').
function ports(from, to) {
  if (from === undefined || from === null || from === -1) return 'all';
  return from === to ? String(from) : `${from}-${to}`;
}

// An IpProtocol or ACL protocol number by name.
function protocolName(protocol) {
  return { '-1': 'all', 6: 'tcp', 17: 'udp', 1: 'icmp', 58: 'icmpv6' }[protocol] || String(protocol);
}

// Who a security group rule admits: CIDRs, prefix lists and groups.
function peers(permission) {
  return [
    ...(permission.IpRanges || []).map((range) => range.CidrIp),
    ...(permission.Ipv6Ranges || []).map((range) => range.CidrIpv6),
    ...(permission.PrefixListIds || []).map((list) => list.PrefixListId),
    ...(permission.UserIdGroupPairs || []).map((pair) => pair.GroupId),
  ].join(', ');
}

// One table row per security group permission.
function permissionRows(permissions) {
  return (permissions || []).map((permission) => [
    protocolName(permission.IpProtocol),
    ports(permission.FromPort, permission.ToPort),
    peers(permission),
    [...(permission.IpRanges || []), ...(permission.UserIdGroupPairs || [])]
      .map((peer) => peer.Description)
      .filter(Boolean)
      .join('; '),
  ]);
}

// A security group's inbound and outbound rules.
function securityGroupTables(describe) {
  const headers = ['Protocol', 'Ports', 'Source', 'Description'];
  return [
    h('h3', {}, 'Inbound rules'),
    table('sg-inbound', headers, permissionRows(describe.IpPermissions)),
    h('h3', {}, 'Outbound rules'),
    table('sg-outbound', ['Protocol', 'Ports', 'Destination', 'Description'], permissionRows(describe.IpPermissionsEgress)),
  ];
}

// One direction's ACL entries in evaluation order (32767 shown as *).
function aclRows(entries, egress) {
  return entries
    .filter((entry) => entry.Egress === egress)
    .sort((a, b) => a.RuleNumber - b.RuleNumber)
    .map((entry) => [
      entry.RuleNumber === 32767 ? '*' : String(entry.RuleNumber),
      protocolName(entry.Protocol),
      entry.PortRange ? ports(entry.PortRange.From, entry.PortRange.To) : 'all',
      entry.CidrBlock || entry.Ipv6CidrBlock,
      h('span', { className: `action ${entry.RuleAction}` }, entry.RuleAction),
    ]);
}

// A network ACL's entries in both directions and the subnets it applies to.
function networkAclTables(describe, open) {
  const headers = ['Rule', 'Protocol', 'Ports', 'CIDR', 'Action'];
  const entries = describe.Entries || [];
  return [
    h('h3', {}, 'Inbound entries'),
    table('acl-inbound', headers, aclRows(entries, false)),
    h('h3', {}, 'Outbound entries'),
    table('acl-outbound', headers, aclRows(entries, true)),
    h('h3', {}, 'Associated subnets'),
    table('acl-associations', ['Subnet'], (describe.Associations || []).map((a) => [link(a.SubnetId, open)])),
  ];
}

const ROUTE_TARGETS = [
  'GatewayId',
  'NatGatewayId',
  'EgressOnlyInternetGatewayId',
  'VpcPeeringConnectionId',
  'TransitGatewayId',
  'InstanceId',
  'NetworkInterfaceId',
  'VpcEndpointId',
  'CarrierGatewayId',
  'LocalGatewayId',
  'CoreNetworkArn',
];

// A route table's routes (with their targets as links) and associations.
function routeTableTables(describe, open) {
  const routes = (describe.Routes || []).map((route) => {
    const target = ROUTE_TARGETS.map((key) => route[key]).find(Boolean) || '';
    return [
      route.DestinationCidrBlock || route.DestinationIpv6CidrBlock || route.DestinationPrefixListId,
      target === 'local' ? 'local' : link(target, open),
      h('span', { className: `state ${route.State}` }, route.State),
      route.Origin,
    ];
  });
  const associations = (describe.Associations || []).map((association) => [
    association.Main ? 'main' : link(association.SubnetId || association.GatewayId, open),
    association.AssociationState ? association.AssociationState.State : '',
  ]);
  return [
    h('h3', {}, 'Routes'),
    table('routes', ['Destination', 'Target', 'State', 'Origin'], routes),
    h('h3', {}, 'Associations'),
    table('route-associations', ['Subnet', 'State'], associations),
  ];
}

// A resource id that opens that resource in the panel when clicked.
export function link(id, open) {
  if (!id) return '';
  return h(
    'a',
    { href: '#', className: 'resource-link', 'data-testid': `link-${id}`, 'data-id': id, onClick: (event) => { event.preventDefault(); open(id); } },
    id,
  );
}

// Whether a field is shown as text rather than as JSON.
function scalar(value) {
  return value === null || value === undefined || typeof value !== 'object';
}

// Scalar fields as a two-column table; nested values (other than the ones drawn as tables) as JSON.
function fieldsTable(describe, skip) {
  const rows = [];
  for (const [key, value] of Object.entries(describe)) {
    if (skip.has(key) || ['Tags', 'TagSet', 'TagList'].includes(key)) continue;
    rows.push([key, scalar(value) ? String(value) : h('pre', {}, JSON.stringify(value, null, 1))]);
  }
  return table('describe-fields', ['Field', 'Value'], rows);
}

// The resource's tags, or nothing when it has none.
function tagsTable(describe) {
  const tags = describe.Tags || describe.TagSet || describe.TagList || [];
  if (!tags.length) return null;
  return [h('h3', {}, 'Tags'), table('tags', ['Key', 'Value'], tags.map((tag) => [tag.Key, tag.Value]))];
}

// The panel's content for a resource answered by /resource.
export function describeView(resource, relatedLinks, open) {
  const describe = resource.describe;
  let special = [];
  let skip = new Set();
  if (describe.IpPermissions !== undefined) {
    special = securityGroupTables(describe);
    skip = new Set(['IpPermissions', 'IpPermissionsEgress']);
  } else if (describe.Entries !== undefined) {
    special = networkAclTables(describe, open);
    skip = new Set(['Entries', 'Associations']);
  } else if (describe.Routes !== undefined) {
    special = routeTableTables(describe, open);
    skip = new Set(['Routes', 'Associations']);
  }
  return h(
    'div',
    { 'data-testid': 'resource', 'data-id': resource.id, 'data-kind': resource.kind },
    h('h2', {}, h('span', { className: 'kind' }, resource.kind), ' ', resource.id),
    relatedLinks.length
      ? h('div', { className: 'related', 'data-testid': 'related' }, relatedLinks.map(([label, id]) => h('div', {}, `${label}: `, link(id, open))))
      : null,
    special,
    tagsTable(describe),
    h('h3', {}, 'Describe'),
    fieldsTable(describe, skip),
  );
}
