import { memo } from 'react';
import { BaseEdge, EdgeLabelRenderer, getBezierPath } from '@xyflow/react';
import { useEdgeDecoration } from './decorations.js';

export function edgeLabel(data) {
  const d = data || {};
  const parts = [];
  if (d.trigger) {
    if (d.trigger === 'manual') parts.push(`▶ ${d.label || d.name || 'manual'}`);
    else if (d.trigger === 'scheduled') parts.push(`⏱ ${d.after_s !== undefined && d.after_s !== '' ? `after ${d.after_s}s` : d.at ? `at ${d.at}` : 'scheduled'}`);
    else if (d.trigger === 'event') parts.push(`⚡ ${d.event || 'event'}`);
    else if (d.trigger === 'automatic') parts.push(d.condition ? `auto: ${d.condition}` : d.default ? 'auto (default)' : 'auto');
  } else {
    if (d.condition) parts.push(d.condition);
    if (d.default) parts.push('default');
    if (d.label && !d.condition) parts.push(d.label);
  }
  if (d.on_error) parts.push('on error');
  const s = parts.join(' · ');
  return s.length > 42 ? `${s.slice(0, 40)}…` : s;
}

function FlowEdgeImpl({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected, markerEnd }) {
  const deco = useEdgeDecoration(id);
  const [path, lx, ly] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const label = edgeLabel(data);
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
          >
            {deco.problems?.length ? <span className="sedge-warn">!</span> : null}
            {label}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const FlowEdge = memo(FlowEdgeImpl);
