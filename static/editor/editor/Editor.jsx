import { useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import {
  ReactFlow,
  ReactFlowProvider,
  Background,
  Controls,
  MiniMap,
  MarkerType,
  applyEdgeChanges,
  applyNodeChanges,
  useReactFlow,
} from '@xyflow/react';
import { api, ApiError } from '../api.js';
import { AppHeader, Dialog, useToast } from '../ui.jsx';
import { Icon, colourFor } from '../icons.jsx';
import { FlowNode } from './FlowNode.jsx';
import { FlowEdge } from './FlowEdge.jsx';
import { Palette, DND_MIME } from './Palette.jsx';
import { PropertiesPanel } from './Properties.jsx';
import { defaultsFor, ExpressionNamesContext } from './SchemaForm.jsx';
import { RegistryContext, buildRegistry } from './registry.js';
import { DecorationsContext, createDecorations, mergeLayers } from './decorations.js';
import {
  NODE_H,
  NODE_W,
  clone,
  connectionProblem,
  defaultEdgeData,
  diffGraphs,
  docToFlow,
  flowToGraph,
  graphsEqual,
  layoutNodes,
  uniqueEdgeId,
  uniqueNodeId,
  withHandles,
  edgesFromPort,
} from './graph.js';
import { VersionsPanel } from './VersionsPanel.jsx';
import { RunPanel, runLayerFrom } from './RunPanel.jsx';
import { ShortcutHelp } from './ShortcutHelp.jsx';
import { ProblemsPanel } from './ProblemsPanel.jsx';
import { QuickAdd, ContextMenu } from './Popovers.jsx';

const nodeTypes = { sluice: FlowNode };
const edgeTypes = { sluice: FlowEdge };
const defaultEdgeOptions = { type: 'sluice', markerEnd: { type: MarkerType.ArrowClosed, width: 10, height: 10, color: '#98a2b3' } };
const SNAP = [16, 16];
const MINIMAP_FROM = 12; // nodes; a smaller flow fits the screen and the map is only noise
const HISTORY_LIMIT = 200;
const backupKey = (key) => `sluice:draft:${key}`;
const CLIPBOARD_KEY = 'sluice:clipboard';
const PALETTE_KEY = 'sluice:palette';

function readSetting(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function writeSetting(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    /* storage full or disabled */
  }
}

// Nodes from the clipboard: what Sluice copied, or a flow document (an export file).
function parseClipboard(text) {
  let data;
  try {
    data = JSON.parse(text || 'null');
  } catch {
    return null;
  }
  if (data && data.format && data.flow) data = data.flow;
  const graph = data && data.sluice === 'clipboard' ? data : data?.graph;
  if (!graph || !Array.isArray(graph.nodes) || !graph.nodes.length) return null;
  return { nodes: graph.nodes.filter((n) => n && n.id && n.type), edges: Array.isArray(graph.edges) ? graph.edges : [] };
}

function storedClipboard() {
  return parseClipboard(readSetting(CLIPBOARD_KEY));
}

export function EditorPage({ flowKey, user }) {
  const [state, setState] = useState({ loading: true });
  useEffect(() => {
    let alive = true;
    Promise.all([api.nodeTypes(), api.getFlow(flowKey)])
      .then(([types, flow]) => alive && setState({ registry: buildRegistry(types), flow }))
      .catch((err) => alive && setState({ error: err }));
    return () => {
      alive = false;
    };
  }, [flowKey]);

  if (state.error) {
    const notFound = state.error instanceof ApiError && state.error.status === 404;
    return (
      <div className="page">
        <AppHeader user={user} current="flows" />
        <div className="page-message" data-testid="load-error">
          <h1>{notFound ? 'Flow not found' : 'Could not load the flow'}</h1>
          <p>{notFound ? `There is no flow with the key “${flowKey}”.` : state.error.message}</p>
          <a className="btn btn-primary" href="/designer/">
            Back to all flows
          </a>
        </div>
      </div>
    );
  }
  if (state.loading) {
    return (
      <div className="page">
        <AppHeader user={user} current="flows" />
        <div className="page-message" aria-busy="true">
          <div className="loader" />
          <p>Loading {flowKey}…</p>
        </div>
      </div>
    );
  }
  return (
    <RegistryContext.Provider value={state.registry}>
      <ReactFlowProvider>
        <Editor initialFlow={state.flow} user={user} />
      </ReactFlowProvider>
    </RegistryContext.Provider>
  );
}

function metaOf(flow) {
  return {
    key: flow.key,
    name: flow.name || flow.key,
    kind: flow.kind || 'micro',
    description: flow.description || '',
    parameters: clone(flow.parameters) || [],
    timeout_s: flow.timeout_s ?? null,
  };
}

function isTyping(target) {
  if (!target) return false;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target.isContentEditable;
}

function Editor({ initialFlow, user }) {
  const registry = useRegistry();
  const toast = useToast();
  const rf = useReactFlow();
  const wrapperRef = useRef(null);
  const flowKey = initialFlow.key;

  // ----- document state (refs mirror state so callbacks always see the latest)
  const initialGraph = useMemo(() => {
    const g = docToFlow(initialFlow.graph, registry);
    // documents written without positions (API, import) get a layout
    const raw = initialFlow.graph?.nodes || [];
    if (raw.length > 1 && raw.every((n) => !n.position)) g.nodes = layoutNodes(g.nodes, g.edges, registry);
    return g;
  }, [initialFlow, registry]);
  const nodesRef = useRef(initialGraph.nodes);
  const edgesRef = useRef(initialGraph.edges);
  const metaRef = useRef(metaOf(initialFlow));
  const [nodes, _setNodes] = useState(initialGraph.nodes);
  const [edges, _setEdges] = useState(initialGraph.edges);
  const [meta, _setMeta] = useState(metaRef.current);
  const setNodes = useCallback((u) => {
    nodesRef.current = typeof u === 'function' ? u(nodesRef.current) : u;
    _setNodes(nodesRef.current);
  }, []);
  const setEdges = useCallback((u) => {
    edgesRef.current = typeof u === 'function' ? u(edgesRef.current) : u;
    _setEdges(edgesRef.current);
  }, []);
  const setMeta = useCallback((u) => {
    metaRef.current = typeof u === 'function' ? u(metaRef.current) : u;
    _setMeta(metaRef.current);
  }, []);

  // ----- server state
  const revisionRef = useRef(initialFlow.revision);
  const [revision, setRevision] = useState(initialFlow.revision);
  const [latestVersion, setLatestVersion] = useState(initialFlow.latest_version ?? null);
  const [hasUnpublished, setHasUnpublished] = useState(!!initialFlow.has_unpublished_changes);
  const [saveState, setSaveState] = useState({ status: 'saved' }); // saved|dirty|saving|error|offline|conflict
  const [conflict, setConflict] = useState(null);
  const [backup, setBackup] = useState(null);

  // ----- edit sequence / history
  const editSeq = useRef(0);
  const savedSeq = useRef(0);
  const [seq, setSeq] = useState(0);
  const past = useRef([]);
  const future = useRef([]);
  const lastRecord = useRef({ key: null, at: 0 });
  const [histLen, setHistLen] = useState({ past: 0, future: 0 });

  const snapshot = useCallback(
    () => ({
      nodes: nodesRef.current.map((n) => ({ ...n, selected: false })),
      edges: edgesRef.current.map((e) => ({ ...e, selected: false })),
      meta: metaRef.current,
    }),
    [],
  );
  const record = useCallback(
    (coalesceKey) => {
      const now = Date.now();
      if (coalesceKey && lastRecord.current.key === coalesceKey && now - lastRecord.current.at < 1500) {
        lastRecord.current.at = now;
        return;
      }
      lastRecord.current = { key: coalesceKey || null, at: now };
      past.current.push(snapshot());
      if (past.current.length > HISTORY_LIMIT) past.current.shift();
      future.current = [];
      setHistLen({ past: past.current.length, future: 0 });
    },
    [snapshot],
  );
  const bump = useCallback(() => {
    editSeq.current += 1;
    setSeq(editSeq.current);
  }, []);
  const restore = useCallback(
    (snap) => {
      setNodes(snap.nodes);
      setEdges(snap.edges);
      setMeta(snap.meta);
    },
    [setNodes, setEdges, setMeta],
  );
  const undo = useCallback(() => {
    if (!past.current.length) return;
    future.current.push(snapshot());
    restore(past.current.pop());
    lastRecord.current = { key: null, at: 0 };
    setHistLen({ past: past.current.length, future: future.current.length });
    bump();
  }, [snapshot, restore, bump]);
  const redo = useCallback(() => {
    if (!future.current.length) return;
    past.current.push(snapshot());
    restore(future.current.pop());
    lastRecord.current = { key: null, at: 0 };
    setHistLen({ past: past.current.length, future: future.current.length });
    bump();
  }, [snapshot, restore, bump]);

  // ----- modes and panels
  const [tab, setTab] = useState('properties');
  const [diff, setDiff] = useState(null); // {version, graph, marks}
  const [run, setRun] = useState(null); // {execution, steps}
  const [runFocus, setRunFocus] = useState(null); // node id whose step is shown
  const [problems, setProblems] = useState([]);
  const [validity, setValidity] = useState(null); // null | true | false
  const [showHelp, setShowHelp] = useState(false);
  const [publishOpen, setPublishOpen] = useState(false);
  const [versionsTick, setVersionsTick] = useState(0);
  const readOnly = !!diff;

  const docBody = useCallback(() => {
    const m = metaRef.current;
    return {
      key: m.key,
      name: m.name,
      kind: m.kind,
      description: m.description,
      parameters: m.parameters,
      timeout_s: m.timeout_s,
      graph: flowToGraph(nodesRef.current, edgesRef.current),
    };
  }, []);

  // ----- saving ----------------------------------------------------------------
  const saving = useRef(false);
  const retryTimer = useRef(null);
  const retryDelay = useRef(2000);
  const conflictRef = useRef(null);
  conflictRef.current = conflict;

  const writeBackup = useCallback(() => {
    try {
      localStorage.setItem(
        backupKey(flowKey),
        JSON.stringify({ revision: revisionRef.current, saved_at: new Date().toISOString(), document: docBody() }),
      );
    } catch {
      /* storage full or disabled */
    }
  }, [flowKey, docBody]);
  const clearBackup = useCallback(() => {
    try {
      localStorage.removeItem(backupKey(flowKey));
    } catch {
      /* ignore */
    }
  }, [flowKey]);

  const save = useCallback(async () => {
    if (conflictRef.current) return false;
    if (saving.current) return false;
    clearTimeout(retryTimer.current);
    const seqAtStart = editSeq.current;
    saving.current = true;
    setSaveState({ status: 'saving' });
    try {
      const res = await api.saveFlow(flowKey, { ...docBody(), revision: revisionRef.current });
      revisionRef.current = res.revision;
      setRevision(res.revision);
      if (res.latest_version !== undefined) setLatestVersion(res.latest_version);
      if (res.has_unpublished_changes !== undefined) setHasUnpublished(res.has_unpublished_changes);
      else setHasUnpublished(true);
      savedSeq.current = seqAtStart;
      retryDelay.current = 2000;
      if (editSeq.current === seqAtStart) {
        clearBackup();
        setSaveState({ status: 'saved', at: new Date() });
        validateNowRef.current();
      } else {
        setSaveState({ status: 'dirty' });
      }
      return true;
    } catch (err) {
      if (err.status === 409) {
        setConflict({ current: err.details?.current_revision, message: err.message });
        setSaveState({ status: 'conflict' });
        writeBackup();
      } else if (err.status === 0 || err.status >= 500 || err.status === 429) {
        writeBackup();
        const delay = retryDelay.current;
        retryDelay.current = Math.min(delay * 2, 30000);
        setSaveState({ status: 'offline', message: err.message, retryIn: delay });
        retryTimer.current = setTimeout(() => saveRef.current(), delay);
      } else {
        writeBackup();
        setSaveState({ status: 'error', message: err.message });
      }
      return false;
    } finally {
      saving.current = false;
    }
  }, [flowKey, docBody, clearBackup, writeBackup]);
  const validateNowRef = useRef(() => {});
  const saveStatusRef = useRef('saved');
  saveStatusRef.current = saveState.status;
  const saveRef = useRef(save);
  saveRef.current = save;

  // autosave ~1 s after the last edit; keep a local copy meanwhile
  useEffect(() => {
    if (seq === 0 || editSeq.current === savedSeq.current) return undefined;
    if (conflictRef.current) return undefined;
    setSaveState((s) => (s.status === 'saving' || s.status === 'offline' ? s : { status: 'dirty' }));
    const b = setTimeout(writeBackup, 250);
    const t = setTimeout(() => {
      if (!saving.current) saveRef.current();
    }, 1000);
    return () => {
      clearTimeout(t);
      clearTimeout(b);
    };
  }, [seq, writeBackup]);

  // after an in-flight save finishes with newer edits pending, save again
  useEffect(() => {
    if (saveState.status === 'dirty' && !saving.current && editSeq.current !== savedSeq.current && !conflict) {
      const t = setTimeout(() => saveRef.current(), 1000);
      return () => clearTimeout(t);
    }
    return undefined;
  }, [saveState, conflict]);

  // warn before leaving with unsaved changes
  useEffect(() => {
    const h = (e) => {
      if (editSeq.current === savedSeq.current) return;
      // keep a copy in this browser; ask only when saving is known to fail
      writeBackup();
      if (['offline', 'error', 'conflict'].includes(saveStatusRef.current)) {
        e.preventDefault();
        e.returnValue = '';
      }
    };
    window.addEventListener('beforeunload', h);
    return () => window.removeEventListener('beforeunload', h);
  }, [writeBackup]);

  // a local copy from an earlier session that differs from the server
  useEffect(() => {
    try {
      const raw = localStorage.getItem(backupKey(flowKey));
      if (!raw) return;
      const b = JSON.parse(raw);
      const server = docBody();
      if (b && b.document && !graphsEqual(b.document, server)) setBackup(b);
      else clearBackup();
    } catch {
      /* ignore */
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // ----- validation --------------------------------------------------------------
  const validateCtl = useRef(null);
  const runValidate = useCallback(() => {
    if (validateCtl.current) validateCtl.current.abort();
    const ac = new AbortController();
    validateCtl.current = ac;
    api
      .validate(flowKey, docBody(), { signal: ac.signal })
      .then((res) => {
        if (ac.signal.aborted) return;
        setProblems(res.errors || []);
        setValidity(!!res.valid);
      })
      .catch(() => {});
  }, [flowKey, docBody]);
  validateNowRef.current = runValidate;
  useEffect(() => {
    const t = setTimeout(runValidate, seq === 0 ? 50 : 400);
    return () => clearTimeout(t);
  }, [seq, runValidate]);

  // ----- decorations (problems, diff, run) -------------------------------------
  const decorations = useMemo(() => createDecorations(), []);
  const problemLayers = useMemo(() => {
    const n = {};
    const e = {};
    for (const p of problems) {
      const msg = `${p.field ? `${p.field}: ` : ''}${p.message}`;
      if (p.edge) (e[p.edge] = e[p.edge] || { problems: [] }).problems.push(msg);
      else if (p.node) (n[p.node] = n[p.node] || { problems: [] }).problems.push(msg);
    }
    return { n, e };
  }, [problems]);
  const runLayers = useMemo(() => runLayerFrom(run), [run]);
  const diffLayers = useMemo(() => {
    if (!diff) return { n: {}, e: {} };
    const n = {};
    const e = {};
    for (const [id, mark] of Object.entries(diff.marks.nodes)) n[id] = { diff: mark };
    for (const [id, mark] of Object.entries(diff.marks.edges)) e[id] = { diff: mark };
    for (const node of nodesRef.current) if (!n[node.id]) n[node.id] = { dim: true };
    return { n, e };
  }, [diff]);
  useEffect(() => {
    decorations.set((s) => {
      const nodesD = mergeLayers(s.nodes, [problemLayers.n, runLayers.n, diffLayers.n]);
      const edgesD = mergeLayers(s.edges, [problemLayers.e, runLayers.e, diffLayers.e]);
      return nodesD === s.nodes && edgesD === s.edges ? s : { nodes: nodesD, edges: edgesD };
    });
  }, [decorations, problemLayers, runLayers, diffLayers]);

  // ----- editing operations ----------------------------------------------------
  const onNodesChange = useCallback(
    (changes) => {
      let allowed = changes;
      if (diffRef.current) allowed = changes.filter((c) => c.type === 'select' || c.type === 'dimensions');
      if (!allowed.length) return;
      const removing = allowed.some((c) => c.type === 'remove');
      // moves that are not a mouse drag (arrow keys on a focused node)
      const kbMove = !draggingRef.current && allowed.some((c) => c.type === 'position' && c.position && !c.dragging);
      if (removing) record(`delete-${Math.floor(Date.now() / 300)}`);
      if (kbMove) record('keyboard-move');
      setNodes((ns) => applyNodeChanges(allowed, ns));
      if (removing || kbMove) bump();
    },
    [record, bump, setNodes],
  );
  const onEdgesChange = useCallback(
    (changes) => {
      let allowed = changes;
      if (diffRef.current) allowed = changes.filter((c) => c.type === 'select');
      if (!allowed.length) return;
      const removing = allowed.some((c) => c.type === 'remove');
      if (removing) record(`delete-${Math.floor(Date.now() / 300)}`);
      setEdges((es) => applyEdgeChanges(allowed, es));
      if (removing) bump();
    },
    [record, bump, setEdges],
  );
  const diffRef = useRef(null);
  diffRef.current = diff;

  const isValidConnection = useCallback((c) => !connectionProblem(c, nodesRef.current, edgesRef.current, registry), [registry]);
  const connect = useCallback(
    (c, coalesce) => {
      if (diffRef.current) return;
      const problem = connectionProblem(c, nodesRef.current, edgesRef.current, registry);
      if (problem) {
        toast(problem, 'error');
        return;
      }
      record(coalesce);
      const src = nodesRef.current.find((n) => n.id === c.source);
      const tgt = nodesRef.current.find((n) => n.id === c.target);
      const id = uniqueEdgeId(new Set(edgesRef.current.map((e) => e.id)));
      const spec = registry.byType[src?.data.type];
      const port = spec?.ports?.outputs?.find((p) => p.name === c.sourceHandle);
      const data = defaultEdgeData(src, tgt, edgesRef.current, port);
      const edge = withHandles({ id, source: c.source, target: c.target, type: 'sluice', data }, new Map([[src.id, src], [tgt.id, tgt]]), registry);
      // a port that takes one connection: the new one replaces the old
      const portSpec = spec?.ports?.outputs?.find((p) => p.name === edge.sourceHandle);
      const replaced = portSpec && portSpec.max === 1 ? edgesFromPort(edgesRef.current, c.source, edge.sourceHandle, spec) : [];
      if (replaced.length) toast(`Moved the connection from ${replaced.map((e) => e.target).join(', ')} to ${c.target}`);
      const gone = new Set(replaced.map((e) => e.id));
      setEdges((es) => [...es.filter((e) => !gone.has(e.id)), edge]);
      bump();
    },
    [record, bump, setEdges, toast, registry],
  );
  const onConnect = useCallback((c) => connect(c), [connect]);
  const onConnectEnd = useCallback(
    (evt, state) => {
      if (!state || !state.fromNode || diffRef.current) return;
      const pt = evt && 'changedTouches' in evt ? evt.changedTouches[0] : evt;
      if (!state.toNode && state.fromHandle?.type === 'source' && pt) {
        const from = { source: state.fromNode.id, sourceHandle: state.fromHandle.id ?? null };
        // dropped on a node rather than on its handle: connect to it, or say why not
        const hit = document.elementFromPoint(pt.clientX, pt.clientY)?.closest('.react-flow__node');
        const target = hit?.getAttribute('data-id');
        if (target) {
          if (target !== from.source) connect({ ...from, target, targetHandle: null });
          return;
        }
        const src = nodesRef.current.find((n) => n.id === from.source);
        const port = registry.byType[src?.data.type]?.ports?.outputs?.find((p) => p.name === from.sourceHandle);
        setPopover({
          type: 'quick',
          x: pt.clientX,
          y: pt.clientY,
          flow: rf.screenToFlowPosition({ x: pt.clientX, y: pt.clientY }),
          from,
          title: port && port.name !== 'next' ? `Add a node after ${from.source} (${port.label || port.name})` : `Add a node after ${from.source}`,
        });
        return;
      }
      if (state.isValid === false && state.toNode) {
        const problem = connectionProblem(
          { source: state.fromNode.id, target: state.toNode.id, sourceHandle: state.fromHandle?.id },
          nodesRef.current,
          edgesRef.current,
          registry,
        );
        if (problem) toast(problem, 'error');
      }
    },
    [toast, registry, rf, connect],
  );

  const draggingRef = useRef(false);
  const onNodeDragStart = useCallback(() => {
    draggingRef.current = true;
    record();
  }, [record]);
  const onNodeDragStop = useCallback(() => {
    draggingRef.current = false;
    bump();
  }, [bump]);
  const onSelectionDragStart = onNodeDragStart;
  const onSelectionDragStop = onNodeDragStop;

  const selectOnly = useCallback(
    (nodeIds = [], edgeIds = []) => {
      const ns = new Set(nodeIds);
      const es = new Set(edgeIds);
      setNodes((all) => all.map((n) => (!!n.selected === ns.has(n.id) ? n : { ...n, selected: ns.has(n.id) })));
      setEdges((all) => all.map((e) => (!!e.selected === es.has(e.id) ? e : { ...e, selected: es.has(e.id) })));
    },
    [setNodes, setEdges],
  );

  const addNode = useCallback(
    (type, position, coalesce) => {
      if (diffRef.current) return null;
      const spec = registry.byType[type];
      if (!spec) return null;
      if (spec.unique && nodesRef.current.some((n) => n.data.type === type)) {
        toast(`A flow has only one ${spec.label || type}`, 'error');
        return null;
      }
      record(coalesce);
      const id = uniqueNodeId(type, new Set(nodesRef.current.map((n) => n.id)));
      const node = {
        id,
        type: 'sluice',
        position: { x: Math.round(position.x / 16) * 16, y: Math.round(position.y / 16) * 16 },
        data: { type, label: '', config: defaultsFor(spec.config_schema) },
        selected: true,
      };
      setNodes((ns) => [...ns.map((n) => (n.selected ? { ...n, selected: false } : n)), node]);
      setEdges((es) => es.map((e) => (e.selected ? { ...e, selected: false } : e)));
      bump();
      setTab('properties');
      return id;
    },
    [registry, record, bump, setNodes, setEdges, toast],
  );

  const onDragOver = useCallback((e) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
  }, []);
  const onDrop = useCallback(
    (e) => {
      e.preventDefault();
      const type = e.dataTransfer.getData(DND_MIME) || e.dataTransfer.getData('text/plain');
      if (!type || !registry.byType[type]) return;
      const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      const key = `drop-${Date.now()}`;
      const hit = edgeNear(p, 14 / rf.getZoom());
      const spec = registry.byType[type];
      const canSplit = hit && spec?.ports?.inputs?.length && spec?.ports?.outputs?.some((o) => !o.edge && o.kind !== 'error');
      const id = addNode(type, { x: p.x - NODE_W / 2, y: p.y - NODE_H / 2 }, key);
      if (id && canSplit) {
        // dropped onto a connection: insert the node into it
        const old = hit;
        setEdges((es) => es.filter((x) => x.id !== old.id));
        connect({ source: old.source, sourceHandle: old.sourceHandle ?? null, target: id, targetHandle: null }, key);
        const added = edgesRef.current.find((x) => x.source === old.source && x.target === id);
        if (added) {
          const byId = new Map(nodesRef.current.map((n) => [n.id, n]));
          setEdges((es) => es.map((x) => (x.id === added.id ? withHandles({ ...x, data: { ...old.data } }, byId, registry) : x)));
        }
        connect({ source: id, sourceHandle: null, target: old.target, targetHandle: null }, key);
      }
    },
    [rf, addNode, registry, connect, setEdges],
  );
  // the connection whose straight source→target line passes within `tol` of p
  const edgeNear = useCallback(
    (p, tol) => {
      const byId = new Map(nodesRef.current.map((n) => [n.id, n]));
      let best = null;
      let bestD = tol;
      for (const e of edgesRef.current) {
        const a = byId.get(e.source);
        const b = byId.get(e.target);
        if (!a || !b) continue;
        const ax = a.position.x + (a.measured?.width || NODE_W);
        const ay = a.position.y + (a.measured?.height || NODE_H) / 2;
        const bx = b.position.x;
        const by = b.position.y + (b.measured?.height || NODE_H) / 2;
        const dx = bx - ax;
        const dy = by - ay;
        const len2 = dx * dx + dy * dy || 1;
        const t = Math.max(0, Math.min(1, ((p.x - ax) * dx + (p.y - ay) * dy) / len2));
        if (t <= 0.05 || t >= 0.95) continue;
        const d = Math.hypot(p.x - (ax + t * dx), p.y - (ay + t * dy));
        if (d < bestD) {
          bestD = d;
          best = e;
        }
      }
      return best;
    },
    [],
  );
  const addAtCentre = useCallback(
    (type) => {
      const el = wrapperRef.current;
      const r = el ? el.getBoundingClientRect() : { left: 0, top: 0, width: 800, height: 600 };
      const p = rf.screenToFlowPosition({ x: r.left + r.width / 2, y: r.top + r.height / 2 });
      let pos = { x: p.x - NODE_W / 2, y: p.y - NODE_H / 2 };
      const occupied = (q) =>
        nodesRef.current.some((n) => {
          const w = n.measured?.width || NODE_W;
          const h = n.measured?.height || NODE_H;
          return q.x < n.position.x + w + 24 && q.x + NODE_W + 24 > n.position.x && q.y < n.position.y + h + 24 && q.y + NODE_H + 24 > n.position.y;
        });
      // find a free spot near the centre: try rings below and above
      const start = pos;
      for (let i = 1; i < 40 && occupied(pos); i += 1) {
        const step = Math.ceil(i / 2) * 96 * (i % 2 ? 1 : -1);
        pos = { x: start.x, y: start.y + step };
      }
      addNode(type, pos);
    },
    [rf, addNode],
  );

  const updateNode = useCallback(
    (id, patch, coalesce) => {
      record(`node:${id}:${coalesce || ''}`);
      setNodes((ns) => ns.map((n) => (n.id === id ? { ...n, data: { ...n.data, ...patch } } : n)));
      bump();
    },
    [record, bump, setNodes],
  );
  const renameNode = useCallback(
    (oldId, newId) => {
      record();
      setNodes((ns) => ns.map((n) => (n.id === oldId ? { ...n, id: newId } : n)));
      setEdges((es) =>
        es.map((e) =>
          e.source === oldId || e.target === oldId
            ? { ...e, source: e.source === oldId ? newId : e.source, target: e.target === oldId ? newId : e.target }
            : e,
        ),
      );
      bump();
    },
    [record, bump, setNodes, setEdges],
  );
  const updateEdge = useCallback(
    (id, data, coalesce) => {
      record(`edge:${id}:${coalesce || ''}`);
      const byId = new Map(nodesRef.current.map((n) => [n.id, n]));
      setEdges((es) => es.map((e) => (e.id === id ? withHandles({ ...e, data }, byId, registry) : e)));
      bump();
    },
    [record, bump, setEdges, registry],
  );
  const updateMeta = useCallback(
    (patch, coalesce) => {
      record(`meta:${coalesce || ''}`);
      setMeta((m) => ({ ...m, ...patch }));
      bump();
    },
    [record, bump, setMeta],
  );
  const deleteSelection = useCallback(() => {
    if (diffRef.current) return;
    const ns = new Set(nodesRef.current.filter((n) => n.selected).map((n) => n.id));
    const es = new Set(edgesRef.current.filter((e) => e.selected).map((e) => e.id));
    if (!ns.size && !es.size) return;
    record();
    setNodes((all) => all.filter((n) => !ns.has(n.id)));
    setEdges((all) => all.filter((e) => !es.has(e.id) && !ns.has(e.source) && !ns.has(e.target)));
    bump();
  }, [record, bump, setNodes, setEdges]);

  // ----- clipboard ---------------------------------------------------------------
  // Ctrl+C / Ctrl+X / Ctrl+V go through the browser's copy, cut and paste events, which
  // read and write the system clipboard without asking for a permission, so nodes can move
  // between tabs and browsers. The context menu uses the async Clipboard API where it is
  // allowed. A copy in localStorage is the fallback when neither is available.
  const pasteCount = useRef(0);
  const selectionPayload = useCallback(() => {
    const sel = nodesRef.current.filter((n) => n.selected);
    if (!sel.length) return null;
    const ids = new Set(sel.map((n) => n.id));
    return {
      sluice: 'clipboard',
      nodes: flowToGraph(sel, []).nodes,
      edges: flowToGraph([], edgesRef.current.filter((e) => ids.has(e.source) && ids.has(e.target))).edges,
    };
  }, []);
  const keepCopy = useCallback(
    (payload) => {
      writeSetting(CLIPBOARD_KEY, JSON.stringify(payload));
      pasteCount.current = 0;
      toast(`Copied ${payload.nodes.length} node${payload.nodes.length === 1 ? '' : 's'}`);
    },
    [toast],
  );
  const copyToClipboard = useCallback(() => {
    const payload = selectionPayload();
    if (!payload) return;
    keepCopy(payload);
    navigator.clipboard?.writeText(JSON.stringify(payload)).catch(() => {});
  }, [selectionPayload, keepCopy]);
  const insertPayload = useCallback(
    (payload) => {
      if (diffRef.current || !payload) return;
      const taken = new Set(nodesRef.current.map((n) => n.id));
      const takenTypes = new Set(nodesRef.current.map((n) => n.data.type));
      const once = (n) => registry.byType[n.type]?.unique && takenTypes.has(n.type);
      const nodes = payload.nodes.filter((n) => !once(n));
      if (!nodes.length) {
        toast(`A flow has only one ${registry.byType[payload.nodes[0].type]?.label || payload.nodes[0].type}`, 'error');
        return;
      }
      pasteCount.current += 1;
      const off = 32 * pasteCount.current;
      const idMap = {};
      const newNodes = nodes.map((n) => {
        const id = uniqueNodeId(n.type, taken);
        taken.add(id);
        idMap[n.id] = id;
        return { ...n, id, position: { x: (n.position?.x || 0) + off, y: (n.position?.y || 0) + off } };
      });
      const etaken = new Set(edgesRef.current.map((e) => e.id));
      const newEdges = (payload.edges || [])
        .filter((e) => idMap[e.source] && idMap[e.target])
        .map((e) => {
          const id = uniqueEdgeId(etaken);
          etaken.add(id);
          return { ...e, id, source: idMap[e.source], target: idMap[e.target] };
        });
      const flow = docToFlow({ nodes: newNodes, edges: newEdges }, registry);
      record();
      setNodes((ns) => [...ns.map((n) => (n.selected ? { ...n, selected: false } : n)), ...flow.nodes.map((n) => ({ ...n, selected: true }))]);
      setEdges((es) => [...es.map((e) => (e.selected ? { ...e, selected: false } : e)), ...flow.edges]);
      bump();
    },
    [record, bump, setNodes, setEdges, registry, toast],
  );
  const pasteFromClipboard = useCallback(async () => {
    let text = null;
    try {
      text = await navigator.clipboard.readText();
    } catch {
      text = null;
    }
    insertPayload(parseClipboard(text) || storedClipboard());
  }, [insertPayload]);
  const duplicateSelection = useCallback(() => {
    const payload = selectionPayload();
    if (!payload) return;
    pasteCount.current = 0;
    insertPayload(payload);
  }, [selectionPayload, insertPayload]);
  useEffect(() => {
    const idle = (e) => !isTyping(e.target) && !document.querySelector('.dialog-backdrop');
    const onCopy = (e) => {
      if (!idle(e)) return;
      const payload = selectionPayload();
      if (!payload) return;
      e.preventDefault();
      e.clipboardData?.setData('text/plain', JSON.stringify(payload));
      keepCopy(payload);
      if (e.type === 'cut') deleteSelection();
    };
    const onPaste = (e) => {
      if (!idle(e) || diffRef.current) return;
      const text = e.clipboardData?.getData('text/plain');
      const payload = text ? parseClipboard(text) : storedClipboard();
      if (!payload) return;
      e.preventDefault();
      insertPayload(payload);
    };
    document.addEventListener('copy', onCopy);
    document.addEventListener('cut', onCopy);
    document.addEventListener('paste', onPaste);
    return () => {
      document.removeEventListener('copy', onCopy);
      document.removeEventListener('cut', onCopy);
      document.removeEventListener('paste', onPaste);
    };
  }, [selectionPayload, keepCopy, insertPayload, deleteSelection]);

  // ----- layout / view -----------------------------------------------------------
  const autoLayout = useCallback(() => {
    if (diffRef.current) return;
    record();
    setNodes((ns) => layoutNodes(ns, edgesRef.current, registry));
    bump();
    requestAnimationFrame(() => rf.fitView({ padding: 0.15, duration: 300 }));
  }, [record, bump, setNodes, rf, registry]);
  const fit = useCallback(() => rf.fitView({ padding: 0.15, duration: 300 }), [rf]);
  const focusNode = useCallback(
    (id) => {
      const n = nodesRef.current.find((x) => x.id === id);
      if (!n) return;
      selectOnly([id], []);
      const w = n.measured?.width || NODE_W;
      const h = n.measured?.height || NODE_H;
      rf.setCenter(n.position.x + w / 2, n.position.y + h / 2, { zoom: Math.max(rf.getZoom(), 1), duration: 300 });
    },
    [rf, selectOnly],
  );
  const focusEdge = useCallback(
    (id) => {
      const e = edgesRef.current.find((x) => x.id === id);
      if (!e) return;
      selectOnly([], [id]);
      const a = nodesRef.current.find((n) => n.id === e.source);
      const b = nodesRef.current.find((n) => n.id === e.target);
      if (a && b) rf.setCenter((a.position.x + b.position.x + NODE_W) / 2, (a.position.y + b.position.y + NODE_H) / 2, { zoom: Math.max(rf.getZoom(), 1), duration: 300 });
    },
    [rf, selectOnly],
  );

  // ----- keyboard ----------------------------------------------------------------
  useEffect(() => {
    const onKey = (e) => {
      const mod = e.ctrlKey || e.metaKey;
      const k = e.key.toLowerCase();
      if (mod && k === 's') {
        e.preventDefault();
        saveRef.current();
        return;
      }
      if (isTyping(e.target)) return;
      if (document.querySelector('.dialog-backdrop')) return;
      if (diffRef.current && mod && ['z', 'y', 'd'].includes(k)) return;
      if (mod && k === 'z' && !e.shiftKey) {
        e.preventDefault();
        undo();
      } else if ((mod && k === 'z' && e.shiftKey) || (mod && k === 'y')) {
        e.preventDefault();
        redo();
      } else if (mod && k === 'd') {
        e.preventDefault();
        duplicateSelection();
      } else if (mod && k === 'a') {
        e.preventDefault();
        setNodes((ns) => ns.map((n) => (n.selected ? n : { ...n, selected: true })));
        setEdges((es) => es.map((x) => (x.selected ? x : { ...x, selected: true })));
      } else if (!mod && (e.key === '?' || (e.shiftKey && e.key === '/'))) {
        e.preventDefault();
        setShowHelp((v) => !v);
      } else if (!mod && e.shiftKey && k === 'l') {
        e.preventDefault();
        autoLayout();
      } else if (!mod && e.shiftKey && (k === 'f' || e.key === '!')) {
        e.preventDefault();
        fit();
      } else if (e.key === 'Escape') {
        selectOnly([], []);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [undo, redo, duplicateSelection, autoLayout, fit, selectOnly, setNodes, setEdges]);

  // ----- conflict handling -------------------------------------------------------
  const reloadFromServer = useCallback(async () => {
    try {
      const flow = await api.getFlow(flowKey);
      const g = docToFlow(flow.graph, registry);
      record();
      setNodes(g.nodes);
      setEdges(g.edges);
      setMeta(metaOf(flow));
      revisionRef.current = flow.revision;
      setRevision(flow.revision);
      setLatestVersion(flow.latest_version ?? null);
      setHasUnpublished(!!flow.has_unpublished_changes);
      editSeq.current += 1;
      savedSeq.current = editSeq.current;
      setSeq(editSeq.current);
      setConflict(null);
      clearBackup();
      setSaveState({ status: 'saved', at: new Date() });
      toast('Reloaded the latest saved revision', 'success');
    } catch (err) {
      toast(`Reload failed: ${err.message}`, 'error');
    }
  }, [flowKey, record, setNodes, setEdges, setMeta, clearBackup, toast]);

  const keepMyCopy = useCallback(async () => {
    const body = docBody();
    for (let i = 1; i < 20; i += 1) {
      const key = i === 1 ? `${flowKey}-copy` : `${flowKey}-copy-${i}`;
      try {
        await api.createFlow({ ...body, key, name: `${body.name} (copy)` });
        clearBackup();
        editSeq.current = savedSeq.current;
        window.location.href = `/designer/flows/${encodeURIComponent(key)}/`;
        return;
      } catch (err) {
        if (err.status === 409) continue;
        toast(`Could not save a copy: ${err.message}`, 'error');
        return;
      }
    }
  }, [flowKey, docBody, clearBackup, toast]);

  const overwrite = useCallback(async () => {
    if (!conflict) return;
    let current = conflict.current;
    if (current === undefined || current === null) {
      try {
        current = (await api.getFlow(flowKey)).revision;
      } catch (err) {
        toast(err.message, 'error');
        return;
      }
    }
    revisionRef.current = current;
    setConflict(null);
    conflictRef.current = null;
    await saveRef.current();
  }, [conflict, flowKey, toast]);

  const restoreBackup = useCallback(() => {
    if (!backup) return;
    const g = docToFlow(backup.document.graph, registry);
    record();
    setNodes(g.nodes);
    setEdges(g.edges);
    setMeta((m) => ({ ...m, ...metaOf({ ...backup.document, key: m.key, kind: m.kind }) }));
    setBackup(null);
    bump();
    toast('Restored the unsaved copy from this browser', 'success');
  }, [backup, record, setNodes, setEdges, setMeta, bump, toast]);

  // ----- publish -----------------------------------------------------------------
  const publish = useCallback(
    async (note) => {
      if (editSeq.current !== savedSeq.current || saveState.status !== 'saved') {
        // flush the draft first
        for (let i = 0; i < 50 && saving.current; i += 1) await new Promise((r) => setTimeout(r, 100));
        if (editSeq.current !== savedSeq.current) {
          const ok = await saveRef.current();
          if (!ok) throw new Error('Save the draft before publishing (the save failed)');
        }
      }
      try {
        const res = await api.publish(flowKey, note);
        setLatestVersion(res.version);
        setHasUnpublished(false);
        setVersionsTick((t) => t + 1);
        toast(`Published v${res.version}`, 'success');
        return res;
      } catch (err) {
        const errs = err.details?.errors;
        if (Array.isArray(errs)) {
          setProblems(errs);
          setValidity(false);
        }
        throw err;
      }
    },
    [flowKey, saveState.status, toast],
  );

  // ----- versions: diff and restore ---------------------------------------------
  const showDiff = useCallback(
    (version, document) => {
      const draft = flowToGraph(nodesRef.current, edgesRef.current);
      const vg = document?.graph || { nodes: [], edges: [] };
      const marks = diffGraphs(vg, draft);
      setDiff({ version, graph: vg, marks, document });
      selectOnly([], []);
      requestAnimationFrame(() => rf.fitView({ padding: 0.15, duration: 300 }));
    },
    [rf, selectOnly],
  );
  const restoreVersion = useCallback(
    (version, document) => {
      const g = docToFlow(document.graph, registry);
      record();
      setNodes(g.nodes);
      setEdges(g.edges);
      setMeta((m) => ({
        ...m,
        name: document.name || m.name,
        description: document.description ?? m.description,
        parameters: clone(document.parameters) || m.parameters,
        timeout_s: document.timeout_s ?? null,
      }));
      setDiff(null);
      bump();
      toast(`Restored v${version} into the draft`, 'success');
    },
    [record, setNodes, setEdges, setMeta, bump, toast],
  );

  // nodes/edges shown on the canvas: in diff mode, removed ones are ghosts
  const shownNodes = useMemo(() => {
    if (!diff) return nodes;
    const ghosts = (diff.graph.nodes || [])
      .filter((n) => diff.marks.nodes[n.id] === 'removed')
      .map((n) => {
        const [rn] = docToFlow({ nodes: [n], edges: [] }, registry).nodes;
        return { ...rn, data: { ...rn.data, ghost: true }, draggable: false, selectable: false, connectable: false };
      });
    return [...nodes, ...ghosts];
  }, [nodes, diff]);
  const shownEdges = useMemo(() => {
    if (!diff) return edges;
    const ghosts = docToFlow({ nodes: diff.graph.nodes || [], edges: (diff.graph.edges || []).filter((e) => diff.marks.edges[e.id] === 'removed') }, registry).edges.map(
      (e) => ({ ...e, data: { ...e.data, ghost: true }, selectable: false }),
    );
    return [...edges, ...ghosts];
  }, [edges, diff]);

  // ----- run overlay -------------------------------------------------------------
  const onNodeClick = useCallback(
    (_e, node) => {
      if (tabRef.current === 'run') setRunFocus(node.id);
    },
    [],
  );
  const tabRef = useRef(tab);
  tabRef.current = tab;
  const onPaneClick = useCallback(() => setRunFocus(null), []);

  // ----- popovers: quick add and context menus ------------------------------------
  const [popover, setPopover] = useState(null);
  const closePopover = useCallback(() => setPopover(null), []);
  const pickQuickAdd = useCallback(
    (type) => {
      const pop = popover;
      setPopover(null);
      if (!pop) return;
      const key = `quick-${Date.now()}`;
      const pos = pop.from ? { x: pop.flow.x + 8, y: pop.flow.y - NODE_H / 2 } : { x: pop.flow.x - NODE_W / 2, y: pop.flow.y - NODE_H / 2 };
      const id = addNode(type, pos, key);
      if (id && pop.from) connect({ source: pop.from.source, sourceHandle: pop.from.sourceHandle, target: id, targetHandle: null }, key);
    },
    [popover, addNode, connect],
  );
  const onPaneDoubleClick = useCallback(
    (e) => {
      if (diffRef.current) return;
      if (!(e.target instanceof Element) || !e.target.classList.contains('react-flow__pane')) return;
      setPopover({ type: 'quick', x: e.clientX, y: e.clientY, flow: rf.screenToFlowPosition({ x: e.clientX, y: e.clientY }), title: 'Add a node' });
    },
    [rf],
  );
  const onNodeContextMenu = useCallback(
    (e, node) => {
      e.preventDefault();
      if (!node.selected) selectOnly([node.id], []);
      const ro = !!diffRef.current;
      setPopover({
        type: 'menu',
        x: e.clientX,
        y: e.clientY,
        items: [
          { label: 'Properties', icon: 'settings', onClick: () => setTab('properties'), testid: 'ctx-properties' },
          { label: 'Duplicate', icon: 'copy', keys: 'Ctrl+D', disabled: ro, onClick: () => duplicateSelection(), testid: 'ctx-duplicate' },
          { label: 'Copy', icon: 'copy', keys: 'Ctrl+C', onClick: () => copyToClipboard(), testid: 'ctx-copy' },
          '-',
          { label: 'Delete', icon: 'trash', keys: 'Del', danger: true, disabled: ro, onClick: () => deleteSelection(), testid: 'ctx-delete' },
        ],
      });
    },
    [selectOnly, duplicateSelection, copyToClipboard, deleteSelection],
  );
  const onEdgeContextMenu = useCallback(
    (e, edge) => {
      e.preventDefault();
      selectOnly([], [edge.id]);
      setPopover({
        type: 'menu',
        x: e.clientX,
        y: e.clientY,
        items: [
          { label: 'Properties', icon: 'settings', onClick: () => setTab('properties'), testid: 'ctx-properties' },
          { label: 'Delete connection', icon: 'trash', danger: true, disabled: !!diffRef.current, onClick: () => deleteSelection(), testid: 'ctx-delete' },
        ],
      });
    },
    [selectOnly, deleteSelection],
  );
  const onPaneContextMenu = useCallback(
    (e) => {
      e.preventDefault();
      const ro = !!diffRef.current;
      const at = { x: e.clientX, y: e.clientY };
      setPopover({
        type: 'menu',
        x: e.clientX,
        y: e.clientY,
        items: [
          { label: 'Add node…', icon: 'plus', disabled: ro, onClick: () => setPopover({ type: 'quick', ...at, flow: rf.screenToFlowPosition(at), title: 'Add a node' }), testid: 'ctx-add' },
          { label: 'Paste', icon: 'copy', keys: 'Ctrl+V', disabled: ro, onClick: () => pasteFromClipboard(), testid: 'ctx-paste' },
          '-',
          { label: 'Auto-layout', icon: 'layout', keys: 'Shift+L', disabled: ro, onClick: () => autoLayout(), testid: 'ctx-layout' },
          { label: 'Fit view', icon: 'fit', keys: 'Shift+F', onClick: () => fit(), testid: 'ctx-fit' },
        ],
      });
    },
    [rf, pasteFromClipboard, autoLayout, fit],
  );

  useEffect(() => {
    document.title = `${meta.name || flowKey} · Sluice`;
  }, [meta.name, flowKey]);

  // ----- derived -----------------------------------------------------------------
  // a view of the nodes without positions, stable while nodes are only dragged,
  // so the side panel does not re-render on every drag frame
  const nodeViewRef = useRef([]);
  const nodeView = useMemo(() => {
    const prev = nodeViewRef.current;
    let same = prev.length === nodes.length;
    for (let i = 0; same && i < nodes.length; i += 1) {
      const a = prev[i];
      const n = nodes[i];
      if (a.id !== n.id || a.data !== n.data || a.selected !== !!n.selected) same = false;
    }
    if (same) return prev;
    nodeViewRef.current = nodes.map((n) => ({ id: n.id, data: n.data, selected: !!n.selected }));
    return nodeViewRef.current;
  }, [nodes]);
  const selNodes = useMemo(() => nodeView.filter((n) => n.selected), [nodeView]);
  const takenKey = useMemo(
    () => [...new Set(nodeView.filter((n) => registry.byType[n.data.type]?.unique).map((n) => n.data.type))].sort().join(' '),
    [nodeView, registry],
  );
  const takenUnique = useMemo(() => new Set(takenKey.split(' ').filter(Boolean)), [takenKey]);
  const selEdges = useMemo(() => edges.filter((e) => e.selected), [edges]);
  useEffect(() => {
    if ((selNodes.length || selEdges.length) && tab === 'versions') setTab('properties');
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selNodes.length, selEdges.length]);
  const big = nodes.length > 120;
  const flowForPanel = useMemo(() => ({ ...meta }), [meta]);
  const openPublish = useCallback(() => setPublishOpen(true), []);
  const pickFlow = useCallback(() => {
    selectOnly([], []);
    setTab('properties');
  }, [selectOnly]);
  const exprNames = useMemo(() => {
    const out = new Map();
    for (const p of meta.parameters || []) if (p.name) out.set(p.name, { name: p.name, kind: 'parameter', type: p.type, detail: `parameter · ${p.type || 'any'}` });
    for (const n of nodeView) {
      const c = n.data.config || {};
      for (const a of Array.isArray(c.assignments) ? c.assignments : []) {
        if (a && a.variable && !out.has(a.variable)) out.set(a.variable, { name: a.variable, kind: 'variable', detail: `set in ${n.id}` });
      }
      if (typeof c.result_variable === 'string' && c.result_variable && !out.has(c.result_variable)) {
        out.set(c.result_variable, { name: c.result_variable, kind: 'variable', detail: `result of ${n.id}` });
      }
    }
    out.set('execution', { name: 'execution', kind: 'builtin', detail: 'execution.id, execution.business_key' });
    return [...out.values()];
  }, [meta.parameters, nodeView]);
  const closeDiff = useCallback(() => setDiff(null), []);
  const [paletteOpen, setPaletteOpen] = useState(() => readSetting(PALETTE_KEY) !== 'folded');
  const togglePalette = useCallback(() => {
    setPaletteOpen((o) => {
      writeSetting(PALETTE_KEY, o ? 'folded' : 'open');
      return !o;
    });
  }, []);
  const minimapColour = useCallback((n) => colourFor(n.data?.type, registry.byType[n.data?.type]?.category), [registry]);

  const statusText = {
    saved: 'Saved',
    dirty: 'Unsaved changes',
    saving: 'Saving…',
    error: `Save failed: ${saveState.message || ''}`,
    offline: 'Offline — retrying…',
    conflict: 'Conflict',
  }[saveState.status];
  const screenHref = `/screens/${encodeURIComponent(flowKey)}/`;

  return (
    <DecorationsContext.Provider value={decorations}>
      <ExpressionNamesContext.Provider value={exprNames}>
      <div className="page editor-page">
        <AppHeader user={user} current="flows">
          <nav className="crumbs" aria-label="Breadcrumb">
            <a href="/designer/">Flows</a>
            <Icon name="chevron" size={12} />
            <span className="crumb-current" data-testid="flow-title">
              {meta.name || flowKey}
            </span>
            <span className={`kind-chip kind-${meta.kind}`}>{meta.kind === 'process' ? 'Process' : 'Microflow'}</span>
          </nav>
        </AppHeader>
        <div className="toolbar" role="toolbar" aria-label="Editor">
          <div className="tb-group">
            <button type="button" className="icon-btn" onClick={undo} disabled={!histLen.past || readOnly} title="Undo (Ctrl+Z)" aria-label="Undo" data-testid="undo">
              <Icon name="undo" />
            </button>
            <button type="button" className="icon-btn" onClick={redo} disabled={!histLen.future || readOnly} title="Redo (Ctrl+Shift+Z)" aria-label="Redo" data-testid="redo">
              <Icon name="redo" />
            </button>
            <span className="tb-sep" />
            <button type="button" className="btn btn-ghost btn-sm" onClick={autoLayout} disabled={readOnly} title="Auto-layout (Shift+L)" data-testid="auto-layout">
              <Icon name="layout" size={15} /> Layout
            </button>
            <button type="button" className="icon-btn" onClick={fit} title="Fit view (Shift+F)" aria-label="Fit view" data-testid="fit-view">
              <Icon name="fit" />
            </button>
            <button type="button" className="icon-btn" onClick={() => setShowHelp(true)} title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts" data-testid="shortcuts-button">
              <Icon name="keyboard" />
            </button>
          </div>
          <div className="tb-group tb-status">
            <span className={`save-status save-${saveState.status}`} data-testid="save-status" role="status" aria-live="polite">
              <span className="dot" aria-hidden="true" />
              {statusText}
            </span>
            <span className="rev" data-testid="revision" title="Draft revision">
              rev {revision}
            </span>
            <span
              className={`version-badge${latestVersion ? '' : ' is-none'}${hasUnpublished && latestVersion ? ' has-changes' : ''}`}
              data-testid="version-badge"
              title={latestVersion ? (hasUnpublished ? 'Latest published version — the draft has unpublished changes' : 'Latest published version') : 'Not published yet'}
            >
              {latestVersion ? `v${latestVersion}` : 'Not published'}
              {hasUnpublished && latestVersion ? <span className="badge-dot" aria-label="unpublished changes" /> : null}
            </span>
          </div>
          <div className="tb-group">
            <a className="btn btn-ghost btn-sm" href={screenHref} target="_blank" rel="noopener" data-testid="open-screen">
              <Icon name="screen" size={15} /> Screen
            </a>
            <button type="button" className="btn btn-secondary btn-sm" onClick={() => saveRef.current()} disabled={saveState.status === 'saving' || !!conflict} data-testid="save" title="Save (Ctrl+S)">
              <Icon name="save" size={15} /> Save
            </button>
            <button type="button" className="btn btn-primary btn-sm" onClick={() => setPublishOpen(true)} data-testid="publish" disabled={readOnly}>
              <Icon name="upload" size={15} /> Publish
            </button>
          </div>
        </div>

        {conflict && (
          <div className="banner banner-danger" data-testid="conflict" role="alert">
            <Icon name="alert" />
            <span>
              Someone else saved this flow{conflict.current ? ` (revision ${conflict.current})` : ''} while you were editing. Your changes are not saved yet.
            </span>
            <button type="button" className="btn btn-sm btn-secondary" onClick={reloadFromServer} data-testid="conflict-reload" title="Drop your changes and load the revision saved last">
              Reload
            </button>
            <button type="button" className="btn btn-sm btn-primary" onClick={keepMyCopy} data-testid="conflict-keep" title={`Save your version as a new flow, ${flowKey}-copy, and open it`}>
              Keep my copy
            </button>
            <button type="button" className="btn btn-sm btn-ghost" onClick={overwrite} data-testid="conflict-overwrite" title="Save your version over the one saved last">
              Overwrite theirs
            </button>
          </div>
        )}
        {saveState.status === 'offline' && (
          <div className="banner banner-warn" data-testid="offline" role="status">
            <Icon name="alert" />
            <span>Cannot reach the server. Your changes are kept in this browser and will be saved when it is back.</span>
            <button type="button" className="btn btn-sm btn-secondary" onClick={() => saveRef.current()}>
              Retry now
            </button>
          </div>
        )}
        {backup && (
          <div className="banner banner-info" data-testid="backup-banner">
            <Icon name="history" />
            <span>This browser kept unsaved changes from {new Date(backup.saved_at).toLocaleString()}.</span>
            <button type="button" className="btn btn-sm btn-primary" onClick={restoreBackup} data-testid="backup-restore">
              Restore them
            </button>
            <button
              type="button"
              className="btn btn-sm btn-ghost"
              onClick={() => {
                clearBackup();
                setBackup(null);
              }}
            >
              Discard
            </button>
          </div>
        )}

        <div className="editor-body">
          <Palette types={registry.list} kind={meta.kind} taken={takenUnique} onAdd={addAtCentre} open={paletteOpen} onToggle={togglePalette} />
          <main className="canvas-wrap" ref={wrapperRef}>
            {diff && (
              <div className="diff-banner" data-testid="diff-banner">
                <span>
                  Comparing <b>v{diff.version}</b> → draft:{' '}
                  <span className="dchip dchip-added">{Object.values(diff.marks.nodes).filter((x) => x === 'added').length} added</span>{' '}
                  <span className="dchip dchip-removed">{Object.values(diff.marks.nodes).filter((x) => x === 'removed').length} removed</span>{' '}
                  <span className="dchip dchip-changed">{Object.values(diff.marks.nodes).filter((x) => x === 'changed').length} changed</span>
                </span>
                <button type="button" className="btn btn-sm btn-secondary" onClick={() => restoreVersion(diff.version, diff.document)} data-testid="diff-restore">
                  Restore v{diff.version}
                </button>
                <button type="button" className="btn btn-sm btn-ghost" onClick={() => setDiff(null)} data-testid="diff-close">
                  Close
                </button>
              </div>
            )}
            <div className={`canvas${big ? ' is-big' : ''}`} data-testid="canvas" onDrop={onDrop} onDragOver={onDragOver}>
              <ReactFlow
                nodes={shownNodes}
                edges={shownEdges}
                nodeTypes={nodeTypes}
                edgeTypes={edgeTypes}
                defaultEdgeOptions={defaultEdgeOptions}
                onNodesChange={onNodesChange}
                onEdgesChange={onEdgesChange}
                onConnect={onConnect}
                onConnectEnd={onConnectEnd}
                isValidConnection={isValidConnection}
                onNodeDragStart={onNodeDragStart}
                onNodeDragStop={onNodeDragStop}
                onSelectionDragStart={onSelectionDragStart}
                onSelectionDragStop={onSelectionDragStop}
                onNodeClick={onNodeClick}
                onPaneClick={onPaneClick}
                onNodeContextMenu={onNodeContextMenu}
                onEdgeContextMenu={onEdgeContextMenu}
                onPaneContextMenu={onPaneContextMenu}
                onDoubleClick={onPaneDoubleClick}
                zoomOnDoubleClick={false}
                nodesDraggable={!readOnly}
                nodesConnectable={!readOnly}
                snapToGrid
                snapGrid={SNAP}
                fitView
                fitViewOptions={{ padding: 0.1, maxZoom: 1.1 }}
                minZoom={0.1}
                maxZoom={2.5}
                deleteKeyCode={readOnly ? null : ['Delete', 'Backspace']}
                multiSelectionKeyCode={['Meta', 'Control']}
                selectionKeyCode="Shift"
                onlyRenderVisibleElements={big}
                elevateEdgesOnSelect
                proOptions={{ hideAttribution: true }}
                connectionRadius={28}
              >
                <Background gap={16} size={1.2} color="#d7dce4" />
                <Controls showInteractive={false} position="bottom-left" />
                {nodes.length > MINIMAP_FROM && (
                  <MiniMap
                    pannable
                    zoomable
                    position="bottom-right"
                    nodeColor={minimapColour}
                    nodeStrokeWidth={0}
                    nodeBorderRadius={6}
                    maskColor="rgba(240, 242, 246, 0.7)"
                    ariaLabel="Minimap"
                  />
                )}
              </ReactFlow>
              {nodes.length > 0 && nodes.length <= 2 && !diff && (
                <div className="canvas-hint" data-testid="canvas-hint">
                  {edges.length
                    ? 'Drag a node from the palette onto the arrow to put it in between'
                    : 'Drag nodes from the palette, then connect them from a node’s right handle'}
                </div>
              )}
              {nodes.length === 0 && (
                <div className="canvas-empty">
                  <Icon name="flow" size={28} />
                  <p>Drag nodes from the palette to start. Every flow needs one Start.</p>
                </div>
              )}
            </div>
            <ProblemsPanel problems={problems} validity={validity} onPickNode={focusNode} onPickEdge={focusEdge} onPickFlow={pickFlow} />
          </main>
          <aside className="sidepanel" aria-label="Inspector">
            <div className="tabs" role="tablist">
              {[
                ['properties', 'Properties'],
                ['versions', 'Versions'],
                ['run', 'Test run'],
              ].map(([id, label]) => (
                <button
                  key={id}
                  type="button"
                  role="tab"
                  aria-selected={tab === id}
                  className={`tab${tab === id ? ' is-active' : ''}`}
                  onClick={() => setTab(id)}
                  data-testid={`tab-${id}`}
                >
                  {label}
                </button>
              ))}
            </div>
            <div className="sidepanel-body">
              {tab === 'properties' && (
                <PropertiesPanel
                  selNodes={selNodes}
                  selEdges={selEdges}
                  nodes={nodeView}
                  flow={flowForPanel}
                  problems={problems}
                  diff={diff}
                  onNodeChange={updateNode}
                  onRenameNode={renameNode}
                  onEdgeChange={updateEdge}
                  onFlowChange={updateMeta}
                  onDelete={deleteSelection}
                  onSelectNode={focusNode}
                  readOnly={readOnly}
                />
              )}
              {tab === 'versions' && (
                <VersionsPanel
                  flowKey={flowKey}
                  tick={versionsTick}
                  diffVersion={diff?.version}
                  onCompare={showDiff}
                  onRestore={restoreVersion}
                  onCloseDiff={closeDiff}
                />
              )}
              {(
                <RunPanel
                  hidden={tab !== 'run'}
                  flowKey={flowKey}
                  meta={meta}
                  latestVersion={latestVersion}
                  hasUnpublished={hasUnpublished}
                  run={run}
                  setRun={setRun}
                  focus={runFocus}
                  setFocus={setRunFocus}
                  onPickNode={focusNode}
                  onPublish={openPublish}
                />
              )}
            </div>
          </aside>
        </div>
        {popover?.type === 'quick' && (
          <QuickAdd x={popover.x} y={popover.y} title={popover.title} types={registry.list} kind={meta.kind} onPick={pickQuickAdd} onClose={closePopover} />
        )}
        {popover?.type === 'menu' && <ContextMenu x={popover.x} y={popover.y} items={popover.items} onClose={closePopover} />}
        {showHelp && <ShortcutHelp onClose={() => setShowHelp(false)} />}
        {publishOpen && <PublishDialog onClose={() => setPublishOpen(false)} onPublish={publish} latestVersion={latestVersion} validity={validity} problems={problems} />}
      </div>
      </ExpressionNamesContext.Provider>
    </DecorationsContext.Provider>
  );
}

function useRegistry() {
  return useContext(RegistryContext);
}

function PublishDialog({ onClose, onPublish, latestVersion, validity, problems }) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onPublish(note);
      onClose();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  const errs = error?.details?.errors;
  return (
    <Dialog
      title={`Publish v${(latestVersion || 0) + 1}`}
      onClose={onClose}
      testid="publish-dialog"
      footer={
        <>
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="publish-form" className="btn btn-primary" disabled={busy} data-testid="publish-confirm">
            {busy ? 'Publishing…' : 'Publish'}
          </button>
        </>
      }
    >
      <form id="publish-form" onSubmit={submit}>
        <p className="help">
          Publishing makes an immutable version from the saved draft. New executions and screens use it; running ones keep
          their version.
        </p>
        {validity === false && problems.length > 0 && !error && (
          <p className="warn-note">The draft has {problems.length} problem(s); publishing will be refused until they are fixed.</p>
        )}
        <label className="field-label" htmlFor="publish-note">
          Release note
        </label>
        <textarea
          id="publish-note"
          className="input"
          rows={3}
          placeholder="What changed?"
          value={note}
          onChange={(e) => setNote(e.target.value)}
          data-testid="publish-note"
        />
        {error && (
          <div className="form-error" role="alert" data-testid="publish-error">
            <b>{error.message}</b>
            {Array.isArray(errs) && (
              <ul>
                {errs.slice(0, 8).map((x, i) => (
                  <li key={i}>
                    {x.node ? <code>{x.node}</code> : x.edge ? <code>{x.edge}</code> : null} {x.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </form>
    </Dialog>
  );
}

