// The console: draws the partition's network, keeps it live, runs traces and shows exposure.
// `window.vpclabConsole` gives tests and scripts a read-only look at what is drawn.

import cytoscape from 'cytoscape';
import { ConsoleApi } from './api.js';
import { describeView } from './details.js';
import { elk } from './elk-shared.js';
import { h, table } from './dom.js';
import { eniOwners, panelLinks, resourceIndex, topologyElements } from './elements.js';
import { arrangeRoots, elkGraph, leafCentres } from './layout.js';
import { COMPOUND_PADDING, EMPTY_CONTAINER, SIZES, STYLE } from './style.js';
import { pathEdges, pathOf, sourceNode, traceView } from './trace.js';


const POLL_MS = 300;
const TRACEABLE = new Set(['instance', 'eni', 'igw', 'eigw', 'nat', 'pcx', 'internet']);

const api = new ConsoleApi();
const $ = (id) => document.getElementById(id);

const state = {
  cy: null,
  topology: null,
  renderedVersion: null,
  eniOwners: new Map(),
  resources: new Map(),
  links: { flowLogs: new Map(), services: new Map() },
  selected: null,
  lastTrace: null,
  traceQuery: null,
  tracesShown: 0,
  exposure: [],
  polling: false,
  layouts: 0,
};

// The status line at the right of the header (errors in red).
function setStatus(text, isError = false) {
  const status = $('status');
  status.textContent = text;
  status.classList.toggle('error', isError);
}

// The text drawn on a node: label, subtitle and (when exposure is on) its open ports.
function displayText(data, badge) {
  const lines = [data.label];
  if (data.subtitle) lines.push(data.subtitle);
  if (badge) lines.push(badge);
  return lines.join('\n');
}

// An element with the text its node shows.
function withDisplay(element) {
  if (element.group === 'nodes') element.data.display = displayText(element.data, null);
  return element;
}

// The map, created empty and then given the elements: elements passed at creation would go
// through an initial layout (the default grid took seconds at 500 nodes, and the 'null' one puts
// every node at the origin).
function createMap(elements) {
  state.cy = cytoscape({ container: $('map'), style: STYLE, minZoom: 0.05, maxZoom: 3 });
  state.cy.on('tap', 'node', (event) => select(event.target.id()));
  state.cy.add(elements);
}

// Compute every element's style once, now, with cytoscape's per-property triggers and compound
// bookkeeping paused, then mark every cache stale once. Left to the first render, each of the
// ~15 properties applied to each node dirties the style and bounds caches of the node, its
// ancestors and descendants and emits events up the tree (about 1 s for 500 instances in a
// VPC > AZ > subnet tree, measured with Chromium's profiler); paused, the same pass takes about
// a quarter of that. Relies on cytoscape's private `hasCompoundNodes` flag, `checkTriggers` and
// `cleanStyle` (the version is pinned in package.json; docs/console.md).
function styleFirstTime(cy) {
  const own = cy._private;
  const compound = own.hasCompoundNodes;
  const style = cy.style();
  own.hasCompoundNodes = false;
  style.checkTriggers = () => {};
  try {
    cy.elements().cleanStyle();
  } finally {
    own.hasCompoundNodes = compound;
    delete style.checkTriggers;
  }
  const all = cy.elements();
  all.dirtyStyleCache();
  all.dirtyCompoundBoundsCache();
  all.dirtyBoundingBoxCache();
  // Measure the leaves' labels now too (cached by text and font, so it outlives the moves to
  // come): it was most of the first render's remaining work. Not the containers': their size
  // follows their children, which are not placed yet.
  cy.renderer().recalculateRenderedStyle(all.nodes('[!container]'));
}

// Where the nodes of these elements go (posted to ELK's worker at once; resolves later).
function layOut(nodes, edges) {
  const { graph, grids } = elkGraph(nodes);
  return elk()
    .layout(graph)
    .then((laidOut) => leafCentres(arrangeRoots(laidOut, nodes, edges), grids));
}

