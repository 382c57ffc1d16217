// Quick-add node search (dropping a connection on the empty canvas, or
// double-clicking it) and the right-click context menu.
import { useEffect, useMemo, useRef, useState } from 'react';
import { Icon, colourFor } from '../icons.jsx';

function useDismiss(ref, onClose) {
  useEffect(() => {
    const down = (e) => {
      if (ref.current && !ref.current.contains(e.target)) onClose();
    };
    const key = (e) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        onClose();
      }
    };
    window.addEventListener('mousedown', down, true);
    window.addEventListener('keydown', key, true);
    return () => {
      window.removeEventListener('mousedown', down, true);
      window.removeEventListener('keydown', key, true);
    };
  }, [ref, onClose]);
}

function clampTo(x, y, w, h) {
  return {
    left: Math.max(8, Math.min(x, window.innerWidth - w - 8)),
    top: Math.max(8, Math.min(y, window.innerHeight - h - 8)),
  };
}

export function QuickAdd({ x, y, types, kind, title, onPick, onClose }) {
  const ref = useRef(null);
  const inputRef = useRef(null);
  const [q, setQ] = useState('');
  const [active, setActive] = useState(0);
  useDismiss(ref, onClose);
  useEffect(() => inputRef.current && inputRef.current.focus(), []);
  const items = useMemo(() => {
    const needle = q.trim().toLowerCase();
    return types.filter((t) => {
      if (kind && Array.isArray(t.kinds) && !t.kinds.includes(kind)) return false;
      if (t.type === 'start') return false;
      return !needle || `${t.type} ${t.label || ''} ${t.description || ''} ${t.category || ''}`.toLowerCase().includes(needle);
    });
  }, [types, kind, q]);
  useEffect(() => setActive(0), [q]);
  const pos = clampTo(x, y, 280, 340);
  return (
    <div className="popover quickadd" style={pos} ref={ref} role="dialog" aria-label={title} data-testid="quick-add">
      <div className="popover-title">{title}</div>
      <label className="search-box">
        <Icon name="search" size={14} />
        <span className="sr-only">Search node types</span>
        <input
          ref={inputRef}
          value={q}
          placeholder="Search nodes…"
          data-testid="quick-add-search"
          onChange={(e) => setQ(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              setActive((a) => Math.min(items.length - 1, a + 1));
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setActive((a) => Math.max(0, a - 1));
            } else if (e.key === 'Enter' && items[active]) {
              e.preventDefault();
              onPick(items[active].type);
            }
          }}
          role="combobox"
          aria-expanded="true"
          aria-controls="quickadd-list"
          aria-activedescendant={items[active] ? `qa-${items[active].type}` : undefined}
        />
      </label>
      <ul className="quickadd-list" id="quickadd-list" role="listbox">
        {items.length === 0 && <li className="empty-note">Nothing matches.</li>}
        {items.map((t, i) => (
          <li
            key={t.type}
            id={`qa-${t.type}`}
            role="option"
            aria-selected={i === active}
            className={`quickadd-item${i === active ? ' is-active' : ''}`}
            data-testid={`quick-add-${t.type}`}
            style={{ '--node-accent': colourFor(t.type, t.category) }}
            onMouseEnter={() => setActive(i)}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => onPick(t.type)}
          >
            <span className="palette-icon">
              <Icon name={t.icon} type={t.type} size={15} />
            </span>
            <span className="palette-text">
              <span className="palette-label">{t.label || t.type}</span>
              <span className="palette-desc">{t.description}</span>
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ContextMenu({ x, y, items, onClose }) {
  const ref = useRef(null);
  useDismiss(ref, onClose);
  useEffect(() => {
    const first = ref.current && ref.current.querySelector('button:not(:disabled)');
    if (first) first.focus();
  }, []);
  const pos = clampTo(x, y, 220, items.length * 34 + 12);
  return (
    <div
      className="popover ctxmenu"
      style={pos}
      ref={ref}
      role="menu"
      data-testid="context-menu"
      onKeyDown={(e) => {
        const btns = [...ref.current.querySelectorAll('button:not(:disabled)')];
        const i = btns.indexOf(document.activeElement);
        if (e.key === 'ArrowDown') {
          e.preventDefault();
          btns[(i + 1) % btns.length]?.focus();
        } else if (e.key === 'ArrowUp') {
          e.preventDefault();
          btns[(i - 1 + btns.length) % btns.length]?.focus();
        }
      }}
    >
      {items.map((it, i) =>
        it === '-' ? (
          <div key={i} className="ctx-sep" role="separator" />
        ) : (
          <button
            key={it.label}
            type="button"
            role="menuitem"
            className={`ctx-item${it.danger ? ' danger' : ''}`}
            disabled={it.disabled}
            data-testid={it.testid}
            onClick={() => {
              onClose();
              it.onClick();
            }}
          >
            {it.icon && <Icon name={it.icon} size={14} />}
            <span>{it.label}</span>
            {it.keys && <kbd>{it.keys}</kbd>}
          </button>
        ),
      )}
    </div>
  );
}
