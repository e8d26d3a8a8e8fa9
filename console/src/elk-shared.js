// One ELK (elkjs) running in a Web Worker that index.html starts before anything else, so the
// layout engine loads on the other core while the page fetches the topology and builds the map.

import ELK from 'elkjs/lib/elk-api.js';

const WORKER_URL = '/_vpclab/console/assets/elk-worker.min.js';

let shared = null;

// The console's one ELK, on the worker index.html started (or a new one).
export function elk() {
  if (!shared) {
    const early = window.vpclabElkWorker;
    shared = new ELK({ workerUrl: WORKER_URL, workerFactory: (url) => early || new Worker(url) });
  }
  return shared;
}