// Move nodes to laid-out centres, in one batch; a node already there is not touched (setting a
// position, even the same one, re-measures the node and its ancestors).
function applyCentres(centres) {
  state.cy.batch(() => {
    for (const [id, centre] of centres) {
      const node = state.cy.getElementById(id);
      const now = node.position();
      if (now.x !== centre.x || now.y !== centre.y) node.position({ x: centre.x, y: centre.y });
    }
  });
}

// The data fields of `fresh` whose values differ from the element's (arrays and objects by
// value), so an update restyles only what changed rather than every element of the map.
function changedData(element, fresh) {
  const changed = {};
  for (const [key, value] of Object.entries(fresh)) {
    const old = element.data(key);
    const same = value !== null && typeof value === 'object' ? JSON.stringify(old) === JSON.stringify(value) : old === value;
    if (!same) changed[key] = value;
  }
  return changed;
}

// Draw a whole topology on an empty map. The layout is posted to ELK's worker first; while it
// computes on the other core, the page adds the elements and computes their styles (the bulk of
// the first render's work). Rendering is held (a cytoscape batch) until every node is at its
// place, so no frame shows them piled at the origin, and placing them in the batch re-measures
// each compound parent once instead of at every move.
async function drawFresh(topology) {
  const elements = topologyElements(topology).map(withDisplay);
  const data = (group) => elements.filter((element) => element.group === group).map((element) => element.data);
  const placing = layOut(data('nodes'), data('edges'));
  if (state.cy) state.cy.add(elements);
  else createMap(elements);
  styleFirstTime(state.cy);
  performance.mark('vpclab-map-built');
  state.cy.startBatch();
  try {
    const centres = await placing;
    performance.mark('vpclab-elk-done');
    applyCentres(centres);
    fitTo(extent(centres, elements));
  } finally {
    state.cy.endBatch();
  }
}

// The box around the drawing, from the layout and the leaves' sizes by type (asking cytoscape
// would compute every element's style and label first: seconds at 500 instances).
function extent(centres, elements) {
  const types = new Map(elements.map((element) => [element.data.id, element.data.type]));
  const box = { x1: Infinity, y1: Infinity, x2: -Infinity, y2: -Infinity };
  for (const [id, centre] of centres) {
    const size = SIZES[types.get(id)] || EMPTY_CONTAINER;
    const [halfWidth, halfHeight] = [size.width / 2, size.height / 2];
    box.x1 = Math.min(box.x1, centre.x - halfWidth - COMPOUND_PADDING * 4);
    box.y1 = Math.min(box.y1, centre.y - halfHeight - COMPOUND_PADDING * 4);
    box.x2 = Math.max(box.x2, centre.x + halfWidth + COMPOUND_PADDING * 4);
    box.y2 = Math.max(box.y2, centre.y + halfHeight + COMPOUND_PADDING * 4);
  }
  return box;
}

// Zoom and pan so the box fills the map.
function fitTo(box) {
  const cy = state.cy;
  if (!Number.isFinite(box.x1)) return;
  const [width, height] = [cy.width(), cy.height()];
  const zoom = Math.min(cy.maxZoom(), Math.max(cy.minZoom(), Math.min(width / (box.x2 - box.x1), height / (box.y2 - box.y1))));
  cy.viewport({
    zoom,
    pan: { x: (width - (box.x2 - box.x1) * zoom) / 2 - box.x1 * zoom, y: (height - (box.y2 - box.y1) * zoom) / 2 - box.y1 * zoom },
  });
}

// Whether the map holds exactly these elements (by id, each node under the same parent): then a
// new topology changed only attributes (labels, states, rules) and nothing needs to move.
function sameStructure(elements) {
  const cy = state.cy;
  const drawn = cy.elements().filter((element) => !element.hasClass('trace-path'));
  if (drawn.length !== elements.length) return false;
  return elements.every((element) => {
    const existing = cy.getElementById(element.data.id);
    if (existing.empty()) return false;
    return element.group !== 'nodes' || (existing.data('parent') || null) === (element.data.parent || null);
  });
}

