import { memo, useMemo, useRef, useState } from 'react';
import { Icon, colourFor } from '../icons.jsx';

export const DND_MIME = 'application/x-sluice-node';

// `taken`: the one-per-flow types (Start) the flow already has; they are not offered again.
// Folded, the palette is a narrow rail that gives its width to the canvas.
function PaletteImpl({ types, kind, taken, onAdd, open, onToggle }) {
  const [q, setQ] = useState('');
  const searchRef = useRef(null);
  const [collapsed, setCollapsed] = useState({});
  const groups = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const out = new Map();
    for (const t of types) {
      if (kind && Array.isArray(t.kinds) && !t.kinds.includes(kind)) continue;
      const hay = `${t.type} ${t.label || ''} ${t.description || ''} ${t.category || ''}`.toLowerCase();
      if (needle && !hay.includes(needle)) continue;
      const cat = t.category || 'Other';
      if (!out.has(cat)) out.set(cat, []);
      out.get(cat).push(t);
    }
    const order = ['flow', 'data', 'integration', 'process', 'diagnostics', 'utility'];
    const rank = (c) => {
      const i = order.indexOf(String(c).toLowerCase());
      return i < 0 ? order.length : i;
    };
    const typeOrder = ['start', 'end', 'decision', 'fail', 'delay', 'assign', 'http', 'call', 'state', 'task', 'log'];
    const trank = (t) => {
      const i = typeOrder.indexOf(t.type);
      return i < 0 ? typeOrder.length : i;
    };
    for (const items of out.values()) items.sort((a, b) => trank(a) - trank(b));
    return [...out.entries()].sort((a, b) => rank(a[0]) - rank(b[0]) || String(a[0]).localeCompare(String(b[0])));
  }, [types, kind, q]);

  const scrollRef = useRef(null);
  const items = () => [...(scrollRef.current?.querySelectorAll('.palette-item:not(.is-used)') || [])];
  const first = groups.flatMap(([, list]) => list).find((t) => !taken.has(t.type));
  const move = (e, from) => {
    const all = items();
    const i = all.indexOf(from);
    const next = e.key === 'ArrowDown' ? all[i + 1] : e.key === 'ArrowUp' ? (i > 0 ? all[i - 1] : null) : undefined;
    if (next === undefined) return false;
    e.preventDefault();
    if (next) next.focus();
    else searchRef.current?.focus();
    return true;
  };

  if (!open) {
    return (
      <aside className="palette is-folded" data-testid="palette" aria-label="Node palette">
        <button type="button" className="icon-btn" onClick={onToggle} aria-expanded="false" aria-label="Show the node palette" title="Show the node palette" data-testid="palette-toggle">
          <Icon name="plus" />
        </button>
      </aside>
    );
  }
  return (
    <aside className="palette" data-testid="palette" aria-label="Node palette">
      <div className="palette-head">
        <div className="panel-title palette-title">
          Nodes
          <button type="button" className="icon-btn" onClick={onToggle} aria-expanded="true" aria-label="Hide the node palette" title="Hide the node palette" data-testid="palette-toggle">
            <Icon name="chevronLeft" size={14} />
          </button>
        </div>
        <label className="search-box">
          <Icon name="search" size={14} />
          <span className="sr-only">Search nodes</span>
          <input
            ref={searchRef}
            type="search"
            placeholder="Search nodes…"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && first) {
                e.preventDefault();
                onAdd(first.type);
              } else if (e.key === 'ArrowDown') {
                e.preventDefault();
                items()[0]?.focus();
              }
            }}
            aria-describedby="palette-keys"
            data-testid="palette-search"
          />
        </label>
      </div>
      <div className="palette-scroll" ref={scrollRef}>
        {groups.length === 0 && <div className="empty-note">No node matches “{q}”.</div>}
        {groups.map(([cat, list]) => (
          <section key={cat} className="palette-group" aria-label={cat}>
            <button
              type="button"
              className="palette-cat"
              aria-expanded={!collapsed[cat]}
              onClick={() => setCollapsed((c) => ({ ...c, [cat]: !c[cat] }))}
            >
              <Icon name={collapsed[cat] ? 'chevron' : 'chevronDown'} size={12} />
              {cat}
              <span className="count">{list.length}</span>
            </button>
            {!collapsed[cat] &&
              list.map((t) => {
                const used = taken.has(t.type);
                return (
                  <div
                    key={t.type}
                    className={`palette-item${used ? ' is-used' : ''}`}
                    data-testid={`palette-item-${t.type}`}
                    draggable={!used}
                    role="button"
                    tabIndex={used ? -1 : 0}
                    aria-disabled={used || undefined}
                    aria-label={`${t.label || t.type}${used ? ' (already in this flow)' : ''}`}
                    title={used ? `A flow has one ${t.label || t.type}, and this one has it` : `${t.description || t.label || t.type}\nDrag onto the canvas, or press Enter to add`}
                    style={{ '--node-accent': colourFor(t.type, t.category) }}
                    onDragStart={(e) => {
                      e.dataTransfer.setData(DND_MIME, t.type);
                      e.dataTransfer.setData('text/plain', t.type);
                      e.dataTransfer.effectAllowed = 'move';
                    }}
                    onDoubleClick={() => onAdd(t.type)}
                    onKeyDown={(e) => {
                      if (move(e, e.currentTarget)) return;
                      if (e.key === 'Enter' || e.key === ' ') {
                        e.preventDefault();
                        onAdd(t.type);
                      }
                    }}
                  >
                    <span className="palette-icon">
                      <Icon name={t.icon} type={t.type} size={16} />
                    </span>
                    <span className="palette-text">
                      <span className="palette-label">{t.label || t.type}</span>
                      {t.description && <span className="palette-desc">{t.description}</span>}
                    </span>
                  </div>
                );
              })}
          </section>
        ))}
      </div>
      <div className="palette-foot" id="palette-keys">
        Drag onto the canvas, or press <kbd>Enter</kbd>
      </div>
    </aside>
  );
}

export const Palette = memo(PaletteImpl);
