// helmet's security headers for the whole app (issue 8). The Content-Security-Policy is fitted to
// what the built client uses (tested in test/server/admin/security-headers.test.ts against the
// respondent page, the dashboard and the console in Chromium): scripts only from this origin (Vite
// emits module scripts under /assets, no inline script), styles from this origin plus inline style
// attributes (React and SurveyJS set `style=`), images from this origin and data: URIs (the favicon,
// SurveyJS's icons), fetch only to this origin, no plug-ins, no framing.
import helmet from 'helmet';
import type { RequestHandler } from 'express';

export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:', 'blob:'],
        'font-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
      },
    },
    // Same-origin popups/resources only; no COEP (nothing cross-origin is embedded, and it would
    // break nothing but gains nothing either).
    crossOriginEmbedderPolicy: false,
    // HSTS only matters over HTTPS; browsers ignore it on HTTP, so the default (180 days) is kept.
    referrerPolicy: { policy: 'same-origin' },
  });
}