// Bring the drawn graph in step with a topology. An attribute change updates the elements in
// place and moves nothing. A structural one (an element added or removed, a node moved to
// another parent) lays the whole graph out again in ELK's worker first, then, in one batch (one
// frame, no flicker), removes what went, adds what is new at its place and moves the rest to
// theirs; the viewport stays where the user left it. False when the user switched to another
// partition while the layout was computed (nothing is changed then).
async function applyTopology(topology) {
  const cy = state.cy;
  const elements = topologyElements(topology).map(withDisplay);
  const data = (group) => elements.filter((element) => element.group === group).map((element) => element.data);
  const centres = sameStructure(elements) ? null : await layOut(data('nodes'), data('edges'));
  if (!isShown(topology)) return false;
  const wanted = new Set(elements.map((element) => element.data.id));
  const added = [];
  cy.batch(() => {
    cy.elements().filter((element) => !element.hasClass('trace-path') && !wanted.has(element.id())).remove();
    for (const element of elements) {
      const existing = cy.getElementById(element.data.id);
      if (existing.nonempty()) {
        if (element.group === 'nodes' && (existing.data('parent') || null) !== (element.data.parent || null)) {
          existing.move({ parent: element.data.parent || null });
        }
        const { id, parent, source, target, ...mutable } = element.data;
        const changed = changedData(existing, mutable);
        if (Object.keys(changed).length) existing.data(changed);
      } else {
        const centre = centres && centres.get(element.data.id);
        added.push(centre ? { ...element, position: { ...centre } } : element);
      }
    }
    cy.add(added);
    if (centres) applyCentres(centres);
  });
  if (centres) state.layouts += 1;
  return true;
}

// Whether a topology is of the partition the page shows now (the user may have switched to
// another while it was fetched or laid out).
function isShown(topology) {
  return topology.account === api.account && topology.region === api.region;
}

// Keep the topology and what is looked up from it (ENI owners, resources by id).
function indexTopology(topology) {
  state.topology = topology;
  state.eniOwners = eniOwners(topology);
  state.resources = resourceIndex(topology);
  state.links = panelLinks(topology);
}

// Fetch the topology and draw it: from scratch the first time, in place afterwards.
async function loadTopology() {
  const topology = await api.topology();
  if (!isShown(topology)) return;
  indexTopology(topology);
  if (!state.cy) {
    await drawFresh(topology);
    performance.mark('vpclab-layout-done');
    // First paint: the frame after cytoscape's first render of the placed graph has drawn it.
    state.cy.one('render', () => requestAnimationFrame(() => performance.mark('vpclab-first-paint')));
  } else {
    if (!(await applyTopology(topology))) return;
    await redrawOverlays();
  }
  state.renderedVersion = topology.version;
  setStatus(`version ${topology.version} · ${state.cy.nodes().length} nodes`);
}

// After the network changed: trace the shown flow again and refresh the exposure overlay, so
// both always describe the network as it is now.
async function redrawOverlays() {
  if (state.traceQuery) await traceAndDraw(state.traceQuery);
  if ($('exposure').checked) await refreshExposure();
}

// The live loop's step: refetch and redraw when the partition's version moved.
async function poll() {
  if (state.polling) return;
  state.polling = true;
  try {
    const { version } = await api.version();
    if (version !== state.renderedVersion) {
      await loadTopology();
      if (state.selected) showDetails(state.selected);
    }
  } catch (error) {
    setStatus(`cannot reach vpclab: ${error.message}`, true);
  } finally {
    state.polling = false;
  }
}

// ---- selection and the side panel ----

// The resources a node links to in the panel (route table, ACL, groups, ENIs, VPC).
function relatedLinks(node) {
  const data = node.data();
  const links = [];
  if (data.type === 'subnet') {
    links.push(['Route table', data.routeTableId], ['Network ACL', data.networkAclId]);
  }
  for (const group of data.securityGroupIds || []) links.push(['Security group', group]);
  const ownEnis = ['instance', 'service'].includes(data.type) ? data.eniIds || [] : [];
  for (const eni of ownEnis) links.push(['Network interface', eni]);
  if (data.subnetGroupId) links.push(['Subnet group', data.subnetGroupId]);
  for (const service of data.type === 'eni' ? state.links.services.get(data.id) || [] : []) {
    links.push(['Used by', service]);
  }
  // Flow logs recording it: its own, or (an instance) its network interfaces'.
  for (const recorded of [data.id, ...(data.type === 'instance' ? data.eniIds || [] : [])]) {
    for (const flowLog of state.links.flowLogs.get(recorded) || []) links.push(['Flow log', flowLog]);
  }
  if (data.vpc) links.push(['VPC', data.vpc]);
  return links.filter(([, id]) => id);
}

