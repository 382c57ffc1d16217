import { memo, useContext } from 'react';
import { Handle, Position } from '@xyflow/react';
import { Icon, colourFor } from '../icons.jsx';
import { useNodeDecoration } from './decorations.js';
import { RegistryContext } from './registry.js';

function summary(type, config) {
  const c = config || {};
  switch (type) {
    case 'assign': {
      const a = Array.isArray(c.assignments) ? c.assignments : [];
      if (!a.length) return '';
      const first = `${a[0].variable || '?'} = ${a[0].expression || ''}`;
      return a.length > 1 ? `${first}  +${a.length - 1}` : first;
    }
    case 'http':
      return [c.method || 'GET', c.url || ''].join(' ').trim();
    case 'call':
    case 'task':
      return c.flow ? `→ ${c.flow}` : '';
    case 'log':
    case 'fail':
      return c.message || '';
    case 'delay':
      return c.seconds !== undefined && c.seconds !== '' ? `${c.seconds} s` : '';
    case 'end': {
      const keys = Object.keys(c.output || {});
      return keys.length ? `→ ${keys.join(', ')}` : '';
    }
    case 'state':
      return [c.assignee && `@${c.assignee}`, c.group && `#${c.group}`, c.screen && `▢ ${c.screen}`].filter(Boolean).join(' ');
    default: {
      const v = Object.values(c).find((x) => typeof x === 'string' && x);
      return v || '';
    }
  }
}

function fmtMs(ms) {
  if (ms === null || ms === undefined || ms === '') return '';
  const v = Number(ms);
  if (!Number.isFinite(v)) return '';
  if (v < 0.01) return '<0.01 ms';
  if (v < 1) return `${v.toFixed(2)} ms`;
  if (v < 10) return `${v.toFixed(1)} ms`;
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 60000) return `${(v / 1000).toFixed(v < 10000 ? 2 : 1)} s`;
  return `${Math.floor(v / 60000)}m ${Math.round((v % 60000) / 1000)}s`;
}

// How a port is marked inside the node, next to its handle, where the registry gives no
// label: short words for a decision, the edge labels' icons for a state's transitions.
const PORT_WORDS = { branch: 'if', default: 'else' };
const PORT_ICONS = { manual: 'play', automatic: 'branch', scheduled: 'delay', event: 'bolt' };
const PORT_TITLES = { branch: 'if: edges with a condition, tried in order', default: 'else: taken when no condition holds' };
const portTitle = (p) => p.label || PORT_TITLES[p.name] || p.name;

function PortMark({ port }) {
  if (!port.label && PORT_ICONS[port.name]) return <Icon name={PORT_ICONS[port.name]} size={11} className="shandle-label" />;
  return <span className="shandle-label">{port.label || PORT_WORDS[port.name] || port.name}</span>;
}

const STATUS_LABEL = {
  running: 'Running',
  completed: 'Done',
  failed: 'Failed',
  waiting: 'Waiting',
  skipped: 'Skipped',
  pending: 'Pending',
};

function FlowNodeImpl({ id, data, selected }) {
  const registry = useContext(RegistryContext);
  const spec = registry.byType[data.type];
  const deco = useNodeDecoration(id);
  const colour = colourFor(data.type, spec?.category);
  const inputs = spec?.ports?.inputs ?? (data.type === 'start' ? [] : [{ name: 'in' }]);
  const outputs = spec?.ports?.outputs ?? (['end', 'fail'].includes(data.type) ? [] : [{ name: 'next' }]);
  const normalOuts = outputs.filter((p) => p.kind !== 'error');
  const errorOuts = outputs.filter((p) => p.kind === 'error');
  const title = data.label || (data.type === 'state' && data.config?.label) || spec?.label || data.type;
  const text = summary(data.type, data.config);
  // say the type and the id only where the title does not already
  const typeLabel = spec?.label || data.type;
  const showType = title.toLowerCase() !== typeLabel.toLowerCase();
  const showId = title.toLowerCase() !== id.toLowerCase();
  const problems = deco.problems;
  const cls = ['snode'];
  if (selected) cls.push('is-selected');
  if (problems?.length) cls.push('has-problem');
  if (deco.run) cls.push(`run-${deco.run}`);
  if (deco.diff) cls.push(`diff-${deco.diff}`);
  if (deco.dim) cls.push('is-dim');
  if (!spec) cls.push('is-unknown');
  if (normalOuts.length > 1) cls.push('has-ports');
  const tooltip = problems?.length ? problems.map((p) => `⚠ ${p}`).join('\n') : undefined;

  return (
    <div
      className={cls.join(' ')}
      data-testid={`node-${id}`}
      data-node-type={data.type}
      data-run={deco.run || undefined}
      data-diff={deco.diff || undefined}
      title={tooltip}
      style={{ '--node-accent': colour, minHeight: normalOuts.length > 2 ? normalOuts.length * 22 + 20 : undefined }}
    >
      {inputs.length > 0 && <Handle type="target" id={inputs[0].name} position={Position.Left} className="shandle shandle-in" />}
      <div className="snode-stripe" />
      <div className="snode-icon">
        <Icon name={spec?.icon} type={data.type} size={18} />
      </div>
      <div className="snode-body">
        <div className="snode-title">{title}</div>
        {(showType || showId) && (
          <div className="snode-meta">
            {showType && <span className="snode-type">{typeLabel}</span>}
            {showId && <span className="snode-id">{id}</span>}
          </div>
        )}
        {text && <div className="snode-summary">{text}</div>}
      </div>
      {problems?.length ? (
        <div className="snode-badge snode-badge-problem" aria-label={`${problems.length} problem(s)`}>
          !
        </div>
      ) : null}
      {deco.run && (
        <div className={`snode-run snode-run-${deco.run}`} data-testid={`node-run-${id}`}>
          {deco.run === 'running' ? <span className="spin" /> : null}
          <span>{STATUS_LABEL[deco.run] || deco.run}</span>
          {deco.duration !== undefined && deco.duration !== null && <span className="snode-dur">{fmtMs(deco.duration)}</span>}
          {deco.attempts > 1 && <span className="snode-dur">×{deco.attempts}</span>}
        </div>
      )}
      {deco.diff && <div className={`snode-diff snode-diff-${deco.diff}`}>{deco.diff}</div>}
      {normalOuts.map((p, i) => (
        <Handle
          key={p.name}
          type="source"
          id={p.name}
          position={Position.Right}
          className="shandle shandle-out"
          style={normalOuts.length > 1 ? { top: `${((i + 1) * 100) / (normalOuts.length + 1)}%` } : undefined}
          title={portTitle(p)}
        >
          {normalOuts.length > 1 && <PortMark port={p} />}
        </Handle>
      ))}
      {errorOuts.map((p) => (
        <Handle key={p.name} type="source" id={p.name} position={Position.Bottom} className="shandle shandle-error" title="On error: drag to the node that handles this node’s failure" />
      ))}
    </div>
  );
}

export const FlowNode = memo(FlowNodeImpl);
export { fmtMs };
