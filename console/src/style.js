// How the map looks: AWS's colours for each kind, public subnets green, private ones blue, and
// the trace and exposure overlays.

const PUBLIC = '#2e7d32';
const PRIVATE = '#1565c0';
const ADMITTED = '#1b9e3e';
const BLOCKED = '#d32f2f';

// Room around a compound's children; the layout leaves the same (layout.js) so labels fit.
export const COMPOUND_PADDING = 32;

// A VPC or subnet with nothing inside (drawn as a plain box).
export const EMPTY_CONTAINER = { width: 250, height: 46 };

export const SIZES = {
  instance: { width: 150, height: 44 },
  eni: { width: 150, height: 44 },
  igw: { width: 180, height: 52 },
  eigw: { width: 180, height: 52 },
  nat: { width: 180, height: 52 },
  service: { width: 180, height: 52 },
  pcx: { width: 180, height: 56 },
  internet: { width: 110, height: 64 },
  'remote-vpc': { width: 170, height: 52 },
};

// The style of one kind of leaf node: its shape, size and colours.
function leaf(type, shape, color, fill) {
  const size = SIZES[type];
  return {
    selector: `node[type = "${type}"]`,
    style: {
      shape,
      width: size.width,
      height: size.height,
      'border-color': color,
      'background-color': fill,
    },
  };
}

export const STYLE = [
  {
    selector: 'node',
    style: {
      label: 'data(display)',
      'font-family': 'system-ui, sans-serif',
      'font-size': 11,
      color: '#1d2733',
      'text-wrap': 'wrap',
      'text-valign': 'center',
      'text-halign': 'center',
      'border-width': 2,
      'text-max-width': 170,
      'min-zoomed-font-size': 6,
    },
  },
  {
    // Data flags, not the :parent/:childless selectors: those restyle a parent on every child
    // added, seconds for a few hundred instances.
    selector: 'node[?container]',
    style: {
      'text-valign': 'top',
      'text-halign': 'center',
      'text-margin-y': 31,
      'text-max-width': 600,
      'font-weight': 'bold',
      'background-opacity': 0.5,
      padding: COMPOUND_PADDING,
    },
  },
  {
    selector: 'node[type = "vpc"]',
    style: { 'border-color': '#8c4fff', 'background-color': '#f6f2ff', 'font-size': 12, 'border-width': 3 },
  },
  {
    selector: 'node[type = "az"]',
    style: { 'border-color': '#5a6b86', 'border-style': 'dashed', 'background-color': '#ffffff', color: '#5a6b86' },
  },
  {
    selector: 'node[type = "subnet"]',
    style: { 'border-color': PRIVATE, 'background-color': '#e6f0fb', color: PRIVATE, 'border-width': 3 },
  },
  {
    selector: 'node[type = "subnet"][?public]',
    style: { 'border-color': PUBLIC, 'background-color': '#e8f5e9', color: PUBLIC },
  },
  {
    // A VPC or subnet with nothing inside is drawn as a plain box, not collapsed to a dot.
    selector: 'node[type = "vpc"][!container], node[type = "subnet"][!container]',
    style: { shape: 'round-rectangle', width: EMPTY_CONTAINER.width, height: EMPTY_CONTAINER.height, 'text-max-width': 240 },
  },
  leaf('instance', 'round-rectangle', '#ed7100', '#fff3e6'),
  leaf('eni', 'round-rectangle', '#7d5cad', '#f3eefa'),
  leaf('igw', 'round-hexagon', '#8c4fff', '#efe7ff'),
  leaf('eigw', 'round-hexagon', '#8c4fff', '#efe7ff'),
  leaf('nat', 'round-hexagon', '#c7131f', '#fdecee'),
  leaf('service', 'barrel', '#3b48cc', '#eceefc'),
  leaf('pcx', 'round-octagon', '#007d8a', '#e3f5f6'),
  leaf('internet', 'ellipse', '#5a6b86', '#eef1f5'),
  leaf('remote-vpc', 'round-rectangle', '#8c4fff', '#f6f2ff'),
  { selector: 'node[type = "remote-vpc"]', style: { 'border-style': 'dashed' } },
  {
    selector: 'edge',
    style: {
      width: 2,
      'line-color': '#9aa5b5',
      'curve-style': 'bezier',
      label: 'data(label)',
      'font-size': 10,
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.9,
      'text-background-padding': 2,
      color: '#38465a',
    },
  },
  { selector: 'edge[type = "peering"]', style: { 'line-color': '#007d8a', 'line-style': 'dashed' } },
  { selector: 'edge[type = "nat"]', style: { 'line-color': '#c7131f' } },
  { selector: 'edge[type = "service"]', style: { 'line-color': '#3b48cc', 'line-style': 'dotted' } },
  { selector: 'node:selected', style: { 'overlay-color': '#ffb300', 'overlay-opacity': 0.35, 'overlay-padding': 6 } },
  { selector: 'node[!container].trace-admitted', style: { 'border-color': ADMITTED, 'border-width': 5, 'background-color': '#d9f7e1' } },
  { selector: 'node[!container].trace-blocked', style: { 'border-color': BLOCKED, 'border-width': 6, 'background-color': '#fde0e0' } },
  // A subnet on the path keeps its public/private colours; a halo says the packet crossed it.
  { selector: 'node[?container].trace-admitted', style: { 'underlay-color': ADMITTED, 'underlay-opacity': 0.35, 'underlay-padding': 8 } },
  { selector: 'node[?container].trace-blocked', style: { 'underlay-color': BLOCKED, 'underlay-opacity': 0.35, 'underlay-padding': 8 } },
  {
    selector: 'edge.trace-path',
    style: {
      width: 5,
      'line-color': ADMITTED,
      'target-arrow-color': ADMITTED,
      'target-arrow-shape': 'triangle',
      'curve-style': 'bezier',
      'z-index': 20,
      label: 'data(label)',
      color: ADMITTED,
      'font-weight': 'bold',
    },
  },
  { selector: 'edge.trace-path.return', style: { 'line-style': 'dashed', 'control-point-step-size': 60 } },
  { selector: 'edge.trace-path.blocked', style: { 'line-color': BLOCKED, 'target-arrow-color': BLOCKED, color: BLOCKED } },
  {
    selector: 'node.exposed',
    style: { 'border-color': BLOCKED, 'border-width': 5, 'background-color': '#ffe9e6', 'font-weight': 'bold' },
  },
];
