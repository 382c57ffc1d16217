import { memo, useContext, useEffect, useId, useState } from 'react';
import { Icon, colourFor } from '../icons.jsx';
import { RegistryContext, isExpressionPath } from './registry.js';
import { Field, FieldProblemsContext, humanize, problemPath, schemaType } from './SchemaForm.jsx';

const PARAM_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'list', 'datetime'];
const TRIGGER_FIELDS = {
  manual: ['name', 'label'],
  automatic: ['condition', 'default'],
  scheduled: ['after_s', 'at'],
  event: ['event'],
};
const STATE_ONLY = ['trigger', 'name', 'after_s', 'at', 'event'];
const isExprSchema = (s) => !!s && (s.format === 'cel' || s.format === 'expression' || s['x-expression'] === true);
const RETRY_SCHEMA = {
  type: 'object',
  properties: {
    max_attempts: { type: 'integer', minimum: 1, description: 'How many times to try in all (1 = no retry)' },
    backoff_s: { type: 'number', minimum: 0, description: 'Wait before the first retry; doubles each time' },
    max_backoff_s: { type: 'number', minimum: 0, description: 'Upper bound of the wait' },
  },
};

export const PropertiesPanel = memo(function PropertiesPanel({ selNodes, selEdges, nodes, flow, problems, diff, onNodeChange, onRenameNode, onEdgeChange, onFlowChange, onDelete, onSelectNode, readOnly }) {
  let body;
  if (selNodes.length === 1 && selEdges.length === 0) {
    const n = selNodes[0];
    body = <NodeProperties key={n.id} node={n} nodes={nodes} problems={problems} diff={diff} onChange={onNodeChange} onRename={onRenameNode} onDelete={onDelete} />;
  } else if (selEdges.length === 1 && selNodes.length === 0) {
    const e = selEdges[0];
    body = (
      <EdgeProperties
        key={e.id}
        edge={e}
        nodes={nodes}
        kind={flow.kind}
        problems={problems}
        onChange={onEdgeChange}
        onDelete={onDelete}
        onSelectNode={onSelectNode}
      />
    );
  } else if (selNodes.length + selEdges.length > 1) {
    body = (
      <div className="props-section">
        <h2 className="props-title">
          {selNodes.length} node{selNodes.length === 1 ? '' : 's'}, {selEdges.length} edge{selEdges.length === 1 ? '' : 's'} selected
        </h2>
        <p className="help">Ctrl+C copies them, Delete removes them, drag moves them together.</p>
        <button type="button" className="btn btn-danger btn-sm" onClick={onDelete} data-testid="delete-selection">
          <Icon name="trash" size={14} /> Delete selection
        </button>
      </div>
    );
  } else {
    body = <FlowSettings flow={flow} onChange={onFlowChange} problems={(problems || []).filter((p) => !p.node && !p.edge)} />;
  }
  return (
    <div className={`properties${readOnly ? ' is-readonly' : ''}`} data-testid="properties">
      <fieldset disabled={readOnly} className="props-fieldset">
        {body}
      </fieldset>
    </div>
  );
});

// Leaves of a JSON value by path: {"assignments.0.expression": "\"amount * 1.05\""}.
function leaves(value, prefix = '', out = {}) {
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) leaves(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out[prefix] = JSON.stringify(value);
  }
  return out;
}

const shown = (leaf) => (leaf === undefined || leaf === '""' ? '—' : leaf);

// While comparing with a version: what this node was there, field by field.
function NodeChanges({ node, diff }) {
  const mark = diff.marks.nodes[node.id];
  if (!mark) return null;
  if (mark === 'added') {
    return (
      <p className="diff-note diff-note-added" data-testid="node-changes">
        Added since v{diff.version}.
      </p>
    );
  }
  const old = (diff.graph.nodes || []).find((n) => n.id === node.id) || {};
  const before = leaves({ label: old.label || '', type: old.type, config: old.config || {} });
  const after = leaves({ label: node.data.label || '', type: node.data.type, config: node.data.config || {} });
  const paths = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => before[k] !== after[k]).sort();
  return (
    <div className="diff-note diff-note-changed" data-testid="node-changes">
      <div className="diff-note-title">Changed since v{diff.version}</div>
      <ul>
        {paths.map((k) => (
          <li key={k}>
            <div className="mono diff-note-path">{k.replace(/^config\./, '')}</div>
            <del className="mono">{shown(before[k])}</del>
            <ins className="mono">{shown(after[k])}</ins>
          </li>
        ))}
      </ul>
    </div>
  );
}

