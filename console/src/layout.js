// The layout: ELK packs boxes inside VPCs and AZs (and keeps the instance grids of subnets), so
// hundreds of instances stay in tidy rows; the top level is drawn in columns the way AWS
// diagrams read, left to right: internet -> gateways -> VPCs -> peering connections.
// The graph handed to ELK is built from the elements themselves (every leaf's size is known
// from its type), so ELK runs in its worker while cytoscape builds the map on the page.
// ELK's layered algorithm is not used: its first run alone took 1-2 s in a cold worker on
// this machine, against a few hundred ms for box packing (docs/console.md).

import { COMPOUND_PADDING, EMPTY_CONTAINER, SIZES } from './style.js';

const PADDING = `[top=${COMPOUND_PADDING},left=${COMPOUND_PADDING},bottom=${COMPOUND_PADDING},right=${COMPOUND_PADDING}]`;
const SUBNET_ASPECT = 1.6;
const SUBNET_GAP = 12;

const ROOT_OPTIONS = { 'elk.algorithm': 'box' }; // sizes what it holds; arrangeRoots places them
const MARGIN = 20;
const COLUMN_GAP = 90;
const ROW_GAP = 40;
const COLUMN_OF = { internet: 0, igw: 1, eigw: 1, vpc: 2, 'remote-vpc': 2, pcx: 3 };

// ELK options for an AZ or a VPC: boxes packed wider than tall (VPCs stack in one column).
function containerOptions(type) {
  const spacing = { az: '18', vpc: '24' }[type] || '24';
  const aspectRatio = { az: '1.8', vpc: '2.5' }[type] || '2';
  return {
    'elk.algorithm': 'box',
    'elk.padding': PADDING,
    'elk.spacing.nodeNode': spacing,
    'elk.aspectRatio': aspectRatio,
  };
}

// A subnet's members in rows, placed here rather than by ELK: they are all the same size, so
// a grid of the wanted aspect ratio is what ELK's box packing would find, and ELK only sees the
// subnet as one box of the grid's size. Positions are relative to the subnet's corner.
function subnetGrid(entry) {
  const sizes = entry.children.map((child) => SIZES[child.type] || EMPTY_CONTAINER);
  const width = Math.max(...sizes.map((size) => size.width));
  const height = Math.max(...sizes.map((size) => size.height));
  const count = entry.children.length;
  const columns = Math.max(1, Math.ceil(Math.sqrt((count * SUBNET_ASPECT * height) / width)));
  const rows = Math.ceil(count / columns);
  const members = entry.children.map((child, index) => ({
    id: child.id,
    x: COMPOUND_PADDING + (index % columns) * (width + SUBNET_GAP) + sizes[index].width / 2,
    y: COMPOUND_PADDING + Math.floor(index / columns) * (height + SUBNET_GAP) + sizes[index].height / 2,
  }));
  return {
    width: 2 * COMPOUND_PADDING + columns * width + (columns - 1) * SUBNET_GAP,
    height: 2 * COMPOUND_PADDING + rows * height + (rows - 1) * SUBNET_GAP,
    members,
  };
}

// The ELK graph of a set of node data: nodes nested by parent (a parent outside the set makes a
// node a top-level one), each subnet's members as a grid (`grids`, by subnet id) with the
// subnet a plain box in the graph. Links are not laid out: arrangeRoots's columns follow them.
export function elkGraph(nodes) {
  const grids = new Map();
  const byId = new Map();
  for (const data of nodes) {
    byId.set(data.id, { id: data.id, type: data.type, parent: data.parent, children: [] });
  }
  const roots = [];
  for (const entry of byId.values()) {
    const parent = entry.parent && byId.get(entry.parent);
    if (parent) parent.children.push(entry);
    else roots.push(entry);
  }
  const toElk = (entry) => {
    if (entry.type === 'subnet' && entry.children.length) {
      const grid = subnetGrid(entry);
      grids.set(entry.id, grid.members);
      return { id: entry.id, width: grid.width, height: grid.height };
    }
    if (entry.children.length) {
      return { id: entry.id, layoutOptions: containerOptions(entry.type), children: entry.children.map(toElk) };
    }
    const size = SIZES[entry.type] || EMPTY_CONTAINER;
    return { id: entry.id, width: size.width, height: size.height };
  };
  return { graph: { id: 'root', layoutOptions: ROOT_OPTIONS, children: roots.map(toElk) }, grids };
}

// The vertical centre of a laid-out node.
function centreY(node) {
  return node.y + node.height / 2;
}

// Stack nodes downwards from their wished centres, never overlapping.
function stack(column, wishedCentre) {
  let next = MARGIN;
  for (const node of column.sort((a, b) => wishedCentre(a) - wishedCentre(b))) {
    node.y = Math.max(next, wishedCentre(node) - node.height / 2);
    next = node.y + node.height + ROW_GAP;
  }
}

// Place the top-level nodes ELK sized: VPCs stacked in one column, each gateway level with its
// VPC on the left, the internet left of the gateways, each peering right of its two VPCs.
// `links` are edge data (source, target); a node of an unknown type joins the VPC column.
export function arrangeRoots(graph, nodes, links) {
  const types = new Map(nodes.map((data) => [data.id, data.type]));
  const columns = [[], [], [], []];
  for (const node of graph.children) columns[COLUMN_OF[types.get(node.id)] ?? 2].push(node);
  const [internet, gateways, vpcs, peerings] = columns;
  let y = MARGIN;
  for (const vpc of vpcs) {
    vpc.y = y;
    y += vpc.height + ROW_GAP;
  }
  const byId = new Map(graph.children.map((node) => [node.id, node]));
  const neighbours = (id) =>
    links
      .filter((link) => link.source === id || link.target === id)
      .map((link) => byId.get(link.source === id ? link.target : link.source))
      .filter((node) => node && vpcs.includes(node));
  const middle = (node) => {
    const near = neighbours(node.id);
    return near.length ? near.reduce((sum, vpc) => sum + centreY(vpc), 0) / near.length : MARGIN;
  };
  stack(gateways, middle);
  stack(peerings, middle);
  const gatewayMiddle = gateways.length ? gateways.reduce((sum, g) => sum + centreY(g), 0) / gateways.length : MARGIN;
  stack(internet, () => gatewayMiddle);
  let x = MARGIN;
  for (const column of columns) {
    if (!column.length) continue;
    const width = Math.max(...column.map((node) => node.width));
    for (const node of column) node.x = x + (width - node.width) / 2;
    x += width + COLUMN_GAP;
  }
  return graph;
}

// The centre of every leaf node of a laid-out ELK graph (and of every subnet's grid member), in
// the graph's coordinates.
export function leafCentres(graph, grids) {
  const centres = new Map();
  const walk = (node, offsetX, offsetY) => {
    const x = offsetX + (node.x || 0);
    const y = offsetY + (node.y || 0);
    if (node.children && node.children.length) {
      for (const child of node.children) walk(child, x, y);
    } else if (grids.has(node.id)) {
      for (const member of grids.get(node.id)) centres.set(member.id, { x: x + member.x, y: y + member.y });
    } else if (node.id !== 'root') {
      centres.set(node.id, { x: x + node.width / 2, y: y + node.height / 2 });
    }
  };
  walk(graph, 0, 0);
  return centres;
}
