import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, itemsOf } from '../api.js';
import { Icon } from '../icons.jsx';
import { AppHeader, Dialog, fullTime, timeAgo, useToast } from '../ui.jsx';

const KEY_RE = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;

export function slugify(s) {
  return String(s || '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
}

export function starterGraph() {
  return {
    nodes: [
      { id: 'start', type: 'start', position: { x: 0, y: 0 }, config: {} },
      { id: 'end', type: 'end', position: { x: 400, y: 0 }, config: {} },
    ],
    edges: [{ id: 'e1', source: 'start', target: 'end' }],
  };
}

const editorHref = (key) => `/designer/flows/${encodeURIComponent(key)}/`;

function docFields(detail) {
  const { key, name, kind, description, parameters, graph, timeout_s: timeoutS } = detail;
  return { key, name, kind, description: description || '', parameters: parameters || [], graph, timeout_s: timeoutS ?? null };
}

async function createWithFreeKey(doc, toast) {
  for (let i = 0; i < 30; i += 1) {
    const key = i === 0 ? doc.key : `${doc.key}-${i + 1}`;
    try {
      return await api.createFlow({ ...doc, key });
    } catch (err) {
      if (err.status === 409) continue;
      throw err;
    }
  }
  toast('No free key found', 'error');
  return null;
}

// An export file ({format, flow, versions}) or a bare flow document, imported under the
// first free key: `loan-quote`, then `loan-quote-2`, `loan-quote-3`…
async function importWithFreeKey(data, fileName, toast) {
  const wrapped = data.format && data.flow && typeof data.flow === 'object';
  const doc = wrapped ? data.flow : data;
  if (!doc || typeof doc !== 'object' || !doc.graph || typeof doc.graph !== 'object') {
    throw new Error('this file is not a Sluice flow (it has no graph)');
  }
  const base = KEY_RE.test(doc.key || '') ? doc.key : slugify(doc.name || fileName.replace(/\..*$/, '')) || 'imported-flow';
  for (let i = 0; i < 30; i += 1) {
    const key = i === 0 ? base : `${base}-${i + 1}`;
    const named = { ...doc, key, name: doc.name || key };
    try {
      return await api.importFlow(wrapped ? { ...data, flow: named } : named);
    } catch (err) {
      if (err.status === 409) continue;
      throw err;
    }
  }
  toast('No free key found', 'error');
  return null;
}

export function FlowListPage({ user }) {
  const toast = useToast();
  const [state, setState] = useState({ loading: true, items: [] });
  const [tick, setTick] = useState(0);
  const [q, setQ] = useState('');
  const [kind, setKind] = useState('all');
  const [status, setStatus] = useState('all');
  const [sort, setSort] = useState({ by: 'updated_at', dir: -1 });
  const [dialog, setDialog] = useState(null); // {type:'new'|'rename'|'delete', flow}
  const fileRef = useRef(null);

  useEffect(() => {
    document.title = 'Flows · Sluice';
  }, []);
  useEffect(() => {
    let alive = true;
    api
      .listFlows()
      .then((d) => alive && setState({ loading: false, items: itemsOf(d) }))
      .catch((err) => alive && setState({ loading: false, items: [], error: err.message }));
    return () => {
      alive = false;
    };
  }, [tick]);
  const refresh = () => setTick((t) => t + 1);

  const shown = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const rows = state.items.filter((f) => {
      if (kind !== 'all' && f.kind !== kind) return false;
      if (status === 'draft' && !f.has_unpublished_changes) return false;
      if (status === 'published' && !(f.latest_version && !f.has_unpublished_changes)) return false;
      if (status === 'never' && f.latest_version) return false;
      if (needle && !`${f.key} ${f.name} ${f.description || ''}`.toLowerCase().includes(needle)) return false;
      return true;
    });
    rows.sort((a, b) => {
      const x = a[sort.by] ?? '';
      const y = b[sort.by] ?? '';
      return (x < y ? -1 : x > y ? 1 : 0) * sort.dir;
    });
    return rows;
  }, [state.items, q, kind, status, sort]);

  const duplicate = async (f) => {
    try {
      const d = await api.getFlow(f.key);
      const created = await createWithFreeKey({ ...docFields(d), key: `${f.key}-copy`, name: `${d.name} (copy)` }, toast);
      if (created) {
        toast(`Duplicated as ${created.key}`, 'success');
        refresh();
      }
    } catch (err) {
      toast(`Duplicate failed: ${err.message}`, 'error');
    }
  };
  const exportFlow = async (f) => {
    try {
      const data = await api.exportFlow(f.key);
      const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `${f.key}.sluice.json`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    } catch (err) {
      toast(`Export failed: ${err.message}`, 'error');
    }
  };
  const importFile = async (file) => {
    try {
      let data;
      try {
        data = JSON.parse(await file.text());
      } catch {
        throw new Error('this file is not JSON');
      }
      const created = await importWithFreeKey(data || {}, file.name, toast);
      if (created) {
        toast(`Imported ${created.key}`, 'success');
        refresh();
      }
    } catch (err) {
      toast(`Import failed: ${err.message}`, 'error');
    }
  };

  const sortBtn = (by, label) => (
    <button
      type="button"
      className={`th-sort${sort.by === by ? ' is-active' : ''}`}
      onClick={() => setSort((s) => ({ by, dir: s.by === by ? -s.dir : by === 'updated_at' ? -1 : 1 }))}
      aria-label={`Sort by ${label}`}
    >
      {label}
      {sort.by === by ? <span aria-hidden="true">{sort.dir > 0 ? ' ↑' : ' ↓'}</span> : null}
    </button>
  );

  return (
    <div className="page list-page">
      <AppHeader user={user} current="flows" />
      <main className="list-main">
        <div className="list-head">
          <div>
            <h1>Flows</h1>
            <p className="muted">Microflows run inline or on workers; process flows wait for people, timers and events.</p>
          </div>
          <div className="list-head-actions">
            <input
              ref={fileRef}
              type="file"
              accept="application/json,.json"
              className="sr-only"
              data-testid="import-file"
              aria-label="Import a flow from a JSON file"
              onChange={(e) => {
                const f = e.target.files && e.target.files[0];
                if (f) importFile(f);
                e.target.value = '';
              }}
            />
            <button type="button" className="btn btn-secondary" onClick={() => fileRef.current && fileRef.current.click()} data-testid="import-flow">
              <Icon name="upload" size={15} /> Import
            </button>
            <button type="button" className="btn btn-primary" onClick={() => setDialog({ type: 'new' })} data-testid="new-flow">
              <Icon name="plus" size={15} /> New flow
            </button>
          </div>
        </div>

        <div className="filters" role="search">
          <label className="search-box search-box-lg">
            <Icon name="search" size={15} />
            <span className="sr-only">Search flows</span>
            <input type="search" placeholder="Search by name or key…" value={q} onChange={(e) => setQ(e.target.value)} data-testid="flow-search" />
          </label>
          <div className="seg" role="group" aria-label="Kind">
            {[
              ['all', 'All kinds'],
              ['micro', 'Microflows'],
              ['process', 'Processes'],
            ].map(([v, l]) => (
              <button key={v} type="button" className={kind === v ? 'is-active' : ''} aria-pressed={kind === v} onClick={() => setKind(v)} data-testid={`filter-kind-${v}`}>
                {l}
              </button>
            ))}
          </div>
          <label className="select-inline">
            <span className="sr-only">Status</span>
            <select className="input" value={status} onChange={(e) => setStatus(e.target.value)} data-testid="filter-status">
              <option value="all">Any status</option>
              <option value="draft">Unpublished changes</option>
              <option value="published">Published, up to date</option>
              <option value="never">Never published</option>
            </select>
          </label>
        </div>

        {state.error && (
          <div className="banner banner-danger" role="alert">
            <Icon name="alert" /> Could not load flows: {state.error}
            <button type="button" className="btn btn-sm btn-secondary" onClick={refresh}>
              Retry
            </button>
          </div>
        )}

        <div className="card table-card">
          <table className="flow-table" data-testid="flow-list">
            <thead>
              <tr>
                <th scope="col">{sortBtn('name', 'Name')}</th>
                <th scope="col">{sortBtn('kind', 'Kind')}</th>
                <th scope="col">Status</th>
                <th scope="col">{sortBtn('updated_at', 'Updated')}</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {state.loading && (
                <tr>
                  <td colSpan={5}>
                    <div className="loader loader-sm" aria-label="Loading flows" />
                  </td>
                </tr>
              )}
              {!state.loading &&
                shown.map((f) => (
                  <tr key={f.key} data-testid={`flow-row-${f.key}`}>
                    <td>
                      <a className="flow-link" href={editorHref(f.key)} data-testid={`flow-link-${f.key}`}>
                        <span className={`flow-icon kind-${f.kind}`} aria-hidden="true">
                          <Icon name={f.kind === 'process' ? 'state' : 'flow'} size={16} />
                        </span>
                        <span>
                          <span className="flow-name">{f.name || f.key}</span>
                          <span className="flow-key mono">{f.key}</span>
                        </span>
                      </a>
                      {f.description && <div className="flow-desc">{f.description}</div>}
                    </td>
                    <td>
                      <span className={`kind-chip kind-${f.kind}`}>{f.kind === 'process' ? 'Process' : 'Microflow'}</span>
                    </td>
                    <td>
                      {f.latest_version ? (
                        <span className="status-cell">
                          <span className="version-badge">v{f.latest_version}</span>
                          {f.has_unpublished_changes ? <span className="pill pill-draft">draft changes</span> : <span className="pill pill-completed">published</span>}
                        </span>
                      ) : (
                        <span className="pill pill-pending">never published</span>
                      )}
                    </td>
                    <td className="muted nowrap" title={fullTime(f.updated_at)}>
                      {timeAgo(f.updated_at)}
                      {f.revision ? <span className="small"> · rev {f.revision}</span> : null}
                    </td>
                    <td className="row-actions">
                      <a className="btn btn-ghost btn-sm" href={editorHref(f.key)}>
                        Open
                      </a>
                      <button type="button" className="icon-btn" title="Rename" aria-label={`Rename ${f.key}`} onClick={() => setDialog({ type: 'rename', flow: f })} data-testid={`flow-rename-${f.key}`}>
                        <Icon name="edit" size={15} />
                      </button>
                      <button type="button" className="icon-btn" title="Duplicate" aria-label={`Duplicate ${f.key}`} onClick={() => duplicate(f)} data-testid={`flow-duplicate-${f.key}`}>
                        <Icon name="copy" size={15} />
                      </button>
                      <button type="button" className="icon-btn" title="Export JSON" aria-label={`Export ${f.key}`} onClick={() => exportFlow(f)} data-testid={`flow-export-${f.key}`}>
                        <Icon name="download" size={15} />
                      </button>
                      <button type="button" className="icon-btn danger" title="Delete" aria-label={`Delete ${f.key}`} onClick={() => setDialog({ type: 'delete', flow: f })} data-testid={`flow-delete-${f.key}`}>
                        <Icon name="trash" size={15} />
                      </button>
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
          {!state.loading && shown.length === 0 && (
            <div className="list-empty" data-testid="flow-list-empty">
              {state.items.length === 0 ? (
                <>
                  <div className="list-empty-art" aria-hidden="true">
                    <Icon name="flow" size={36} />
                  </div>
                  <h2>No flows yet</h2>
                  <p className="muted">Create a microflow or a process flow to get started.</p>
                  <button type="button" className="btn btn-primary" onClick={() => setDialog({ type: 'new' })}>
                    <Icon name="plus" size={15} /> New flow
                  </button>
                </>
              ) : (
                <p className="muted">No flow matches these filters.</p>
              )}
            </div>
          )}
        </div>
        <p className="muted small list-count">
          {shown.length} of {state.items.length} flow{state.items.length === 1 ? '' : 's'}
        </p>
      </main>
      {dialog?.type === 'new' && <NewFlowDialog onClose={() => setDialog(null)} existing={state.items} />}
      {dialog?.type === 'rename' && (
        <RenameDialog
          flow={dialog.flow}
          onClose={() => setDialog(null)}
          onDone={() => {
            setDialog(null);
            refresh();
          }}
        />
      )}
      {dialog?.type === 'delete' && (
        <DeleteDialog
          flow={dialog.flow}
          onClose={() => setDialog(null)}
          onDone={() => {
            setDialog(null);
            toast(`Deleted ${dialog.flow.key}`, 'success');
            refresh();
          }}
        />
      )}
    </div>
  );
}

function NewFlowDialog({ onClose, existing }) {
  const [name, setName] = useState('');
  const [key, setKey] = useState('');
  const [keyTouched, setKeyTouched] = useState(false);
  const [kind, setKind] = useState('micro');
  const [description, setDescription] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const effectiveKey = keyTouched ? key : slugify(name);
  const taken = existing.some((f) => f.key === effectiveKey);
  const keyOk = KEY_RE.test(effectiveKey);
  const submit = useCallback(
    async (e) => {
      e.preventDefault();
      setError(null);
      if (!keyOk) {
        setError('Use lowercase letters and digits, separated by single - or _ (e.g. loan-quote).');
        return;
      }
      setBusy(true);
      try {
        const created = await api.createFlow({
          key: effectiveKey,
          name: name.trim() || effectiveKey,
          kind,
          description,
          parameters: [],
          graph: starterGraph(),
        });
        window.location.href = editorHref(created?.key || effectiveKey);
      } catch (err) {
        setError(err.status === 409 ? `A flow with the key “${effectiveKey}” already exists.` : err.message);
        setBusy(false);
      }
    },
    [keyOk, effectiveKey, name, kind, description],
  );
  return (
    <Dialog
      title="New flow"
      onClose={onClose}
      testid="new-flow-dialog"
      footer={
        <>
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="new-flow-form" className="btn btn-primary" disabled={busy} data-testid="new-flow-submit">
            {busy ? 'Creating…' : 'Create flow'}
          </button>
        </>
      }
    >
      <form id="new-flow-form" onSubmit={submit} className="form-grid">
        <div className="field">
          <label className="field-label" htmlFor="nf-name">
            Name
          </label>
          <input id="nf-name" className="input" value={name} onChange={(e) => setName(e.target.value)} placeholder="Loan quote" data-testid="new-flow-name" autoComplete="off" />
        </div>
        <div className="field">
          <label className="field-label" htmlFor="nf-key">
            Key <span className="muted small">(used in URLs and the API)</span>
          </label>
          <input
            id="nf-key"
            className={`input mono${(effectiveKey && !keyOk) || taken ? ' is-invalid' : ''}`}
            value={effectiveKey}
            onChange={(e) => {
              setKeyTouched(true);
              setKey(e.target.value);
            }}
            placeholder="loan-quote"
            data-testid="new-flow-key"
            autoComplete="off"
          />
          {taken && <p className="field-error">This key is taken.</p>}
        </div>
        <div className="field">
          <label className="field-label" htmlFor="nf-kind">
            Kind
          </label>
          <select id="nf-kind" className="input" value={kind} onChange={(e) => setKind(e.target.value)} data-testid="new-flow-kind">
            <option value="micro">Microflow</option>
            <option value="process">Process flow</option>
          </select>
          <p className="help">
            {kind === 'micro'
              ? 'Short backend logic. Runs inline (sync) or on a worker (async).'
              : 'A long-running business process that waits in states for people, timers and events.'}
          </p>
        </div>
        <div className="field">
          <label className="field-label" htmlFor="nf-desc">
            Description <span className="muted small">(optional)</span>
          </label>
          <textarea id="nf-desc" className="input" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} data-testid="new-flow-description" />
        </div>
        {error && (
          <div className="form-error" role="alert" data-testid="new-flow-error">
            {error}
          </div>
        )}
      </form>
    </Dialog>
  );
}

function RenameDialog({ flow, onClose, onDone }) {
  const toast = useToast();
  const [name, setName] = useState(flow.name || '');
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    try {
      const d = await api.getFlow(flow.key);
      await api.saveFlow(flow.key, { ...docFields(d), name: name.trim() || flow.key, revision: d.revision });
      toast('Renamed', 'success');
      onDone();
    } catch (err) {
      toast(`Rename failed: ${err.message}`, 'error');
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={`Rename ${flow.key}`}
      onClose={onClose}
      testid="rename-dialog"
      footer={
        <>
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="rename-form" className="btn btn-primary" disabled={busy} data-testid="rename-submit">
            Rename
          </button>
        </>
      }
    >
      <form id="rename-form" onSubmit={submit}>
        <label className="field-label" htmlFor="rn-name">
          Name
        </label>
        <input id="rn-name" className="input" value={name} onChange={(e) => setName(e.target.value)} data-testid="rename-name" />
        <p className="help">The key ({flow.key}) stays the same, so links and screens keep working.</p>
      </form>
    </Dialog>
  );
}

function DeleteDialog({ flow, onClose, onDone }) {
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  return (
    <Dialog
      title="Delete flow?"
      onClose={onClose}
      testid="delete-dialog"
      footer={
        <>
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="btn btn-danger"
            disabled={busy}
            data-testid="confirm-delete"
            onClick={async () => {
              setBusy(true);
              try {
                await api.deleteFlow(flow.key);
                onDone();
              } catch (err) {
                toast(`Delete failed: ${err.message}`, 'error');
                setBusy(false);
              }
            }}
          >
            Delete
          </button>
        </>
      }
    >
      <p>
        Delete <b>{flow.name || flow.key}</b> (<code>{flow.key}</code>) with its draft{flow.latest_version ? ` and ${flow.latest_version} published version(s)` : ''}? This cannot be undone.
      </p>
    </Dialog>
  );
}
