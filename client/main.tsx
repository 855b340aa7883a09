import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import './design/styles.css';
import { matchRoute } from './router';

const root = document.getElementById('root');
if (!root) throw new Error('client/index.html must contain <div id="root">.');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

// A respondent link (decision 023): its session (the link's questionnaire, this device's answers)
// starts loading now, alongside the page's code; and the link works offline after this first visit.
// The same module promise as the route's lazy import: it resolves when the respondent page is in,
// and downloads nothing twice.
const route = matchRoute(window.location.pathname);
if (route.name === 'respond') {
  const link = route.link;
  const session = import('./respond/load-session').then((m) => m.preloadSession(link));
  const respondPage = import('./respond/respond-page'); // requested now, not after the first render
  // This device's response on the link (its id is made here): the worker starts its GET early next time.
  // null: it finished (forget it); undefined: not known now (a message screen, e.g. offline).
  const responseId = session.then((r) => (r.kind === 'survey' ? r.session.responseId : r.kind === 'done' ? null : undefined), () => undefined);
  void import('./sw/register').then((m) => m.registerRespondentWorker(respondPage.then((m) => m.surveyCodeLoaded), responseId));
}
