// Small inline SVG icon set (drawn for Sluice), keyed by the registry's `icon`
// name with aliases, falling back to the node type and then a generic glyph.
import { memo } from 'react';

const P = {
  play: <path d="M8 5.5v13l10.5-6.5z" />,
  stop: <rect x="6.5" y="6.5" width="11" height="11" rx="2" />,
  flag: (
    <>
      <path d="M6 21V4" />
      <path d="M6 4.5h11l-2.5 4 2.5 4H6" />
    </>
  ),
  assign: (
    <>
      <path d="M5 9h14" />
      <path d="M5 15h14" />
    </>
  ),
  variable: (
    <>
      <path d="M8 4c-2 0-3 1-3 3v2.5c0 1-.8 2-2 2.5 1.2.5 2 1.5 2 2.5V17c0 2 1 3 3 3" />
      <path d="M16 4c2 0 3 1 3 3v2.5c0 1 .8 2 2 2.5-1.2.5-2 1.5-2 2.5V17c0 2-1 3-3 3" />
      <path d="M10 9.5l4 5M14 9.5l-4 5" />
    </>
  ),
  decision: <path d="M12 3l9 9-9 9-9-9z" />,
  branch: (
    <>
      <circle cx="6" cy="6" r="2" />
      <circle cx="6" cy="18" r="2" />
      <circle cx="18" cy="9" r="2" />
      <path d="M6 8v8M6 14c0-3 4-5 10-5" />
    </>
  ),
  http: (
    <>
      <circle cx="12" cy="12" r="9" />
      <path d="M3 12h18" />
      <path d="M12 3c2.8 3 2.8 15 0 18M12 3c-2.8 3-2.8 15 0 18" />
    </>
  ),
  call: (
    <>
      <rect x="3" y="6" width="8" height="12" rx="2" />
      <path d="M11 12h7" />
      <path d="M15 9l3 3-3 3" />
      <path d="M21 5v14" />
    </>
  ),
  log: (
    <>
      <path d="M6 3h9l4 4v14H6z" />
      <path d="M15 3v4h4" />
      <path d="M9 12h7M9 16h5" />
    </>
  ),
  fail: (
    <>
      <path d="M12 3l9.5 17h-19z" />
      <path d="M12 10v4.5" />
      <path d="M12 17.5v.2" />
    </>
  ),
  delay: (
    <>
      <circle cx="12" cy="13" r="8" />
      <path d="M12 9v4l2.5 2.5" />
      <path d="M9.5 2.5h5" />
    </>
  ),
  task: (
    <>
      <rect x="4" y="4" width="16" height="16" rx="3" />
      <path d="M8 12.5l2.5 2.5L16 9.5" />
    </>
  ),
  state: (
    <>
      <circle cx="12" cy="8" r="3.5" />
      <path d="M5 20c.8-3.6 3.6-6 7-6s6.2 2.4 7 6" />
    </>
  ),
  generic: (
    <>
      <rect x="4" y="4" width="16" height="16" rx="4" />
      <circle cx="12" cy="12" r="2.5" />
    </>
  ),
  // UI glyphs
  search: (
    <>
      <circle cx="11" cy="11" r="6.5" />
      <path d="M16 16l4.5 4.5" />
    </>
  ),
  plus: <path d="M12 5v14M5 12h14" />,
  x: <path d="M6 6l12 12M18 6L6 18" />,
  trash: (
    <>
      <path d="M4 7h16" />
      <path d="M9 7V4h6v3" />
      <path d="M6.5 7l1 13h9l1-13" />
    </>
  ),
  undo: (
    <>
      <path d="M9 14L4 9l5-5" />
      <path d="M4 9h10a6 6 0 010 12h-3" />
    </>
  ),
  redo: (
    <>
      <path d="M15 14l5-5-5-5" />
      <path d="M20 9H10a6 6 0 000 12h3" />
    </>
  ),
  layout: (
    <>
      <rect x="3" y="9" width="5" height="6" rx="1" />
      <rect x="16" y="3" width="5" height="6" rx="1" />
      <rect x="16" y="15" width="5" height="6" rx="1" />
      <path d="M8 12h4M12 6v12M12 6h4M12 18h4" />
    </>
  ),
  fit: (
    <>
      <path d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5" />
    </>
  ),
  keyboard: (
    <>
      <rect x="2.5" y="6" width="19" height="12" rx="2" />
      <path d="M6 10h.01M10 10h.01M14 10h.01M18 10h.01M8 14h8" />
    </>
  ),
  save: (
    <>
      <path d="M5 4h11l3 3v13H5z" />
      <path d="M8 4v5h7V4" />
      <rect x="8" y="13" width="8" height="5" />
    </>
  ),
  upload: (
    <>
      <path d="M12 16V4" />
      <path d="M7 9l5-5 5 5" />
      <path d="M4 16v4h16v-4" />
    </>
  ),
  download: (
    <>
      <path d="M12 4v12" />
      <path d="M7 11l5 5 5-5" />
      <path d="M4 16v4h16v-4" />
    </>
  ),
  external: (
    <>
      <path d="M14 4h6v6" />
      <path d="M20 4l-9 9" />
      <path d="M18 14v6H4V6h6" />
    </>
  ),
  copy: (
    <>
      <rect x="8" y="8" width="12" height="12" rx="2" />
      <path d="M16 8V5a1 1 0 00-1-1H5a1 1 0 00-1 1v10a1 1 0 001 1h3" />
    </>
  ),
  edit: (
    <>
      <path d="M4 20h4L19 9l-4-4L4 16z" />
      <path d="M13 7l4 4" />
    </>
  ),
  history: (
    <>
      <path d="M3 12a9 9 0 103-6.7" />
      <path d="M3 4v5h5" />
      <path d="M12 8v4l3 2" />
    </>
  ),
  bolt: <path d="M13 2L4 14h7l-1 8 9-12h-7z" />,
  check: <path d="M5 12.5l4.5 4.5L19 7.5" />,
  alert: (
    <>
      <circle cx="12" cy="12" r="9" />
      <path d="M12 7.5v5.5M12 16.5v.2" />
    </>
  ),
  chevron: <path d="M9 6l6 6-6 6" />,
  chevronDown: <path d="M6 9l6 6 6-6" />,
  chevronLeft: <path d="M15 6l-6 6 6 6" />,
  flow: (
    <>
      <rect x="3" y="4" width="6" height="5" rx="1.5" />
      <rect x="15" y="15" width="6" height="5" rx="1.5" />
      <path d="M6 9v4a2 2 0 002 2h7" />
    </>
  ),
  settings: (
    <>
      <circle cx="12" cy="12" r="3" />
      <path d="M12 2.5v3M12 18.5v3M2.5 12h3M18.5 12h3M5.3 5.3l2.1 2.1M16.6 16.6l2.1 2.1M5.3 18.7l2.1-2.1M16.6 7.4l2.1-2.1" />
    </>
  ),
  screen: (
    <>
      <rect x="3" y="4" width="18" height="13" rx="2" />
      <path d="M8 21h8M12 17v4" />
    </>
  ),
  spinner: <path d="M12 3a9 9 0 109 9" />,
};

