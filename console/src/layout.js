// The ELK layout: layered left-to-right at the top (internet -> gateways -> VPCs -> peerings),
// boxes packed inside VPCs, AZs and subnets, so hundreds of instances stay in tidy grids.
// The graph handed to ELK is built from the elements themselves (every leaf's size is known
// from its type), so ELK runs in its worker while cytoscape builds the map on the page.

import { COMPOUND_PADDING, SIZES } from './style.js';

const PADDING = `[top=${COMPOUND_PADDING},left=${COMPOUND_PADDING},bottom=${COMPOUND_PADDING},right=${COMPOUND_PADDING}]`;
const EMPTY_CONTAINER = { width: 250, height: 46 };

const ROOT_OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.spacing.nodeNode': '40',
  'elk.layered.spacing.nodeNodeBetweenLayers': '60',
  'elk.padding': '[top=20,left=20,bottom=20,right=20]',
};

// ELK options for a container, by what it holds: instances pack wider than AZs and VPCs.
function containerOptions(type) {
  const spacing = { subnet: '12', az: '18', vpc: '24' }[type] || '24';
  const aspectRatio = { subnet: '1.6', az: '1.2', vpc: '2.2' }[type] || '2';
  return {
    'elk.algorithm': 'box',
    'elk.padding': PADDING,
    'elk.spacing.nodeNode': spacing,
    'elk.aspectRatio': aspectRatio,
  };
}

// The ELK graph of a set of node and edge data: nodes nested by parent (a parent outside the
// set makes a node a root), and only the edges between roots (ELK lays children out inside
// their parent; the links drawn between nested nodes are left to cytoscape).
export function elkGraph(nodes, edges) {
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
    if (entry.children.length) {
      return { id: entry.id, layoutOptions: containerOptions(entry.type), children: entry.children.map(toElk) };
    }
    const size = SIZES[entry.type] || EMPTY_CONTAINER;
    return { id: entry.id, width: size.width, height: size.height };
  };
  const rootIds = new Set(roots.map((entry) => entry.id));
  return {
    id: 'root',
    layoutOptions: ROOT_OPTIONS,
    children: roots.map(toElk),
    edges: edges
      .filter((data) => rootIds.has(data.source) && rootIds.has(data.target))
      .map((data) => ({ id: data.id, sources: [data.source], targets: [data.target] })),
  };
}

// The centre of every leaf node of a laid-out ELK graph, in the graph's coordinates.
export function leafCentres(graph) {
  const centres = new Map();
  const walk = (node, offsetX, offsetY) => {
    const x = offsetX + (node.x || 0);
    const y = offsetY + (node.y || 0);
    if (node.children && node.children.length) {
      for (const child of node.children) walk(child, x, y);
    } else if (node.id !== 'root') {
      centres.set(node.id, { x: x + node.width / 2, y: y + node.height / 2 });
    }
  };
  walk(graph, 0, 0);
  return centres;
}