function byPath(items) {
  const out = {};
  for (const p of items || []) {
    if (!p.field) continue;
    const k = problemPath(p.field);
    (out[k] = out[k] || []).push(p.message);
  }
  return out;
}

function ProblemList({ items }) {
  if (!items?.length) return null;
  return (
    <ul className="props-problems" role="list">
      {items.map((p, i) => (
        <li key={i}>
          <Icon name="alert" size={14} />
          <span>
            {p.field ? <b>{p.field}: </b> : null}
            {p.message}
          </span>
        </li>
      ))}
    </ul>
  );
}

function NodeProperties({ node, nodes, problems, diff, onChange, onRename, onDelete }) {
  const registry = useContext(RegistryContext);
  const spec = registry.byType[node.data.type];
  const schema = spec?.config_schema || { type: 'object', properties: {} };
  const uid = useId();
  const [idDraft, setIdDraft] = useState(node.id);
  useEffect(() => setIdDraft(node.id), [node.id]);
  const idTaken = idDraft !== node.id && nodes.some((n) => n.id === idDraft);
  const idBad = !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(idDraft);
  const commitId = () => {
    if (idDraft === node.id) return;
    if (idTaken || idBad) {
      setIdDraft(node.id);
      return;
    }
    onRename(node.id, idDraft);
  };
  const isExpr = (path) => {
    if (isExpressionPath(spec, path)) return true;
    const prop = schema.properties?.[path.split('.')[0]];
    return path.indexOf('.') < 0 && !!prop && isExprSchema(prop);
  };
  const config = node.data.config || {};
  const required = schema.required || [];
  const mine = (problems || []).filter((p) => p.node === node.id && !p.edge);
  const props = Object.entries(schema.properties || {});
  return (
    <FieldProblemsContext.Provider value={byPath(mine)}>
    <div className="props-section">
      <div className="props-head" style={{ '--node-accent': colourFor(node.data.type, spec?.category) }}>
        <span className="props-icon">
          <Icon name={spec?.icon} type={node.data.type} size={18} />
        </span>
        <div>
          <h2 className="props-title">{node.data.label || spec?.label || node.data.type}</h2>
          <div className="props-sub">{spec?.label || node.data.type} node</div>
        </div>
      </div>
      {spec?.description && <p className="help">{spec.description}</p>}
      {!spec && <p className="warn-note">Unknown node type “{node.data.type}” — not in the registry.</p>}
      <ProblemList items={mine} />
      {diff && <NodeChanges node={node} diff={diff} />}
      <div className="field">
        <label className="field-label" htmlFor={`${uid}-id`}>
          Node id
        </label>
        <input
          id={`${uid}-id`}
          className={`input mono${idTaken || idBad ? ' is-invalid' : ''}`}
          value={idDraft}
          data-testid="prop-id"
          onChange={(e) => setIdDraft(e.target.value)}
          onBlur={commitId}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commitId();
            if (e.key === 'Escape') setIdDraft(node.id);
          }}
        />
        {(idTaken || idBad) && <p className="field-error">{idTaken ? 'Another node has this id' : 'Letters, digits, _ and -; not starting with a digit'}</p>}
      </div>
      <div className="field">
        <label className="field-label" htmlFor={`${uid}-label`}>
          Label
        </label>
        <input
          id={`${uid}-label`}
          className="input"
          value={node.data.label || ''}
          placeholder={spec?.label || node.data.type}
          data-testid="prop-label"
          onChange={(e) => onChange(node.id, { label: e.target.value }, 'label')}
        />
      </div>
      {props.length > 0 && <div className="props-divider">Configuration</div>}
      {props.map(([k, s]) => (
        <Field
          key={k}
          name={k}
          schema={s}
          path={k}
          value={config[k]}
          required={required.includes(k)}
          isExpr={isExpr}
          onChange={(v) => {
            const next = { ...config };
            if (v === undefined) delete next[k];
            else next[k] = v;
            onChange(node.id, { config: next }, `config.${k}`);
          }}
        />
      ))}
      {props.length === 0 && spec && <p className="empty-note">This node has nothing to configure.</p>}
      {spec?.ports?.outputs?.some((p) => p.kind === 'error') && (
        <details className="props-more" open={!!node.data.retry}>
          <summary>Retry on failure</summary>
          {Object.entries(RETRY_SCHEMA.properties).map(([k, s]) => (
            <Field
              key={k}
              name={k}
              schema={s}
              path={`retry.${k}`}
              value={node.data.retry?.[k]}
              isExpr={() => false}
              onChange={(v) => {
                const next = { ...(node.data.retry || {}) };
                if (v === undefined) delete next[k];
                else next[k] = v;
                onChange(node.id, { retry: Object.keys(next).length ? next : undefined }, `retry.${k}`);
              }}
            />
          ))}
          <p className="help">Connect the red port at the bottom of the node to catch the failure after the last attempt.</p>
        </details>
      )}
      <div className="props-actions">
        <button type="button" className="btn btn-ghost btn-sm danger" onClick={onDelete} data-testid="delete-node">
          <Icon name="trash" size={14} /> Delete node
        </button>
      </div>
    </div>
    </FieldProblemsContext.Provider>
  );
}

