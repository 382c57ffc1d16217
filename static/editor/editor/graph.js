// Conversion between the API's flow document and React Flow's nodes/edges,
// plus id generation, connection rules, diffing and auto-layout.
import dagre from '@dagrejs/dagre';

export const NODE_W = 184;
export const NODE_H = 64;

const EDGE_FIELDS = ['condition', 'default', 'on_error', 'trigger', 'name', 'label', 'after_s', 'at', 'event'];

export function clone(v) {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

// Which output port (handle id) an edge leaves from: a port whose `edge`
// attributes (e.g. {on_error: true}) all match the edge, else the first
// plain port.
export function portFor(spec, data) {
  const outs = spec?.ports?.outputs;
  if (!outs || !outs.length) return null;
  const match = outs.find((p) => p.edge && Object.entries(p.edge).every(([k, v]) => (data?.[k] ?? false) === v));
  if (match) return match.name;
  const plain = outs.find((p) => !p.edge && p.kind !== 'error');
  return (plain || outs[0]).name;
}

// Edges already leaving through `handle` of node `source`.
export function edgesFromPort(edges, source, handle, spec) {
  return edges.filter((e) => e.source === source && (e.sourceHandle ?? portFor(spec, e.data)) === handle);
}

export function inputPortFor(spec) {
  const ins = spec?.ports?.inputs;
  return ins && ins.length ? ins[0].name : null;
}

export function withHandles(edge, nodesById, registry) {
  if (!registry) return edge;
  const src = nodesById.get(edge.source);
  const tgt = nodesById.get(edge.target);
  const sourceHandle = src ? portFor(registry.byType[src.data.type], edge.data) : null;
  const targetHandle = tgt ? inputPortFor(registry.byType[tgt.data.type]) : null;
  if ((edge.sourceHandle ?? null) === sourceHandle && (edge.targetHandle ?? null) === targetHandle) return edge;
  return { ...edge, sourceHandle, targetHandle };
}

export function docToFlow(graph, registry) {
  const g = graph || {};
  const nodes = (g.nodes || []).map((n, i) => ({
    id: String(n.id),
    type: 'sluice',
    position: {
      x: Number(n.position?.x ?? 80 + (i % 6) * 260),
      y: Number(n.position?.y ?? 80 + Math.floor(i / 6) * 140),
    },
    data: {
      type: n.type,
      label: n.label || '',
      config: clone(n.config) || {},
      ...(n.retry ? { retry: clone(n.retry) } : {}),
      extra: extraFields(n, ['id', 'type', 'position', 'config', 'label', 'retry']),
    },
  }));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const edges = (g.edges || []).map((e, i) => {
    const data = {};
    for (const f of EDGE_FIELDS) if (e[f] !== undefined && e[f] !== null) data[f] = clone(e[f]);
    data.extra = extraFields(e, ['id', 'source', 'target', ...EDGE_FIELDS]);
    return withHandles(
      {
        id: String(e.id || `e${i + 1}`),
        source: String(e.source),
        target: String(e.target),
        type: 'sluice',
        data,
      },
      byId,
      registry,
    );
  });
  return { nodes, edges };
}

function extraFields(obj, known) {
  const out = {};
  for (const [k, v] of Object.entries(obj || {})) if (!known.includes(k)) out[k] = clone(v);
  return Object.keys(out).length ? out : undefined;
}

function cleanConfig(config) {
  const out = {};
  for (const [k, v] of Object.entries(config || {})) {
    if (v === undefined || v === '' || v === null) continue;
    out[k] = v;
  }
  return out;
}

export function flowToGraph(nodes, edges) {
  return {
    nodes: nodes
      .filter((n) => !n.data?.ghost)
      .map((n) => {
        const out = {
          ...(n.data.extra || {}),
          id: n.id,
          type: n.data.type,
          position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
          config: cleanConfig(n.data.config),
        };
        if (n.data.label) out.label = n.data.label;
        if (n.data.retry && Object.keys(n.data.retry).length) out.retry = n.data.retry;
        return out;
      }),
    edges: edges
      .filter((e) => !e.data?.ghost)
      .map((e) => {
        const out = { ...(e.data?.extra || {}), id: e.id, source: e.source, target: e.target };
        for (const f of EDGE_FIELDS) {
          const v = e.data?.[f];
          if (v === undefined || v === null || v === '' || v === false) continue;
          out[f] = v;
        }
        return out;
      }),
  };
}

export function uniqueNodeId(type, taken) {
  const base = String(type).replace(/[^A-Za-z0-9_-]/g, '_') || 'node';
  let n = 1;
  while (taken.has(`${base}_${n}`)) n += 1;
  return `${base}_${n}`;
}

export function uniqueEdgeId(taken) {
  let n = taken.size + 1;
  while (taken.has(`e${n}`)) n += 1;
  return `e${n}`;
}

// Connection rules shared by isValidConnection and onConnect. Returns an
// error message, or null when the connection is allowed.
export function connectionProblem(conn, nodes, edges, registry) {
  if (!conn.source || !conn.target) return 'Pick two nodes';
  if (conn.source === conn.target) return 'A node cannot connect to itself';
  const src = nodes.find((n) => n.id === conn.source);
  const tgt = nodes.find((n) => n.id === conn.target);
  if (!src || !tgt) return 'Unknown node';
  if (tgt.data.type === 'start') return 'Nothing can lead into start';
  if (src.data.type === 'end' || src.data.type === 'fail') return `A ${src.data.type} node has no way out`;
  if (edges.some((e) => e.source === conn.source && e.target === conn.target)) return 'These nodes are already connected';
  const spec = registry?.byType[src.data.type];
  const outs = spec?.ports?.outputs;
  if (outs) {
    if (!outs.length) return `A ${spec.label || src.data.type} node has no way out`;
    const port = outs.find((p) => p.name === conn.sourceHandle) || outs.find((p) => !p.edge && p.kind !== 'error') || outs[0];
    if (port && port.max && port.max > 1) {
      const used = edges.filter((e) => e.source === conn.source && (e.sourceHandle ?? portFor(spec, e.data)) === port.name).length;
      if (used >= port.max) return port.kind === 'error' ? 'This node already has an error edge' : `This output takes at most ${port.max} connection${port.max === 1 ? '' : 's'}`;
    }
  }
  const tspec = registry?.byType[tgt.data.type];
  if (tspec?.ports?.inputs && !tspec.ports.inputs.length) return `Nothing can lead into ${tspec.label || tgt.data.type}`;
  return null;
}

function manualNames(srcNode, tgtNode, edges) {
  const names = new Set(edges.filter((e) => e.source === srcNode.id).map((e) => e.data?.name));
  let name = `to_${tgtNode?.id || 'next'}`.replace(/[^A-Za-z0-9_]/g, '_');
  let i = 2;
  while (names.has(name)) name = `${name}_${i++}`;
  const label = (tgtNode?.data.label || tgtNode?.id || 'Continue').replace(/_/g, ' ');
  return { name, label: label.charAt(0).toUpperCase() + label.slice(1) };
}

export function defaultEdgeData(srcNode, tgtNode, edges, port) {
  if (port?.edge) {
    const data = { ...port.edge };
    if (data.trigger === 'manual') Object.assign(data, manualNames(srcNode, tgtNode, edges));
    if (data.trigger === 'scheduled') data.after_s = 3600;
    return data;
  }
  if (port && port.requires === 'condition') return {};
  if (srcNode?.data.type === 'state') {
    const names = new Set(edges.filter((e) => e.source === srcNode.id).map((e) => e.data?.name));
    let name = `to_${tgtNode?.id || 'next'}`.replace(/[^A-Za-z0-9_]/g, '_');
    let i = 2;
    while (names.has(name)) name = `${name}_${i++}`;
    const label = (tgtNode?.data.label || tgtNode?.id || 'Continue').replace(/_/g, ' ');
    return { trigger: 'manual', name, label: label.charAt(0).toUpperCase() + label.slice(1) };
  }
  if (srcNode?.data.type === 'decision') {
    const outs = edges.filter((e) => e.source === srcNode.id);
    if (!outs.filter((e) => !e.data?.on_error).length) return { condition: 'true' };
    if (!outs.some((e) => e.data?.default)) return { default: true };
    return { condition: '' };
  }
  return {};
}

// What an edge's label says: its condition, trigger or role (icon name and text).
export function edgeLabel(data, sourceHandle) {
  const d = data || {};
  const parts = [];
  let icon = null;
  if (d.trigger) {
    if (d.trigger === 'manual') {
      icon = 'play';
      parts.push(d.label || d.name || 'manual');
    } else if (d.trigger === 'scheduled') {
      icon = 'delay';
      parts.push(d.after_s !== undefined && d.after_s !== '' ? `after ${fmtSeconds(d.after_s)}` : d.at ? `at ${d.at}` : 'scheduled');
    } else if (d.trigger === 'event') {
      icon = 'bolt';
      parts.push(d.event || 'event');
    } else if (d.trigger === 'automatic') {
      icon = 'branch';
      parts.push(d.condition ? d.condition : d.default ? 'otherwise' : 'automatic');
    }
  } else {
    if (d.condition) parts.push(d.condition);
    if (d.default && sourceHandle !== 'default') parts.push('default');
    if (d.label && !d.condition) parts.push(d.label);
  }
  if (d.on_error && sourceHandle !== 'error') parts.push('on error');
  const s = parts.join(' · ');
  return { icon, text: s.length > 42 ? `${s.slice(0, 40)}…` : s };
}

function fmtSeconds(v) {
  const n = Number(v);
  if (!Number.isFinite(n)) return `${v}s`;
  if (n >= 86400 && n % 3600 === 0) return `${+(n / 86400).toFixed(1)} d`;
  if (n >= 3600 && n % 60 === 0) return `${+(n / 3600).toFixed(1)} h`;
  if (n >= 60) return `${+(n / 60).toFixed(1)} min`;
  return `${n} s`;
}

// Where an edge leaves its source, top to bottom: the index of its port among the
// source's outputs (the error port, drawn at the bottom, comes last).
function portRank(edge, nodesById, registry) {
  const src = nodesById.get(edge.source);
  const outs = registry?.byType[src?.data.type]?.ports?.outputs || [];
  const ordered = [...outs.filter((p) => p.kind !== 'error'), ...outs.filter((p) => p.kind === 'error')];
  const handle = edge.sourceHandle ?? portFor(registry?.byType[src?.data.type], edge.data);
  const i = ordered.findIndex((p) => p.name === handle);
  return i < 0 ? ordered.length : i;
}

// Left-to-right layout with dagre. The targets of one node keep the order of the ports
// they leave from (a decision's branches above its default, the error path below), so
// branches do not cross: edges go in by port and each node's targets get an order
// constraint, unless it would contradict one already given.
export function layoutNodes(nodes, edges, registry, { direction = 'LR' } = {}) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: direction, nodesep: 48, ranksep: 80, marginx: 40, marginy: 40 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) {
    g.setNode(n.id, { width: n.measured?.width || NODE_W, height: n.measured?.height || NODE_H });
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const ranked = edges
    .filter((e) => g.hasNode(e.source) && g.hasNode(e.target) && e.source !== e.target)
    .map((e, i) => ({ e, i, port: portRank(e, byId, registry) }))
    .sort((a, b) => (a.e.source < b.e.source ? -1 : a.e.source > b.e.source ? 1 : a.port - b.port || a.i - b.i));
  const targets = new Map();
  for (const { e } of ranked) {
    // room for the label between the two nodes (11 px monospace, with its padding)
    const { text } = edgeLabel(e.data, e.sourceHandle);
    g.setEdge(e.source, e.target, text ? { width: text.length * 7 + 30, height: 22, labelpos: 'c' } : {});
    const list = targets.get(e.source) || [];
    if (!list.includes(e.target)) list.push(e.target);
    targets.set(e.source, list);
  }
  const before = new Map(); // constraint graph: left → set of rights
  const reaches = (from, to) => {
    const seen = new Set([from]);
    const stack = [from];
    while (stack.length) {
      const v = stack.pop();
      if (v === to) return true;
      for (const w of before.get(v) || []) {
        if (!seen.has(w)) {
          seen.add(w);
          stack.push(w);
        }
      }
    }
    return false;
  };
  const constraints = [];
  for (const list of targets.values()) {
    for (let i = 1; i < list.length; i += 1) {
      const [left, right] = [list[i - 1], list[i]];
      if (reaches(right, left)) continue;
      if (!before.has(left)) before.set(left, new Set());
      before.get(left).add(right);
      constraints.push({ left, right });
    }
  }
  dagre.layout(g, { constraints });
  return nodes.map((n) => {
    const p = g.node(n.id);
    if (!p) return n;
    const w = n.measured?.width || NODE_W;
    const h = n.measured?.height || NODE_H;
    return { ...n, position: { x: Math.round((p.x - w / 2) / 16) * 16, y: Math.round((p.y - h / 2) / 16) * 16 } };
  });
}

