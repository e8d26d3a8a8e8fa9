// The ELK layout: layered left-to-right at the top (internet -> gateways -> VPCs -> peerings),
// boxes packed inside VPCs, AZs and subnets, so hundreds of instances stay in tidy grids.

import { COMPOUND_PADDING } from './style.js';

const PADDING = `[top=${COMPOUND_PADDING},left=${COMPOUND_PADDING},bottom=${COMPOUND_PADDING},right=${COMPOUND_PADDING}]`;

// ELK options for one compound node, by what it contains.
function compoundOptions(node) {
  const type = node.data('type');
  const options = { 'elk.padding': PADDING, 'elk.spacing.nodeNode': 12 };
  if (type === 'subnet') {
    return { ...options, 'elk.algorithm': 'box', 'elk.aspectRatio': 1.6 };
  }
  if (type === 'az') {
    return { ...options, 'elk.algorithm': 'box', 'elk.aspectRatio': 1.2, 'elk.spacing.nodeNode': 18 };
  }
  return { ...options, 'elk.algorithm': 'box', 'elk.aspectRatio': 2.2, 'elk.spacing.nodeNode': 24 };
}

// The cytoscape layout options for a full layout of the map.
export function layoutOptions(extra = {}) {
  return {
    name: 'elk',
    fit: true,
    padding: 24,
    animate: false,
    nodeDimensionsIncludeLabels: false,
    nodeLayoutOptions: (node) => (node.isParent() ? compoundOptions(node) : undefined),
    elk: {
      algorithm: 'layered',
      'elk.direction': 'RIGHT',
      'elk.spacing.nodeNode': 40,
      'elk.layered.spacing.nodeNodeBetweenLayers': 60,
      'elk.padding': '[top=20,left=20,bottom=20,right=20]',
    },
    ...extra,
  };
}
