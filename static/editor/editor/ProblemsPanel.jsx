import { memo, useState } from 'react';
import { Icon } from '../icons.jsx';

function ProblemsPanelImpl({ problems, validity, onPickNode, onPickEdge, onPickFlow }) {
  const [open, setOpen] = useState(true);
  const n = problems.length;
  return (
    <section className={`problems${open ? ' is-open' : ''}${n ? ' has-items' : ''}`} data-testid="problems" aria-label="Problems">
      <button type="button" className="problems-head" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
        <Icon name={open ? 'chevronDown' : 'chevron'} size={12} />
        {n ? (
          <>
            <span className="problems-count" data-testid="problems-count">{n}</span> problem{n === 1 ? '' : 's'}
          </>
        ) : validity === true ? (
          <>
            <Icon name="check" size={14} className="ok" /> No problems
          </>
        ) : (
          <>Problems</>
        )}
      </button>
      {open && n > 0 && (
        <ul className="problems-list">
          {problems.map((p, i) => {
            const target = p.node || p.edge;
            return (
              <li key={i}>
                <button
                  type="button"
                  className="problem"
                  data-testid={`problem-${i}`}
                  data-node={p.node || undefined}
                  data-edge={p.edge || undefined}
                  onClick={() => (p.node ? onPickNode(p.node) : p.edge ? onPickEdge(p.edge) : onPickFlow())}
                >
                  <Icon name="alert" size={14} />
                  <code className="problem-target">{target || 'flow'}</code>
                  {p.field && <span className="problem-field">{p.field}</span>}
                  <span className="problem-msg">{p.message}</span>
                  {p.position !== null && p.position !== undefined && <span className="problem-field">col {Number(p.position) + 1}</span>}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

export const ProblemsPanel = memo(ProblemsPanelImpl);