function EdgeProperties({ edge, nodes, kind, problems, onChange, onDelete, onSelectNode }) {
  const registry = useContext(RegistryContext);
  const schema = registry.edgeSchema || {
    type: 'object',
    properties: {
      condition: { type: 'string', description: 'CEL expression' },
      default: { type: 'boolean' },
      on_error: { type: 'boolean' },
      trigger: { type: 'string', enum: ['manual', 'automatic', 'scheduled', 'event'] },
      name: { type: 'string' },
      label: { type: 'string' },
      after_s: { type: 'number' },
      at: { type: 'string' },
      event: { type: 'string' },
    },
  };
  const src = nodes.find((n) => n.id === edge.source);
  const tgt = nodes.find((n) => n.id === edge.target);
  const srcSpec = registry.byType[src?.data.type];
  const fromState = src?.data.type === 'state' || !!srcSpec?.ports?.outputs?.some((p) => p.kind === 'transition');
  const data = edge.data || {};
  const exprFields = new Set(['condition', 'at', ...(schema.expression_fields || [])]);
  const isExpr = (path) => {
    const p = schema.properties?.[path];
    return exprFields.has(path) || isExprSchema(p);
  };
  let names = Object.keys(schema.properties || {}).filter((n) => !['id', 'source', 'target'].includes(n));
  if (fromState) {
    const trig = data.trigger || 'manual';
    const port = srcSpec?.ports?.outputs?.find((p) => p.edge?.trigger === trig);
    const allowed = new Set(['trigger', ...(port?.fields || TRIGGER_FIELDS[trig] || [])]);
    if (trig === 'manual') allowed.add('label');
    names = names.filter((n) => allowed.has(n));
  } else {
    names = names.filter((n) => !STATE_ONLY.includes(n));
    if (data.default) names = names.filter((n) => n !== 'condition');
    if (srcSpec?.ports?.outputs && !srcSpec.ports.outputs.some((p) => p.kind === 'error')) names = names.filter((n) => n !== 'on_error');
  }
  const mine = (problems || []).filter((p) => p.edge === edge.id);
  return (
    <FieldProblemsContext.Provider value={byPath(mine)}>
    <div className="props-section">
      <div className="props-head" style={{ '--node-accent': '#94a3b8' }}>
        <span className="props-icon">
          <Icon name="flow" size={18} />
        </span>
        <div>
          <h2 className="props-title">Connection {edge.id}</h2>
          <div className="props-sub">
            <button type="button" className="linklike" onClick={() => onSelectNode(edge.source)}>
              {src?.data.label || edge.source}
            </button>{' '}
            →{' '}
            <button type="button" className="linklike" onClick={() => onSelectNode(edge.target)}>
              {tgt?.data.label || edge.target}
            </button>
          </div>
        </div>
      </div>
      {src?.data.type === 'decision' && (
        <p className="help">A decision follows the first edge whose condition holds, otherwise the one marked default.</p>
      )}
      {fromState && <p className="help">Leaving a wait state: choose what fires this transition.</p>}
      <ProblemList items={mine} />
      {names.map((k) => (
        <Field
          key={k}
          name={k}
          schema={k === 'trigger' && fromState ? { ...schema.properties[k], default: undefined } : schema.properties[k]}
          path={k}
          labelText={k === 'on_error' ? 'On error (catches the source’s failure)' : undefined}
          value={k === 'trigger' && fromState ? data.trigger || 'manual' : data[k]}
          required={k === 'trigger' && fromState}
          isExpr={isExpr}
          onChange={(v) => {
            const next = { ...data };
            if (v === undefined || v === false) delete next[k];
            else next[k] = v;
            onChange(edge.id, next, `edge.${k}`);
          }}
        />
      ))}
      {kind === 'micro' && fromState && <p className="warn-note">State nodes only exist in process flows.</p>}
      <div className="props-actions">
        <button type="button" className="btn btn-ghost btn-sm danger" onClick={onDelete} data-testid="delete-edge">
          <Icon name="trash" size={14} /> Delete connection
        </button>
      </div>
    </div>
    </FieldProblemsContext.Provider>
  );
}

