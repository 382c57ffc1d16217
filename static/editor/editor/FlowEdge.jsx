import { memo } from 'react';
import { BaseEdge, EdgeLabelRenderer, getBezierPath, useStoreApi } from '@xyflow/react';
import { useEdgeDecoration } from './decorations.js';
import { Icon } from '../icons.jsx';

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

function FlowEdgeImpl({ id, sourceHandleId, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected, markerEnd }) {
  const deco = useEdgeDecoration(id);
  const store = useStoreApi();
  const [path, lx, ly] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const { icon, text: label } = edgeLabel(data, sourceHandleId);
  const cls = ['sedge'];
  if (selected) cls.push('is-selected');
  if (deco.problems?.length) cls.push('has-problem');
  if (deco.taken) cls.push('is-taken');
  if (deco.diff) cls.push(`diff-${deco.diff}`);
  if (data?.on_error) cls.push('is-error');
  if (data?.default) cls.push('is-default');
  if (deco.dim) cls.push('is-dim');
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} className={cls.join(' ')} interactionWidth={18} />
      {(label || deco.problems?.length) && (
        <EdgeLabelRenderer>
          <div
            className={`sedge-label ${cls.join(' ')}`}
            style={{ transform: `translate(-50%, -50%) translate(${lx}px, ${ly}px)` }}
            title={deco.problems?.length ? deco.problems.join('\n') : label}
            data-testid={`edge-label-${id}`}
            onClick={(e) => {
              e.stopPropagation();
              store.getState().addSelectedEdges([id]);
            }}
          >
            {deco.problems?.length ? <span className="sedge-warn">!</span> : null}
            {icon ? <Icon name={icon} size={11} /> : null}
            {label}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const FlowEdge = memo(FlowEdgeImpl);
