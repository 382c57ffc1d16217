import { memo } from 'react';
import { BaseEdge, EdgeLabelRenderer, getBezierPath, useStoreApi } from '@xyflow/react';
import { useEdgeDecoration } from './decorations.js';
import { Icon } from '../icons.jsx';
import { edgeLabel } from './graph.js';

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
