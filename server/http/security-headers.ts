// helmet's security headers for the whole app (issue 8). The Content-Security-Policy is fitted to
// what the built client uses (tested in test/server/admin/security-headers.test.ts against the
// respondent page, the dashboard and the console in Chromium): scripts only from this origin (Vite
// emits module scripts under /assets) plus, by their SHA-256, the inline scripts of the built
// index.html (the skeleton's language line, decision 023) — never 'unsafe-inline'; styles from this origin plus inline style
// attributes (React and SurveyJS set `style=`), images from this origin and data: URIs (the favicon,
// SurveyJS's icons), fetch only to this origin, no plug-ins, no framing.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import helmet from 'helmet';
import type { RequestHandler } from 'express';

/**
 * CSP sources (`'sha256-…'`) of the inline scripts of `<staticDir>/index.html`, read once at start:
 * exactly the scripts this build serves may run inline, whatever their text becomes.
 */
export function inlineScriptHashes(staticDir: string | undefined): string[] {
  if (!staticDir) return [];
  let html: string;
  try {
    html = fs.readFileSync(path.join(staticDir, 'index.html'), 'utf8');
  } catch {
    return []; // no client built (API-only tests): nothing inline to allow
  }
  const hashes: string[] = [];
  for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)) {
    hashes.push(`'sha256-${createHash('sha256').update(m[1]!, 'utf8').digest('base64')}'`);
  }
  return hashes;
}

export function securityHeaders(staticDir?: string): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'", ...inlineScriptHashes(staticDir)],
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
