// One ELK (elkjs) running in a Web Worker, started as soon as the console loads, so the layout
// engine loads and warms up on the other core while the page fetches the topology and builds
// the map.

import ELK from 'elkjs/lib/elk-api.js';

const WORKER_URL = '/_vpclab/console/assets/elk-worker.min.js';

let shared = null;

// The console's one ELK.
export function elk() {
  if (!shared) shared = new ELK({ workerUrl: WORKER_URL });
  return shared;
}

// Start the worker and have it lay out a tiny nested graph, so its first real layout runs warm.
export function warmUpElk() {
  return elk().layout({
    id: 'warm-up',
    layoutOptions: { 'elk.algorithm': 'layered' },
    children: [
      { id: 'a', layoutOptions: { 'elk.algorithm': 'box' }, children: [{ id: 'c', width: 5, height: 5 }] },
      { id: 'b', width: 10, height: 10 },
    ],
    edges: [{ id: 'e', sources: ['a'], targets: ['b'] }],
  });
}