function stable(v) {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

// Compare two API graphs (from → to). Returns maps id → 'added'|'removed'|'changed'.
export function diffGraphs(from, to) {
  const nodes = {};
  const edges = {};
  const fn = new Map((from.nodes || []).map((n) => [n.id, n]));
  const tn = new Map((to.nodes || []).map((n) => [n.id, n]));
  for (const [id, n] of tn) {
    if (!fn.has(id)) nodes[id] = 'added';
    else {
      const a = fn.get(id);
      if (stable({ t: a.type, c: a.config || {}, l: a.label || '' }) !== stable({ t: n.type, c: n.config || {}, l: n.label || '' }))
        nodes[id] = 'changed';
    }
  }
  for (const id of fn.keys()) if (!tn.has(id)) nodes[id] = 'removed';
  const strip = (e) => {
    const { id, ...rest } = e;
    return stable(rest);
  };
  const fe = new Map((from.edges || []).map((e) => [e.id, e]));
  const te = new Map((to.edges || []).map((e) => [e.id, e]));
  for (const [id, e] of te) {
    if (!fe.has(id)) edges[id] = 'added';
    else if (strip(fe.get(id)) !== strip(e)) edges[id] = 'changed';
  }
  for (const id of fe.keys()) if (!te.has(id)) edges[id] = 'removed';
  return { nodes, edges };
}

export function graphsEqual(a, b) {
  return stable(a) === stable(b);
}
export { stable };
