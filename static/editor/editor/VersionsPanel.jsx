import { memo, useCallback, useEffect, useState } from 'react';
import { api, itemsOf } from '../api.js';
import { Icon } from '../icons.jsx';
import { fullTime, timeAgo, useToast } from '../ui.jsx';

export const VersionsPanel = memo(function VersionsPanel({ flowKey, tick, diffVersion, onCompare, onRestore, onCloseDiff }) {
  const toast = useToast();
  const [state, setState] = useState({ loading: true, items: [] });
  const [busy, setBusy] = useState(null);
  useEffect(() => {
    let alive = true;
    setState((s) => ({ ...s, loading: true }));
    api
      .versions(flowKey)
      .then((d) => alive && setState({ loading: false, items: itemsOf(d) }))
      .catch((err) => alive && setState({ loading: false, items: [], error: err.message }));
    return () => {
      alive = false;
    };
  }, [flowKey, tick]);

  const load = useCallback(
    async (v, then) => {
      setBusy(v);
      try {
        const d = await api.version(flowKey, v);
        then(v, d.document || d);
      } catch (err) {
        toast(`Could not load v${v}: ${err.message}`, 'error');
      } finally {
        setBusy(null);
      }
    },
    [flowKey, toast],
  );

  return (
    <div className="versions" data-testid="versions">
      <div className="panel-title-row">
        <h2 className="props-title">Version history</h2>
        {diffVersion && (
          <button type="button" className="btn btn-ghost btn-sm" onClick={onCloseDiff}>
            Stop comparing
          </button>
        )}
      </div>
      <p className="help">Published versions are immutable. Compare one with the draft on the canvas, or restore it into the draft.</p>
      {state.loading && <div className="loader loader-sm" aria-label="Loading" />}
      {state.error && <p className="form-error">{state.error}</p>}
      {!state.loading && !state.error && state.items.length === 0 && (
        <div className="empty-note">Nothing published yet. Use Publish in the toolbar to make v1.</div>
      )}
      <ol className="version-list">
        {state.items.map((v) => (
          <li key={v.version} className={`version-item${diffVersion === v.version ? ' is-active' : ''}`} data-testid={`version-${v.version}`}>
            <div className="version-top">
              <span className="version-num">v{v.version}</span>
              <span className="version-meta" title={fullTime(v.published_at)}>
                {v.published_by ? `${v.published_by} · ` : ''}
                {timeAgo(v.published_at)}
              </span>
            </div>
            {v.note ? <div className="version-note">{v.note}</div> : <div className="version-note muted">No note</div>}
            <div className="version-actions">
              <button
                type="button"
                className="btn btn-ghost btn-sm"
                disabled={busy === v.version}
                onClick={() => load(v.version, onCompare)}
                data-testid={`version-compare-${v.version}`}
              >
                <Icon name="flow" size={14} /> Compare
              </button>
              <button
                type="button"
                className="btn btn-ghost btn-sm"
                disabled={busy === v.version}
                onClick={() => load(v.version, onRestore)}
                data-testid={`version-restore-${v.version}`}
              >
                <Icon name="history" size={14} /> Restore
              </button>
            </div>
          </li>
        ))}
      </ol>
    </div>
  );
});
