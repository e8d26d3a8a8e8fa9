// The console's only way to the server: GET /_vpclab/api/* with the chosen account and region.

const BASE = '/_vpclab/api/';

// The response index.html already asked for at this URL, once (null when there is none).
function takePrefetched(url) {
  const early = window.vpclabPrefetched;
  const response = early && early.get(url);
  if (!response) return null;
  early.delete(url);
  return response;
}

export class ApiError extends Error {
  // The error an endpoint answered ({"error": {code, message}}), kept with its HTTP status.
  constructor(code, message, status) {
    super(`${code}: ${message}`);
    this.code = code;
    this.status = status;
  }
}

export class ConsoleApi {
  // No partition until the picker's default is known.
  constructor() {
    this.account = null;
    this.region = null;
  }

  // Choose the partition every later call reads.
  use(account, region) {
    this.account = account;
    this.region = region;
  }

  // GET one endpoint; the partition and the given parameters go in the query string.
  async get(endpoint, params = {}) {
    const query = new URLSearchParams();
    if (this.account) query.set('account', this.account);
    if (this.region) query.set('region', this.region);
    for (const [key, value] of Object.entries(params)) {
      if (value !== undefined && value !== null && value !== '') query.set(key, String(value));
    }
    const url = `${BASE}${endpoint}?${query}`;
    const response = await (takePrefetched(url) || fetch(url, { cache: 'no-store' }));
    const body = await response.json();
    if (!response.ok || body.error) {
      const error = body.error || { code: String(response.status), message: response.statusText };
      throw new ApiError(error.code, error.message, response.status);
    }
    return body;
  }

  // GET /partitions: the picker's choices and the server's default partition.
  partitions() {
    return this.get('partitions');
  }

  // GET /version: polled to notice changes.
  version() {
    return this.get('version');
  }

  // GET /topology: everything the map draws.
  topology() {
    return this.get('topology');
  }

  // GET /resource: one resource as Describe shows it.
  resource(id) {
    return this.get('resource', { id });
  }

  // GET /trace: `vpclab trace --json` for this flow.
  trace(source, destination, protocol, port) {
    return this.get('trace', { source, destination, protocol, port });
  }

  // GET /exposure: `vpclab exposure --json`.
  exposure() {
    return this.get('exposure');
  }
}
