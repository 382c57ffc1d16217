import { memo, useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { api, executionSocketUrl, itemsOf } from '../api.js';
import { Icon } from '../icons.jsx';
import { StatusPill, fullTime, timeAgo, useToast } from '../ui.jsx';
import { fmtMs } from './FlowNode.jsx';

const FINAL = new Set(['completed', 'failed', 'cancelled', 'timeout']);

export function normStatus(s) {
  const v = String(s || '').toLowerCase();
  if (['completed', 'succeeded', 'success', 'ok', 'done', 'finished'].includes(v)) return 'completed';
  if (['failed', 'error', 'errored', 'timeout', 'cancelled'].includes(v)) return 'failed';
  if (['running', 'started', 'in_progress'].includes(v)) return 'running';
  if (['waiting', 'paused'].includes(v)) return 'waiting';
  return v || 'pending';
}

// Decorations for the canvas from an execution and its steps.
export function runLayerFrom(run) {
  const n = {};
  const e = {};
  if (!run) return { n, e };
  for (const s of run.steps || []) {
    if (!s || !s.node_id) continue;
    const prev = n[s.node_id];
    n[s.node_id] = {
      run: normStatus(s.status),
      duration: s.duration_ms ?? prev?.duration,
      attempts: Math.max(prev?.attempts || 0, s.attempt || 1, prev ? (prev.visits || 1) + 1 : 1),
      visits: (prev?.visits || 0) + 1,
    };
    if (s.edge_id) e[s.edge_id] = { taken: true };
  }
  const ex = run.execution;
  if (ex) {
    const st = normStatus(ex.status);
    if (ex.current_node && !FINAL.has(ex.status)) {
      n[ex.current_node] = { ...(n[ex.current_node] || {}), run: st === 'waiting' ? 'waiting' : 'running' };
    }
    if (ex.error && ex.error.node) n[ex.error.node] = { ...(n[ex.error.node] || {}), run: 'failed' };
  }
  for (const v of Object.values(n)) delete v.visits;
  return { n, e };
}

function upsertStep(steps, step) {
  const key = (s) => (s.seq !== undefined && s.seq !== null ? `s${s.seq}` : `${s.node_id}:${s.attempt || 1}:${s.started_at || ''}`);
  const k = key(step);
  const i = steps.findIndex((s) => key(s) === k);
  const next = i >= 0 ? steps.map((s, j) => (j === i ? { ...s, ...step } : s)) : [...steps, step];
  return next.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
}

function pretty(v) {
  if (v === undefined) return '';
  try {
    return JSON.stringify(v, null, 2);
  } catch {
    return String(v);
  }
}

function initialInputs(params, key) {
  let saved = {};
  try {
    saved = JSON.parse(localStorage.getItem(`sluice:run-input:${key}`) || '{}') || {};
  } catch {
    saved = {};
  }
  const out = {};
  for (const p of params) {
    if (saved[p.name] !== undefined) out[p.name] = saved[p.name];
    else if (p.default !== undefined) out[p.name] = typeof p.default === 'string' ? p.default : p.type === 'boolean' ? p.default : JSON.stringify(p.default);
    else out[p.name] = p.type === 'boolean' ? false : '';
  }
  return out;
}

function buildInput(params, raw) {
  const input = {};
  const errors = {};
  for (const p of params) {
    const v = raw[p.name];
    if (p.type === 'boolean') {
      input[p.name] = !!v;
      continue;
    }
    if (v === '' || v === undefined || v === null) {
      if (p.required) errors[p.name] = 'Required';
      continue;
    }
    if (p.type === 'number' || p.type === 'integer') {
      const n = Number(v);
      if (Number.isNaN(n) || (p.type === 'integer' && !Number.isInteger(n))) errors[p.name] = `Not ${p.type === 'integer' ? 'an integer' : 'a number'}`;
      else input[p.name] = n;
    } else if (p.type === 'object' || p.type === 'list') {
      try {
        const parsed = JSON.parse(v);
        if (p.type === 'list' && !Array.isArray(parsed)) errors[p.name] = 'Expected a JSON list';
        else if (p.type === 'object' && (typeof parsed !== 'object' || Array.isArray(parsed) || parsed === null)) errors[p.name] = 'Expected a JSON object';
        else input[p.name] = parsed;
      } catch {
        errors[p.name] = 'Invalid JSON';
      }
    } else {
      input[p.name] = v;
    }
  }
  return { input, errors };
}

export const RunPanel = memo(function RunPanel({ flowKey, meta, latestVersion, hasUnpublished, run, setRun, focus, setFocus, onPickNode, onPublish, hidden }) {
  const toast = useToast();
  const uid = useId();
  const params = meta.parameters || [];
  const [raw, setRaw] = useState(() => initialInputs(params, flowKey));
  const [fieldErrors, setFieldErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const [startError, setStartError] = useState(null);
  const [history, setHistory] = useState({ loading: true, items: [] });
  const [histTick, setHistTick] = useState(0);
  const wsRef = useRef(null);
  const pollRef = useRef(null);
  const watchId = useRef(null);
  const [live, setLive] = useState(null); // 'ws' | 'poll' | null

  useEffect(() => {
    setRaw((r) => {
      const base = initialInputs(params, flowKey);
      for (const k of Object.keys(base)) if (r[k] !== undefined) base[k] = r[k];
      return base;
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [JSON.stringify(params.map((p) => [p.name, p.type]))]);

  const stopWatching = useCallback(() => {
    watchId.current = null;
    if (wsRef.current) {
      wsRef.current.onclose = null;
      wsRef.current.close();
      wsRef.current = null;
    }
    clearTimeout(pollRef.current);
    setLive(null);
  }, []);
  useEffect(() => stopWatching, [stopWatching]);

  const loadSteps = useCallback(
    async (id) => {
      try {
        const d = await api.steps(id);
        if (watchId.current !== id && watchId.current !== null) return;
        setRun((r) => (r && r.execution.id === id ? { ...r, steps: itemsOf(d) } : r));
      } catch {
        /* ignore */
      }
    },
    [setRun],
  );

  const poll = useCallback(
    (id, started = Date.now()) => {
      setLive('poll');
      const tick = async () => {
        if (watchId.current !== id) return;
        try {
          const [ex, st] = await Promise.all([api.execution(id), api.steps(id)]);
          if (watchId.current !== id) return;
          setRun((r) => (r && r.execution.id === id ? { execution: ex, steps: itemsOf(st) } : r));
          if (FINAL.has(ex.status)) {
            setLive(null);
            setHistTick((t) => t + 1);
            return;
          }
        } catch {
          /* keep polling */
        }
        if (Date.now() - started < 15 * 60 * 1000) pollRef.current = setTimeout(tick, 1000);
        else setLive(null);
      };
      pollRef.current = setTimeout(tick, 600);
    },
    [setRun],
  );

  const watch = useCallback(
    (execution) => {
      stopWatching();
      const id = execution.id;
      watchId.current = id;
      setRun({ execution, steps: [] });
      setFocus(null);
      if (FINAL.has(execution.status)) {
        loadSteps(id);
        return;
      }
      loadSteps(id);
      let finished = false;
      let ws;
      try {
        ws = new WebSocket(executionSocketUrl(id));
      } catch {
        poll(id);
        return;
      }
      wsRef.current = ws;
      setLive('ws');
      ws.onmessage = (m) => {
        if (watchId.current !== id) return;
        let msg;
        try {
          msg = JSON.parse(m.data);
        } catch {
          return;
        }
        if (msg.type === 'execution.snapshot') {
          setRun((r) => ({ execution: msg.execution || r?.execution, steps: Array.isArray(msg.steps) ? msg.steps : r?.steps || [] }));
          if (msg.execution && FINAL.has(msg.execution.status)) {
            finished = true;
            loadSteps(id);
          }
        } else if (msg.type === 'execution.step' && msg.step) {
          setRun((r) => (r ? { ...r, steps: upsertStep(r.steps, { seq: msg.step.seq ?? msg.seq, ...msg.step }) } : r));
        } else if (msg.type === 'execution.progress') {
          setRun((r) =>
            r
              ? {
                  ...r,
                  execution: {
                    ...r.execution,
                    progress: msg.progress ?? r.execution.progress,
                    current_node: msg.current_node ?? r.execution.current_node,
                    status: r.execution.status === 'pending' ? 'running' : r.execution.status,
                  },
                }
              : r,
          );
        } else if (msg.type === 'execution.finished') {
          finished = true;
          setRun((r) => ({ execution: msg.execution || r?.execution, steps: r?.steps || [] }));
          loadSteps(id);
          setHistTick((t) => t + 1);
          ws.close();
          setLive(null);
        } else if (msg.execution) {
          setRun((r) => ({ ...(r || { steps: [] }), execution: msg.execution }));
        }
      };
      ws.onclose = () => {
        if (wsRef.current === ws) wsRef.current = null;
        if (!finished && watchId.current === id) poll(id);
      };
      ws.onerror = () => {};
    },
    [stopWatching, setRun, setFocus, loadSteps, poll],
  );

  const start = async (sync) => {
    const { input, errors } = buildInput(params, raw);
    setFieldErrors(errors);
    setStartError(null);
    if (Object.keys(errors).length) return;
    try {
      localStorage.setItem(`sluice:run-input:${flowKey}`, JSON.stringify(raw));
    } catch {
      /* ignore */
    }
    setBusy(true);
    try {
      const ex = await api.startExecution(flowKey, input, sync);
      watch(ex);
      setHistTick((t) => t + 1);
    } catch (err) {
      setStartError(err);
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    let alive = true;
    api
      .executions(flowKey)
      .then((d) => alive && setHistory({ loading: false, items: itemsOf(d).slice(0, 30) }))
      .catch((err) => alive && setHistory({ loading: false, items: [], error: err.message }));
    return () => {
      alive = false;
    };
  }, [flowKey, histTick]);

  const openExecution = async (id) => {
    try {
      const ex = await api.execution(id);
      watch(ex);
    } catch (err) {
      toast(`Could not open the execution: ${err.message}`, 'error');
    }
  };

  const ex = run?.execution;
  const steps = run?.steps || [];
  const focusSteps = useMemo(() => (focus ? steps.filter((s) => s.node_id === focus) : []), [steps, focus]);
  const active = ex && !FINAL.has(ex.status);

  return (
    <div className="runpanel" data-testid="run-panel" hidden={hidden}>
      <h2 className="props-title">Test run</h2>
      {latestVersion ? (
        hasUnpublished ? (
          <p className="warn-note">
            Runs the published <b>v{latestVersion}</b>; the draft has changes that are not published.{' '}
            <button type="button" className="linklike" onClick={onPublish}>
              Publish now
            </button>
          </p>
        ) : (
          <p className="help">Runs the published v{latestVersion}.</p>
        )
      ) : (
        <p className="warn-note">
          Nothing is published yet — runs use the latest published version.{' '}
          <button type="button" className="linklike" onClick={onPublish}>
            Publish v1
          </button>
        </p>
      )}
      <form
        className="run-form"
        onSubmit={(e) => {
          e.preventDefault();
          start(meta.kind !== 'process');
        }}
      >
        {params.length === 0 && <p className="empty-note">This flow takes no input.</p>}
        {params.map((p) => {
          const id = `${uid}-in-${p.name}`;
          const err = fieldErrors[p.name];
          const common = { id, 'data-testid': `run-input-${p.name}`, 'aria-invalid': err ? 'true' : undefined };
          return (
            <div className="field" key={p.name}>
              {p.type === 'boolean' ? (
                <label className="switch" htmlFor={id}>
                  <input type="checkbox" {...common} checked={!!raw[p.name]} onChange={(e) => setRaw({ ...raw, [p.name]: e.target.checked })} />
                  <span className="switch-track" aria-hidden="true" />
                  <span className="field-label">
                    {p.name} <span className="tag">{p.type}</span>
                  </span>
                </label>
              ) : (
                <>
                  <label className="field-label" htmlFor={id}>
                    {p.name}
                    {p.required && <span className="req">*</span>} <span className="tag">{p.type}</span>
                  </label>
                  {p.type === 'object' || p.type === 'list' ? (
                    <textarea
                      {...common}
                      className={`input mono${err ? ' is-invalid' : ''}`}
                      rows={3}
                      placeholder={p.type === 'list' ? '[1, 2, 3]' : '{"key": "value"}'}
                      value={raw[p.name] ?? ''}
                      onChange={(e) => setRaw({ ...raw, [p.name]: e.target.value })}
                    />
                  ) : (
                    <input
                      {...common}
                      className={`input${err ? ' is-invalid' : ''}`}
                      type={p.type === 'number' || p.type === 'integer' ? 'number' : 'text'}
                      step={p.type === 'integer' ? 1 : 'any'}
                      placeholder={p.type === 'datetime' ? '2025-01-31T09:00:00Z' : ''}
                      value={raw[p.name] ?? ''}
                      onChange={(e) => setRaw({ ...raw, [p.name]: e.target.value })}
                    />
                  )}
                </>
              )}
              {err && <p className="field-error">{err}</p>}
            </div>
          );
        })}
        <div className="run-buttons">
          <button type="button" className="btn btn-primary btn-sm" disabled={busy} onClick={() => start(true)} data-testid="run-sync">
            <Icon name="play" size={14} /> Run sync
          </button>
          <button type="button" className="btn btn-secondary btn-sm" disabled={busy} onClick={() => start(false)} data-testid="run-async">
            <Icon name="bolt" size={14} /> Run async
          </button>
          {run && (
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              onClick={() => {
                stopWatching();
                setRun(null);
                setFocus(null);
              }}
              data-testid="run-clear"
            >
              Clear
            </button>
          )}
        </div>
        {startError && (
          <div className="form-error" role="alert" data-testid="run-start-error">
            <b>{startError.message}</b>
            {startError.details && <pre className="json">{pretty(startError.details)}</pre>}
          </div>
        )}
      </form>

      {ex && (
        <section className="run-result" data-testid="run-result" aria-live="polite">
          <div className="run-result-head">
            <span data-testid="run-status" data-status={ex.status}>
              <StatusPill status={ex.status} />
            </span>
            <span className="mono small" title={ex.id}>
              {String(ex.id).slice(0, 8)}
            </span>
            <span className="muted small">
              {ex.mode || ''}
              {ex.version ? ` · v${ex.version}` : ''}
              {ex.duration_ms !== null && ex.duration_ms !== undefined ? ` · ${fmtMs(ex.duration_ms)}` : ''}
            </span>
            {live && <span className={`live live-${live}`}>{live === 'ws' ? 'live' : 'polling'}</span>}
          </div>
          <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={ex.progress ?? (FINAL.has(ex.status) ? 100 : 0)}>
            <div
              className={`progress-bar progress-${normStatus(ex.status)}`}
              style={{ width: `${Math.max(3, Math.min(100, ex.progress ?? (FINAL.has(ex.status) ? 100 : 0)))}%` }}
            />
          </div>
          {ex.current_node && active && (
            <div className="small">
              At{' '}
              <button type="button" className="linklike mono" onClick={() => onPickNode(ex.current_node)}>
                {ex.current_node}
              </button>
            </div>
          )}
          {ex.status === 'waiting' && Array.isArray(ex.waiting_for) && ex.waiting_for.length > 0 && (
            <div className="waiting-for">
              <div className="small muted">Waiting for:</div>
              {ex.waiting_for.map((w) =>
                w.trigger === 'manual' ? (
                  <button
                    key={w.name}
                    type="button"
                    className="btn btn-secondary btn-sm"
                    data-testid={`run-transition-${w.name}`}
                    onClick={async () => {
                      try {
                        const r = await api.fireTransition(ex.id, w.name, {});
                        watch(r && r.id ? r : ex);
                      } catch (err) {
                        toast(err.message, 'error');
                      }
                    }}
                  >
                    ▶ {w.label || w.name}
                  </button>
                ) : (
                  <span key={w.name} className="pill" title={`${w.trigger} transition ${w.name}`}>
                    {w.trigger === 'scheduled' ? 'timer' : w.trigger}: {w.label || w.name}
                  </span>
                ),
              )}
            </div>
          )}
          {ex.error && (
            <div className="run-error" data-testid="run-error">
              <Icon name="alert" size={14} />
              <div>
                <b>{ex.error.type || 'Error'}</b>
                {ex.error.node ? (
                  <>
                    {' '}
                    at{' '}
                    <button type="button" className="linklike mono" onClick={() => onPickNode(ex.error.node)}>
                      {ex.error.node}
                    </button>
                  </>
                ) : null}
                <div>{ex.error.message}</div>
              </div>
            </div>
          )}
          {ex.output !== null && ex.output !== undefined && (
            <>
              <div className="small muted">Output</div>
              <pre className="json" data-testid="run-output">
                {pretty(ex.output)}
              </pre>
            </>
          )}
          <div className="run-actions">
            {active && (
              <button
                type="button"
                className="btn btn-ghost btn-sm danger"
                data-testid="run-cancel"
                onClick={async () => {
                  try {
                    const r = await api.cancelExecution(ex.id);
                    if (r && r.id) setRun((x) => ({ ...x, execution: r }));
                  } catch (err) {
                    toast(err.message, 'error');
                  }
                }}
              >
                Cancel
              </button>
            )}
            {(ex.status === 'failed' || ex.status === 'timeout') && (
              <button
                type="button"
                className="btn btn-ghost btn-sm"
                data-testid="run-retry"
                onClick={async () => {
                  try {
                    const r = await api.retryExecution(ex.id);
                    watch(r && r.id ? r : { ...ex, status: 'pending' });
                  } catch (err) {
                    toast(err.message, 'error');
                  }
                }}
              >
                Retry from failed node
              </button>
            )}
          </div>

          <div className="small muted">Steps ({steps.length}) — click a node or a step for details</div>
          <ol className="steps" data-testid="run-steps">
            {steps.map((s, i) => (
              <li key={s.seq ?? i}>
                <button
                  type="button"
                  className={`step${focus === s.node_id ? ' is-active' : ''}`}
                  data-testid={`run-step-${s.seq ?? i}`}
                  onClick={() => {
                    setFocus(s.node_id);
                    onPickNode(s.node_id);
                  }}
                >
                  <span className={`step-dot step-${normStatus(s.status)}`} aria-hidden="true" />
                  <span className="mono">{s.node_id}</span>
                  <span className="muted">{s.node_type}</span>
                  {s.attempt > 1 && <span className="tag">try {s.attempt}</span>}
                  <span className="step-dur">{fmtMs(s.duration_ms)}</span>
                </button>
              </li>
            ))}
          </ol>
        </section>
      )}

      {focus && ex && (
        <section className="step-detail" data-testid="step-detail">
          <div className="panel-title-row">
            <h3>
              Node <code>{focus}</code>
            </h3>
            <button type="button" className="icon-btn" aria-label="Close step details" onClick={() => setFocus(null)}>
              <Icon name="x" size={14} />
            </button>
          </div>
          {focusSteps.length === 0 && <p className="empty-note">This node did not run in this execution.</p>}
          {focusSteps.map((s, i) => (
            <div key={s.seq ?? i} className="step-block">
              <div className="small">
                <StatusPill status={normStatus(s.status)} /> attempt {s.attempt || 1}
                {s.started_at ? ` · ${fullTime(s.started_at)}` : ''} · {fmtMs(s.duration_ms)}
              </div>
              {s.input !== null && s.input !== undefined && (
                <>
                  <div className="small muted">Input</div>
                  <pre className="json" data-testid="step-input">
                    {pretty(s.input)}
                  </pre>
                </>
              )}
              {s.output !== null && s.output !== undefined && (
                <>
                  <div className="small muted">Output</div>
                  <pre className="json" data-testid="step-output">
                    {pretty(s.output)}
                  </pre>
                </>
              )}
              {(s.input === null || s.input === undefined) && (s.output === null || s.output === undefined) && !s.error && (
                <p className="empty-note">This step recorded no input or output.</p>
              )}
              {s.error && (
                <>
                  <div className="small muted">Error</div>
                  <pre className="json json-error" data-testid="step-error">
                    {pretty(s.error)}
                  </pre>
                </>
              )}
              {Array.isArray(s.logs) && s.logs.length > 0 && (
                <>
                  <div className="small muted">Logs</div>
                  <pre className="json">{s.logs.map((l) => (typeof l === 'string' ? l : `[${l.level || 'info'}] ${l.message ?? JSON.stringify(l)}`)).join('\n')}</pre>
                </>
              )}
            </div>
          ))}
        </section>
      )}

      <section className="exec-history" data-testid="executions">
        <div className="panel-title-row">
          <h3>Recent executions</h3>
          <button type="button" className="icon-btn" aria-label="Refresh executions" onClick={() => setHistTick((t) => t + 1)}>
            <Icon name="history" size={14} />
          </button>
        </div>
        {history.loading && <div className="loader loader-sm" />}
        {history.error && <p className="muted small">{history.error}</p>}
        {!history.loading && !history.error && history.items.length === 0 && <p className="empty-note">No executions yet.</p>}
        <ul className="exec-list">
          {history.items.map((x) => (
            <li key={x.id}>
              <button type="button" className={`exec-row${ex && ex.id === x.id ? ' is-active' : ''}`} onClick={() => openExecution(x.id)} data-testid={`execution-${x.id}`}>
                <StatusPill status={x.status} />
                <span className="mono small">{String(x.id).slice(0, 8)}</span>
                <span className="muted small">{x.mode}{x.version ? ` · v${x.version}` : ''}</span>
                <span className="muted small exec-time" title={fullTime(x.created_at)}>
                  {timeAgo(x.created_at)}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
});
