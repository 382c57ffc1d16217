// Entry point of the Sluice flow designer. Django renders
// <div id="sluice-designer" data-page="list|editor" data-flow-key data-user data-api>
// and loads this bundle; we pick the page from the data attributes.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/base.css';
import './styles.css';
import { setApiBase } from './api.js';
import { ToastProvider } from './ui.jsx';
import { FlowListPage } from './list/FlowList.jsx';
import { EditorPage } from './editor/Editor.jsx';

function mount() {
  const el = document.getElementById('sluice-designer');
  if (!el) return;
  const { page = 'list', flowKey = '', user = '', api = '/api' } = el.dataset;
  setApiBase(api);
  document.body.classList.add('sluice-body');
  const root = createRoot(el);
  root.render(
    <StrictMode>
      <ToastProvider>
        {page === 'editor' && flowKey ? <EditorPage flowKey={flowKey} user={user} /> : <FlowListPage user={user} />}
      </ToastProvider>
    </StrictMode>,
  );
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount);
else mount();
