// A trace from /trace (the same JSON `vpclab trace --json` prints) turned into what the map draws
// (the nodes each hop passes, admitted or blocked) and the hop list beside it.

import { h, table } from './dom.js';
import { INTERNET } from './elements.js';

const DRAWN_BY_SUBNET = new Set(['network-acl', 'route-table', 'security-group']);

// The map node a hop is drawn on: the component itself when the map has it (an ENI on its
// instance), else the subnet or VPC it belongs to (ACLs and route tables are not on the map).
export function hopNode(hop, hasNode, eniOwners) {
  const component = hop.component;
  if (component.kind === 'internet') return INTERNET;
  const own = eniOwners.get(component.id) || component.id;
  if (!DRAWN_BY_SUBNET.has(component.kind) && hasNode(own)) return own;
  if (hop.subnet_id && hasNode(hop.subnet_id)) return hop.subnet_id;
  if (hop.vpc_id && hasNode(hop.vpc_id)) return hop.vpc_id;
  return hasNode(own) ? own : null;
}

// The map node of the trace's source (the internet, an instance, ...), or null when not drawn.
export function sourceNode(trace, hasNode, eniOwners) {
  return trace.source ? hopNode({ component: trace.source }, hasNode, eniOwners) : null;
}

// What happened at a hop: dropped, translated or admitted.
export function hopVerdict(hop) {
  const steps = hop.steps || [];
  if (steps.some((step) => step.verdict === 'deny')) return 'dropped';
  if (steps.some((step) => step.translation)) return 'translated';
  return 'admitted';
}

// The rule a step's decision came from, as the hop list shows it.
function ruleText(step) {
  if (step.acl_rules && step.acl_rules.length) {
    return step.acl_rules.map((rule) => `${rule.acl_id} rule ${rule.rule_number === 32767 ? '*' : rule.rule_number} ${rule.action}`).join('; ');
  }
  if (step.sg_rules && step.sg_rules.length) {
    return step.sg_rules.map((rule) => `${rule.group_id} ${rule.rule_id}`).join('; ');
  }
  if (step.route) return `${step.route.route_table_id}: ${step.route.destination} -> ${step.route.target_id} (${step.route.state})`;
  return '';
}

// The address rewrite a step made, if any.
function translationText(step) {
  const t = step.translation;
  return t ? `${t.field} ${t.before} -> ${t.after}` : '';
}

// The hops of both directions in order, each with its map node and verdict.
export function pathOf(trace, hasNode, eniOwners) {
  const hops = [];
  // Empty lists are left out of the JSON (the shared serializer drops them).
  for (const [direction, list] of [['forward', trace.forward || []], ['return', trace.reverse || []]]) {
    list.forEach((hop) => {
      const steps = hop.steps || [];
      hops.push({
        direction,
        node: hopNode(hop, hasNode, eniOwners),
        component: hop.component,
        verdict: hop.verdict || hopVerdict(hop),
        rules: steps.map(ruleText).filter(Boolean),
        translations: steps.map(translationText).filter(Boolean),
        codes: steps.flatMap((step) => (step.explanations || []).map((e) => e.code)),
        texts: steps.map((step) => `${step.kind}: ${step.text}`),
      });
    });
  }
  return hops;
}

// The overlay edges of each direction's path; the forward path starts and the return path ends
// at the source (the internet has no hop of its own). A hop drawn on a container of the node
// before it (an instance's subnet: its ACL, its route table) adds no edge, and the edge into a
// container goes on to the node inside it that the packet reaches next, so the path reads
// instance -> instance with the subnets crossed lit up rather than looping into each box.
// `within(outer, inner)` says whether node inner is drawn inside node outer.
export function pathEdges(hops, sourceNode, within) {
  const edges = [];
  for (const direction of ['forward', 'return']) {
    const nodes = hops.filter((hop) => hop.direction === direction && hop.node);
    const stops = nodes.map((hop) => ({ node: hop.node, dropped: hop.verdict === 'dropped' }));
    if (sourceNode && nodes.length) {
      if (direction === 'forward') stops.unshift({ node: sourceNode, dropped: false });
      else stops.push({ node: sourceNode, dropped: false });
    }
    let anchor = null;
    let last = null;
    for (const stop of stops) {
      if (anchor === null || stop.node === anchor) {
        anchor = stop.node;
      } else if (within(stop.node, anchor)) {
        if (last) last.dropped ||= stop.dropped;
      } else if (last && last.target === anchor && within(anchor, stop.node)) {
        last.target = stop.node;
        last.dropped ||= stop.dropped;
        anchor = stop.node;
      } else {
        last = { source: anchor, target: stop.node, dropped: stop.dropped };
        edges.push({ direction, edge: last });
        anchor = stop.node;
      }
    }
  }
  const numbers = { forward: 0, return: 0 };
  return edges.map(({ direction, edge }) => {
    numbers[direction] += 1;
    const number = numbers[direction];
    return {
      group: 'edges',
      classes: `trace-path ${direction}${edge.dropped ? ' blocked' : ''}`,
      data: {
        id: `trace:${direction}:${number}`,
        source: edge.source,
        target: edge.target,
        type: 'trace',
        label: direction === 'forward' ? String(number) : `r${number}`,
      },
    };
  });
}

// The verdict banner and the hop list shown beside the map.
export function traceView(trace, hops) {
  const rows = hops.map((hop, index) => [
    String(index + 1),
    hop.direction,
    h('span', { title: hop.texts.join('\n') }, `${hop.component.kind} ${hop.component.name ? `${hop.component.name} (${hop.component.id})` : hop.component.id}`),
    h('span', { className: `verdict ${hop.verdict}`, 'data-testid': 'hop-verdict' }, hop.verdict),
    hop.rules.join('; '),
    hop.translations.join('; '),
    hop.codes.join(' '),
  ]);
  const flow = trace.flow ? `${trace.flow.protocol} ${trace.flow.source} -> ${trace.flow.destination}` : '';
  return [
    h(
      'div',
      { className: `verdict-banner ${trace.reachable ? 'ok' : 'bad'}`, 'data-testid': 'trace-verdict', 'data-reachable': String(trace.reachable) },
      trace.verdict.toUpperCase(),
    ),
    h('p', { className: 'flow' }, `${trace.source ? trace.source.id : '?'} -> ${trace.destination ? trace.destination.id : '?'}  ${flow}`),
    (trace.explanations || []).length
      ? h('ul', { className: 'explanations', 'data-testid': 'trace-explanations' }, trace.explanations.map((e) => h('li', {}, h('b', {}, e.code), ` ${e.message}`)))
      : null,
    table('trace-hops', ['#', 'Direction', 'Component', 'Verdict', 'Deciding rule', 'Translation', 'Codes'], rows),
  ].filter(Boolean);
}
