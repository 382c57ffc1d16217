import { memo, useMemo, useState } from 'react';
import { Icon, colourFor } from '../icons.jsx';

export const DND_MIME = 'application/x-sluice-node';

function PaletteImpl({ types, kind, onAdd }) {
  const [q, setQ] = useState('');
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

  return (
    <aside className="palette" data-testid="palette" aria-label="Node palette">
      <div className="palette-head">
        <div className="panel-title">Nodes</div>
        <label className="search-box">
          <Icon name="search" size={14} />
          <span className="sr-only">Search nodes</span>
          <input
            type="search"
            placeholder="Search nodes…"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            data-testid="palette-search"
          />
        </label>
      </div>
      <div className="palette-scroll">
        {groups.length === 0 && <div className="empty-note">No node matches “{q}”.</div>}
        {groups.map(([cat, items]) => (
          <section key={cat} className="palette-group">
            <button
              type="button"
              className="palette-cat"
              aria-expanded={!collapsed[cat]}
              onClick={() => setCollapsed((c) => ({ ...c, [cat]: !c[cat] }))}
            >
              <Icon name={collapsed[cat] ? 'chevron' : 'chevronDown'} size={12} />
              {cat}
              <span className="count">{items.length}</span>
            </button>
            {!collapsed[cat] &&
              items.map((t) => (
                <div
                  key={t.type}
                  className="palette-item"
                  data-testid={`palette-item-${t.type}`}
                  draggable
                  role="button"
                  tabIndex={0}
                  title={`${t.description || t.label || t.type}\nDrag onto the canvas, or press Enter to add`}
                  style={{ '--node-accent': colourFor(t.type, t.category) }}
                  onDragStart={(e) => {
                    e.dataTransfer.setData(DND_MIME, t.type);
                    e.dataTransfer.setData('text/plain', t.type);
                    e.dataTransfer.effectAllowed = 'move';
                  }}
                  onDoubleClick={() => onAdd(t.type)}
                  onKeyDown={(e) => {
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
              ))}
          </section>
        ))}
      </div>
      <div className="palette-foot">Drag a node onto the canvas · Enter adds it</div>
    </aside>
  );
}

export const Palette = memo(PaletteImpl);