const ALIASES = {
  start: 'play',
  'play-circle': 'play',
  begin: 'play',
  end: 'stop',
  finish: 'stop',
  'stop-circle': 'stop',
  square: 'stop',
  equals: 'assign',
  'edit-3': 'assign',
  set: 'assign',
  braces: 'variable',
  variables: 'variable',
  diamond: 'decision',
  'git-branch': 'branch',
  split: 'branch',
  switch: 'branch',
  fork: 'branch',
  globe: 'http',
  web: 'http',
  cloud: 'http',
  api: 'http',
  'arrow-right-circle': 'call',
  subflow: 'call',
  'corner-down-right': 'call',
  phone: 'call',
  workflow: 'call',
  'file-text': 'log',
  message: 'log',
  'message-square': 'log',
  terminal: 'log',
  'alert-triangle': 'fail',
  'alert-octagon': 'fail',
  error: 'fail',
  'x-circle': 'fail',
  'x-octagon': 'fail',
  octagon: 'fail',
  warning: 'fail',
  clock: 'delay',
  timer: 'delay',
  hourglass: 'delay',
  wait: 'delay',
  'check-square': 'task',
  'clipboard-check': 'task',
  activity: 'task',
  user: 'state',
  users: 'state',
  'pause-circle': 'state',
  pause: 'state',
  inbox: 'state',
};

export function iconKey(name, fallbackType) {
  for (const n of [name, fallbackType]) {
    if (!n) continue;
    if (P[n]) return n;
    const k = String(n).toLowerCase();
    if (P[k]) return k;
    if (ALIASES[k]) return ALIASES[k];
  }
  return 'generic';
}

export const Icon = memo(function Icon({ name, type, size = 16, className = '', title }) {
  const key = iconKey(name, type);
  return (
    <svg
      className={`icon ${className}`}
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden={title ? undefined : 'true'}
      role={title ? 'img' : undefined}
    >
      {title ? <title>{title}</title> : null}
      {P[key]}
    </svg>
  );
});

// Category → accent colour for the node card stripe.
const CATEGORY_COLOURS = {
  control: '#6366f1',
  flow: '#6366f1',
  events: '#10b981',
  event: '#10b981',
  start: '#10b981',
  data: '#0ea5e9',
  variables: '#0ea5e9',
  logic: '#f59e0b',
  integration: '#8b5cf6',
  integrations: '#8b5cf6',
  actions: '#8b5cf6',
  action: '#8b5cf6',
  process: '#ec4899',
  human: '#ec4899',
  errors: '#ef4444',
  error: '#ef4444',
  utility: '#64748b',
  utilities: '#64748b',
  debug: '#64748b',
  time: '#14b8a6',
};
const TYPE_COLOURS = {
  start: '#10b981',
  end: '#475569',
  assign: '#0ea5e9',
  decision: '#f59e0b',
  http: '#8b5cf6',
  call: '#6366f1',
  log: '#64748b',
  fail: '#ef4444',
  delay: '#14b8a6',
  task: '#ec4899',
  state: '#d946ef',
};
const PALETTE = ['#6366f1', '#0ea5e9', '#f59e0b', '#8b5cf6', '#10b981', '#ec4899', '#14b8a6', '#64748b'];

export function colourFor(type, category) {
  if (TYPE_COLOURS[type]) return TYPE_COLOURS[type];
  const c = String(category || '').toLowerCase();
  if (CATEGORY_COLOURS[c]) return CATEGORY_COLOURS[c];
  let h = 0;
  for (const ch of String(type || c)) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length];
}
