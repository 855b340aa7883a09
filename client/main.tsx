import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import './design/styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('client/index.html must contain <div id="root">.');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

// A respondent link works offline after its first visit (decision 023). The same module promise as
// the route's lazy import: it resolves when the survey code is in, and downloads nothing twice.
if (window.location.pathname.startsWith('/s/')) {
  void import('./sw/register').then((m) => m.registerRespondentWorker(import('./respond/respond-page')));
}