// Select a node on the map and show it in the panel.
function select(id) {
  const node = state.cy.getElementById(id);
  state.cy.nodes(':selected').unselect();
  if (node.nonempty()) node.select();
  state.selected = id;
  showDetails(id);
}

// 'Set as source/destination' for a node a trace can start or end at.
function traceButtons(id) {
  const node = state.cy.getElementById(id);
  if (node.empty() || !TRACEABLE.has(node.data('type'))) return null;
  return h(
    'div',
    { className: 'trace-buttons' },
    h('button', { 'data-testid': 'set-source', onClick: () => { $('trace-source').value = id; } }, 'Set as source'),
    h('button', { 'data-testid': 'set-destination', onClick: () => { $('trace-destination').value = id; } }, 'Set as destination'),
  );
}

// Fill the side panel with a resource: its Describe output when it is an AWS resource.
async function showDetails(id) {
  const panel = $('details');
  const node = state.cy.getElementById(id);
  const data = node.nonempty() ? node.data() : null;
  const buttons = traceButtons(id);
  if (data && ['az', 'internet', 'remote-vpc'].includes(data.type)) {
    panel.replaceChildren(h('div', { 'data-testid': 'resource', 'data-id': id, 'data-kind': data.type }, h('h2', {}, data.label), h('p', {}, data.subtitle || ''), buttons));
    return;
  }
  try {
    const resource = await api.resource(id);
    if (state.selected !== id) return; // another resource was picked meanwhile
    panel.replaceChildren(buttons || '', describeView(resource, node.nonempty() ? relatedLinks(node) : [], openResource));
  } catch (error) {
    panel.replaceChildren(h('p', { className: 'error', 'data-testid': 'details-error' }, error.message));
  }
}

// Show a linked resource: select it when it is on the map, else only describe it.
function openResource(id) {
  if (state.cy.getElementById(id).nonempty()) select(id);
  else {
    state.selected = id;
    state.cy.nodes(':selected').unselect();
    showDetails(id);
  }
}

// ---- search ----

// Whether a node is the one asked for by id, Name tag, address or CIDR.
function matches(node, query) {
  const data = node.data();
  const needle = query.toLowerCase();
  return [data.id, data.name, data.privateIp, data.publicIp, data.cidr]
    .filter(Boolean)
    .some((value) => String(value).toLowerCase() === needle);
}

// Select and centre the node the search box names.
function search(query) {
  const trimmed = query.trim();
  const found = state.cy.nodes().filter((node) => matches(node, trimmed));
  const message = $('search-message');
  if (found.empty()) {
    message.textContent = `nothing matches ${trimmed}`;
    return;
  }
  const node = found[0];
  message.textContent = found.length > 1 ? `${found.length} matches; showing ${node.id()}` : '';
  select(node.id());
  state.cy.animate({ center: { eles: node }, zoom: Math.max(state.cy.zoom(), 1) }, { duration: 200 });
}

// ---- trace ----

// Take the previous trace off the map.
function clearTrace() {
  state.cy.remove('.trace-path');
  state.cy.nodes().removeClass('trace-admitted trace-blocked');
  $('verdict').hidden = true;
}

