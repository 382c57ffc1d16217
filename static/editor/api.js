// Thin client for the Sluice JSON API (session auth + CSRF).

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export function getCookie(name) {
  const parts = document.cookie ? document.cookie.split(';') : [];
  for (const part of parts) {
    const [k, ...rest] = part.trim().split('=');
    if (k === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

let apiBase = '/api';
export function setApiBase(base) {
  apiBase = (base || '/api').replace(/\/$/, '');
}
export function getApiBase() {
  return apiBase;
}

export async function request(method, path, body, { signal, headers = {} } = {}) {
  const opts = {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json', ...headers },
    signal,
  };
  if (method !== 'GET' && method !== 'HEAD') {
    const token = getCookie('csrftoken');
    if (token) opts.headers['X-CSRFToken'] = token;
  }
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(apiBase + path, opts);
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network_error', 'Network error: the server could not be reached', null);
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const e = (data && data.error) || {};
    let message = e.message;
    if (!message && data && typeof data.detail === 'string') message = data.detail;
    if (!message) message = `${res.status} ${res.statusText || 'error'}`;
    throw new ApiError(res.status, e.code || `http_${res.status}`, message, e.details);
  }
  if (data === null && text) {
    throw new ApiError(res.status, 'bad_response', 'The server answered with something that is not JSON', null);
  }
  return data;
}

const enc = encodeURIComponent;

export const api = {
  nodeTypes: () => request('GET', '/node-types'),
  listFlows: () => request('GET', '/flows'),
  createFlow: (doc) => request('POST', '/flows', doc),
  getFlow: (key) => request('GET', `/flows/${enc(key)}`),
  saveFlow: (key, doc) => request('PUT', `/flows/${enc(key)}`, doc),
  deleteFlow: (key) => request('DELETE', `/flows/${enc(key)}`),
  exportFlow: (key) => request('GET', `/flows/${enc(key)}/export`),
  importFlow: (file) => request('POST', '/flows/import', file),
  validate: (key, document, opts) =>
    request('POST', `/flows/${enc(key)}/validate`, document ? { document } : {}, opts),
  checkExpression: (expression, opts) => request('POST', '/expressions/check', { expression }, opts),
  publish: (key, note) => request('POST', `/flows/${enc(key)}/publish`, { note }),
  versions: (key) => request('GET', `/flows/${enc(key)}/versions`),
  version: (key, n) => request('GET', `/flows/${enc(key)}/versions/${enc(n)}`),
  startExecution: (key, input, sync) =>
    request('POST', `/flows/${enc(key)}/executions${sync ? '?sync=true' : ''}`, { input }),
  executions: (key) => request('GET', `/executions?flow=${enc(key)}`),
  execution: (id) => request('GET', `/executions/${enc(id)}`),
  steps: (id) => request('GET', `/executions/${enc(id)}/steps`),
  cancelExecution: (id) => request('POST', `/executions/${enc(id)}/cancel`, {}),
  retryExecution: (id) => request('POST', `/executions/${enc(id)}/retry`, {}),
  fireTransition: (id, name, input) =>
    request('POST', `/executions/${enc(id)}/transitions/${enc(name)}`, { input: input || {} }),
};

export function executionSocketUrl(id) {
  const proto = window.location.protocol === 'https:' ? 'wss' : 'ws';
  return `${proto}://${window.location.host}/ws/executions/${enc(id)}/`;
}

// Lists may come as {items: [...]} or {results: [...]} or a bare array.
export function itemsOf(data) {
  if (!data) return [];
  if (Array.isArray(data)) return data;
  return data.items || data.results || [];
}
