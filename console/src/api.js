// The console's only way to the server: GET /_vpclab/api/* with the chosen account and region.

const BASE = '/_vpclab/api/';

export class ApiError extends Error {
  constructor(code, message, status) {
    super(`${code}: ${message}`);
    this.code = code;
    this.status = status;
  }
}

export class ConsoleApi {
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
    const response = await fetch(`${BASE}${endpoint}?${query}`, { cache: 'no-store' });
    const body = await response.json();
    if (!response.ok || body.error) {
      const error = body.error || { code: String(response.status), message: response.statusText };
      throw new ApiError(error.code, error.message, response.status);
    }
    return body;
  }

  partitions() {
    return this.get('partitions');
  }

  version() {
    return this.get('version');
  }

  topology() {
    return this.get('topology');
  }

  resource(id) {
    return this.get('resource', { id });
  }

  trace(source, destination, protocol, port) {
    return this.get('trace', { source, destination, protocol, port });
  }

  exposure() {
    return this.get('exposure');
  }
}