// Draw a trace's path on the map and its hops in the panel; `fit` zooms to the path (for a trace
// the user asked for, not for one re-run because the network changed).
function drawTrace(trace, fit) {
  const cy = state.cy;
  clearTrace();
  const has = (id) => cy.getElementById(id).nonempty();
  const hops = pathOf(trace, has, state.eniOwners);
  cy.batch(() => {
    for (const hop of hops) {
      if (!hop.node) continue;
      const node = cy.getElementById(hop.node);
      if (hop.verdict === 'dropped') node.removeClass('trace-admitted').addClass('trace-blocked');
      else if (!node.hasClass('trace-blocked')) node.addClass('trace-admitted');
    }
    const source = sourceNode(trace, has, state.eniOwners);
    if (source) cy.getElementById(source).addClass('trace-admitted');
    const within = (outer, inner) => cy.getElementById(inner).ancestors().contains(cy.getElementById(outer));
    cy.add(pathEdges(hops, source, within));
  });
  state.lastTrace = { raw: trace, hops };
  const panel = $('trace-result');
  panel.hidden = false;
  panel.replaceChildren(h('h2', {}, 'Trace'), ...traceView(trace, hops));
  $('side').scrollTop = 0;
  const verdict = $('verdict');
  verdict.hidden = false;
  verdict.textContent = trace.verdict.toUpperCase();
  verdict.className = `verdict-badge ${trace.reachable ? 'ok' : 'bad'}`;
  const onPath = cy.elements('.trace-admitted, .trace-blocked, .trace-path');
  if (fit && onPath.nonempty()) cy.animate({ fit: { eles: onPath, padding: 60 } }, { duration: 200 });
}

// Ask /trace for a flow and draw the answer (or the error) on the map and in the panel.
// The panel's data-run counts answers shown, so a caller can wait for the next one.
async function traceAndDraw(query, fit = false) {
  const panel = $('trace-result');
  try {
    drawTrace(await api.trace(query.source, query.destination, query.protocol, query.port), fit);
  } catch (error) {
    clearTrace();
    state.lastTrace = null;
    panel.hidden = false;
    panel.replaceChildren(h('h2', {}, 'Trace'), h('p', { className: 'error', 'data-testid': 'trace-error' }, error.message));
  }
  state.tracesShown += 1;
  panel.dataset.run = String(state.tracesShown);
}

// The trace form's submit: remember the flow (live updates re-run it) and trace it.
function runTrace(event) {
  event.preventDefault();
  state.traceQuery = {
    source: $('trace-source').value.trim(),
    destination: $('trace-destination').value.trim(),
    protocol: $('trace-protocol').value,
    port: $('trace-port').value,
  };
  return traceAndDraw(state.traceQuery, true);
}

// ---- exposure ----

// An exposure finding's protocol and ports, for the node's badge.
function portText(finding) {
  const spans = finding.destination_ports ? finding.destination_ports.spans : [];
  const ports = spans.map(([low, high]) => (low === high ? String(low) : low === 0 && high === 65535 ? 'all' : `${low}-${high}`));
  return finding.protocol === '-1' || finding.protocol === 'all' ? 'all traffic' : `${finding.protocol} ${ports.join(',') || 'all'}`;
}

// The drawn node of each exposed ENI with the ports open to the internet.
function exposedNodes(findings) {
  const byNode = new Map();
  for (const finding of findings) {
    const id = state.eniOwners.get(finding.eni_id) || finding.eni_id;
    if (!byNode.has(id)) byNode.set(id, []);
    byNode.get(id).push(portText(finding));
  }
  return [...byNode.entries()].map(([id, ports]) => ({ id, ports: [...new Set(ports)] }));
}

// Take the exposure overlay off the map.
function clearExposure() {
  state.cy.nodes('.exposed').forEach((node) => {
    node.removeClass('exposed');
    node.data('display', displayText(node.data(), null));
  });
  state.exposure = [];
  $('exposure-result').hidden = true;
}

// Ask /exposure and mark every exposed node with its open ports.
async function refreshExposure() {
  const findings = await api.exposure();
  clearExposure();
  const exposed = exposedNodes(findings);
  state.cy.batch(() => {
    for (const { id, ports } of exposed) {
      const node = state.cy.getElementById(id);
      if (node.empty()) continue;
      node.addClass('exposed');
      node.data('display', displayText(node.data(), `⚠ ${ports.join(' · ')}`));
    }
  });
  state.exposure = exposed;
  const panel = $('exposure-result');
  panel.hidden = false;
  panel.replaceChildren(
    h('h2', {}, `Exposed to the internet (${exposed.length})`),
    table('exposure-list', ['Resource', 'Open'], exposed.map(({ id, ports }) => [id, ports.join(', ')])),
  );
}

// The Exposure checkbox.
async function toggleExposure() {
  try {
    if ($('exposure').checked) await refreshExposure();
    else clearExposure();
  } catch (error) {
    setStatus(`exposure: ${error.message}`, true);
  }
}