function FlowSettings({ flow, onChange, problems }) {
  const uid = useId();
  const paramProblems = {};
  for (const p of problems || []) {
    const m = /^parameters\[(\d+)\]/.exec(p.field || '');
    if (m) (paramProblems[m[1]] = paramProblems[m[1]] || []).push(p.message);
  }
  const flowProblems = (problems || []).filter((p) => !/^parameters\[/.test(p.field || ''));
  const params = flow.parameters || [];
  const setParams = (next) => onChange({ parameters: next }, 'parameters');
  const update = (i, patch) => setParams(params.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  return (
    <div className="props-section">
      <div className="props-head" style={{ '--node-accent': '#4f46e5' }}>
        <span className="props-icon">
          <Icon name="settings" size={18} />
        </span>
        <div>
          <h2 className="props-title">Flow settings</h2>
          <div className="props-sub">
            {flow.kind === 'process' ? 'Process flow' : 'Microflow'} · <span className="mono">{flow.key}</span>
          </div>
        </div>
      </div>
      <p className="help">Select a node or a connection to edit it.</p>
      <ProblemList items={flowProblems} />
      <div className="field">
        <label className="field-label" htmlFor={`${uid}-name`}>
          Name
        </label>
        <input
          id={`${uid}-name`}
          className="input"
          value={flow.name || ''}
          data-testid="flow-name"
          onChange={(e) => onChange({ name: e.target.value }, 'name')}
        />
      </div>
      <div className="field">
        <label className="field-label" htmlFor={`${uid}-desc`}>
          Description
        </label>
        <textarea
          id={`${uid}-desc`}
          className="input"
          rows={2}
          value={flow.description || ''}
          data-testid="flow-description"
          onChange={(e) => onChange({ description: e.target.value }, 'description')}
        />
      </div>
      <div className="field">
        <label className="field-label" htmlFor={`${uid}-timeout`}>
          Timeout (s) <span className="muted small">(optional)</span>
        </label>
        <input
          id={`${uid}-timeout`}
          className="input"
          type="number"
          min={1}
          step="any"
          placeholder="no limit"
          value={flow.timeout_s ?? ''}
          data-testid="flow-timeout"
          aria-describedby={`${uid}-timeout-help`}
          onChange={(e) => onChange({ timeout_s: e.target.value === '' ? null : Number(e.target.value) }, 'timeout_s')}
        />
        <p className="help" id={`${uid}-timeout-help`}>
          An execution still running after this long ends as timeout.
        </p>
      </div>
      <fieldset className="field-group" data-testid="parameters">
        <legend>Parameters</legend>
        <p className="help">The flow’s input. Screens get one field per parameter.</p>
        {params.length === 0 && <div className="empty-note">No parameters.</div>}
        {params.length > 0 && (
          <div className="param-head" aria-hidden="true">
            <span>Name</span>
            <span>Type</span>
            <span>Req.</span>
            <span />
          </div>
        )}
        {params.map((p, i) => (
          <div className="param-row" key={i}>
            <label className="sr-only" htmlFor={`${uid}-pn${i}`}>
              Parameter {i + 1} name
            </label>
            <input
              id={`${uid}-pn${i}`}
              className={`input mono${p.name && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(p.name) ? ' is-invalid' : ''}`}
              placeholder="name"
              value={p.name || ''}
              data-testid={`param-name-${i}`}
              onChange={(e) => update(i, { name: e.target.value })}
            />
            <label className="sr-only" htmlFor={`${uid}-pt${i}`}>
              Parameter {i + 1} type
            </label>
            <select
              id={`${uid}-pt${i}`}
              className="input"
              value={p.type || 'string'}
              data-testid={`param-type-${i}`}
              onChange={(e) => update(i, { type: e.target.value })}
            >
              {PARAM_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
            <label className="param-req" title="Required">
              <input
                type="checkbox"
                checked={!!p.required}
                data-testid={`param-required-${i}`}
                onChange={(e) => update(i, { required: e.target.checked })}
              />
              <span className="sr-only">Parameter {i + 1} required</span>
            </label>
            <button
              type="button"
              className="icon-btn danger"
              aria-label={`Remove parameter ${p.name || i + 1}`}
              data-testid={`param-remove-${i}`}
              onClick={() => setParams(params.filter((_, j) => j !== i))}
            >
              <Icon name="x" size={14} />
            </button>
            {paramProblems[i] && (
              <p className="field-error param-error" data-testid={`param-error-${i}`}>
                {paramProblems[i].join('; ')}
              </p>
            )}
            {!p.required && (
              <div className="param-default">
                <label className="sr-only" htmlFor={`${uid}-pd${i}`}>
                  Parameter {i + 1} default
                </label>
                <input
                  id={`${uid}-pd${i}`}
                  className="input input-sm mono"
                  placeholder="default (JSON or text, optional)"
                  value={p.default === undefined ? '' : typeof p.default === 'string' ? p.default : JSON.stringify(p.default)}
                  data-testid={`param-default-${i}`}
                  onChange={(e) => {
                    const raw = e.target.value;
                    const next = { ...p };
                    if (raw === '') delete next.default;
                    else next.default = coerceDefault(raw, p.type);
                    setParams(params.map((x, j) => (j === i ? next : x)));
                  }}
                />
              </div>
            )}
          </div>
        ))}
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          data-testid="param-add"
          onClick={() => setParams([...params, { name: nextParamName(params), type: 'string', required: false }])}
        >
          <Icon name="plus" size={14} /> Add parameter
        </button>
      </fieldset>
    </div>
  );
}

function nextParamName(params) {
  const names = new Set(params.map((p) => p.name));
  let i = params.length + 1;
  while (names.has(`param${i}`)) i += 1;
  return `param${i}`;
}

function coerceDefault(raw, type) {
  if (type === 'string' || type === 'datetime') return raw;
  if (type === 'number' || type === 'integer') {
    const n = Number(raw);
    return Number.isNaN(n) ? raw : n;
  }
  if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export { humanize, schemaType };
