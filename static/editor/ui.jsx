// Shared UI bits: app header, dialogs, toasts, time formatting.
import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import { Icon } from './icons.jsx';

export function AppHeader({ user, children, current }) {
  const initials = (user || '?')
    .split(/[\s._@-]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((s) => s[0].toUpperCase())
    .join('');
  return (
    <header className="appbar">
      <a className="brand" href="/designer/" aria-label="Sluice — all flows">
        <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true">
          <rect x="1" y="1" width="22" height="22" rx="6" fill="currentColor" />
          <path d="M6 8h6a3 3 0 010 6H9a3 3 0 000 6h9" stroke="#fff" strokeWidth="2.2" fill="none" strokeLinecap="round" />
        </svg>
        <span>Sluice</span>
      </a>
      <nav className="appnav" aria-label="Main">
        <a href="/designer/" aria-current={current === 'flows' ? 'page' : undefined}>
          Flows
        </a>
        <a href="/screens/" data-testid="nav-screens">
          Screens
        </a>
        <a href="/admin/" data-testid="nav-admin">
          Admin
        </a>
      </nav>
      <div className="appbar-center">{children}</div>
      {user ? (
        <div className="avatar" title={`Signed in as ${user}`} data-testid="user">
          <span aria-hidden="true">{initials}</span>
          <span className="sr-only">Signed in as {user}</span>
        </div>
      ) : null}
    </header>
  );
}

export function Dialog({ title, children, onClose, footer, testid, wide }) {
  const ref = useRef(null);
  const prevFocus = useRef(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  useEffect(() => {
    prevFocus.current = document.activeElement;
    const el = ref.current;
    const first = el && el.querySelector('input, textarea, select');
    if (first) first.focus();
    else if (el) el.focus();
    const onKey = (e) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        closeRef.current();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      if (prevFocus.current && prevFocus.current.focus) prevFocus.current.focus();
    };
  }, []);
  return (
    <div
      className="dialog-backdrop"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div
        className={`dialog${wide ? ' dialog-wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-label={title}
        data-testid={testid}
        ref={ref}
        tabIndex={-1}
        onKeyDown={(e) => {
          if (e.key === 'Tab' && ref.current) {
            const f = [...ref.current.querySelectorAll('button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])')].filter(
              (x) => !x.disabled,
            );
            if (!f.length) return;
            const i = f.indexOf(document.activeElement);
            if (e.shiftKey && i <= 0) {
              e.preventDefault();
              f[f.length - 1].focus();
            } else if (!e.shiftKey && i === f.length - 1) {
              e.preventDefault();
              f[0].focus();
            }
          }
        }}
      >
        <div className="dialog-head">
          <h2>{title}</h2>
          <button type="button" className="icon-btn dialog-x" aria-label="Close" onClick={onClose}>
            <Icon name="x" size={16} />
          </button>
        </div>
        <div className="dialog-body">{children}</div>
        {footer && <div className="dialog-foot">{footer}</div>}
      </div>
    </div>
  );
}

const ToastContext = createContext(() => {});
export const useToast = () => useContext(ToastContext);

export function ToastProvider({ children }) {
  const [toasts, setToasts] = useState([]);
  const push = useCallback((message, kind = 'info', ms = 3500) => {
    const id = Math.random().toString(36).slice(2);
    setToasts((t) => [...t.slice(-3), { id, message, kind }]);
    setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), ms);
  }, []);
  return (
    <ToastContext.Provider value={push}>
      {children}
      <div className="toasts" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast toast-${t.kind}`} data-testid="toast" role={t.kind === 'error' ? 'alert' : 'status'}>
            <Icon name={t.kind === 'error' ? 'alert' : t.kind === 'success' ? 'check' : 'bolt'} size={15} />
            <span>{t.message}</span>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function timeAgo(iso) {
  if (!iso) return '';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return String(iso);
  const s = Math.round((Date.now() - t) / 1000);
  if (s < 10) return 'just now';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  if (s < 86400 * 7) return `${Math.floor(s / 86400)} d ago`;
  return new Date(iso).toLocaleDateString();
}

export function fullTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

export function StatusPill({ status }) {
  return (
    <span className={`pill pill-${status}`} data-status={status}>
      {status}
    </span>
  );
}