// ---- partitions ----

// Fill the picker from /partitions, keeping `chosen` (or the server's default) selected and
// listed even before it holds anything; returns the partition selected.
async function loadPartitions(chosen = null) {
  const { partitions, default: fallback } = await api.partitions();
  const selected = chosen || fallback;
  const select = $('partition');
  const choices = partitions.some((p) => p.account === selected.account && p.region === selected.region)
    ? partitions
    : [selected, ...partitions];
  const values = choices.map((p) => `${p.account}|${p.region}`);
  if (values.join() !== [...select.options].map((option) => option.value).join()) {
    select.replaceChildren(...choices.map((p, i) => h('option', { value: values[i] }, `${p.account} · ${p.region}`)));
  }
  select.value = `${selected.account}|${selected.region}`;
  return selected;
}

// Partitions created since the page loaded (a first call in another region or account) join
// the picker when the user opens it.
function refreshPartitions() {
  return loadPartitions({ account: api.account, region: api.region }).catch((e) => setStatus(e.message, true));
}

// Draw another account or region from scratch, with no trace shown.
async function switchPartition() {
  const [account, region] = $('partition').value.split('|');
  api.use(account, region);
  state.lastTrace = null;
  state.traceQuery = null;
  $('trace-result').hidden = true;
  $('verdict').hidden = true;
  state.cy.elements().remove();
  state.renderedVersion = null;
  const topology = await api.topology();
  indexTopology(topology);
  await drawFresh(topology);
  state.renderedVersion = topology.version;
  if ($('exposure').checked) await refreshExposure();
}

// ---- the read-only hook for tests ----

// window.vpclabConsole: a read-only look at what is drawn, for tests and scripts.
function exposeHooks(ready) {
  window.vpclabConsole = Object.freeze({
    ready,
    get renderedVersion() {
      return state.renderedVersion;
    },
    nodes() {
      return state.cy.nodes().map((node) => ({
        id: node.id(),
        label: node.data('label'),
        display: node.data('display'),
        type: node.data('type'),
        parent: node.data('parent') || null,
        public: node.data('public') === undefined ? null : node.data('public'),
        classes: node.classes(),
      }));
    },
    edges() {
      return state.cy.edges().map((e) => ({ id: e.id(), source: e.source().id(), target: e.target().id(), type: e.data('type'), label: e.data('label'), classes: e.classes() }));
    },
    position(id) {
      const node = state.cy.getElementById(id);
      return node.empty() ? null : { ...node.position() };
    },
    // Every node's drawn box (its body, without labels and overlays) and its parent.
    boxes() {
      return state.cy.nodes().map((node) => {
        const { x1, y1, x2, y2 } = node.boundingBox({ includeLabels: false, includeOverlays: false });
        return { id: node.id(), parent: node.data('parent') || null, x1, y1, x2, y2 };
      });
    },
    // How many times live updates laid the graph out again (structural changes only).
    get layouts() {
      return state.layouts;
    },
    viewport() {
      return { zoom: state.cy.zoom(), pan: { ...state.cy.pan() } };
    },
    lastTrace() {
      if (!state.lastTrace) return null;
      const { raw, hops } = state.lastTrace;
      return JSON.parse(JSON.stringify({ verdict: raw.verdict, reachable: raw.reachable, hops }));
    },
    exposure() {
      return JSON.parse(JSON.stringify(state.exposure));
    },
    selected() {
      return state.selected;
    },
  });
}

// Load the partition and topology, wire the controls, start polling.
async function start() {
  const { account, region } = await loadPartitions();
  api.use(account, region);
  await loadTopology();
  $('partition').addEventListener('change', () => switchPartition().catch((e) => setStatus(e.message, true)));
  $('partition').addEventListener('focus', refreshPartitions);
  $('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    search($('search').value);
  });
  $('trace-form').addEventListener('submit', runTrace);
  $('exposure').addEventListener('change', toggleExposure);
  setInterval(poll, POLL_MS);
}

const ready = start().catch((error) => {
  setStatus(`console failed to start: ${error.message}`, true);
  throw error;
});
exposeHooks(ready);
