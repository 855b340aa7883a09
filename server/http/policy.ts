// How the app applies what a feature declares (server/features.ts): its access rule and its cache
// policy (docs/decisions/005).
import express, { Router, type Express, type RequestHandler } from 'express';
import type { Access, CachePolicy, Feature, FeatureDeps } from '../features';
import { authenticate } from '../auth/http';

/** How long a shared cache may serve a public answer before revalidating it with its ETag (docs/PUBLIC-API.md). */
export const PUBLIC_MAX_AGE_SECONDS = 60;

const CACHE_CONTROL: Record<CachePolicy, string> = {
  'no-store': 'no-store',
  'public-etag': `public, max-age=${PUBLIC_MAX_AGE_SECONDS}`,
};

function accessGuard(access: Access, deps: FeatureDeps): RequestHandler {
  switch (access.kind) {
    case 'public':
    case 'respondent':
      // A respondent's credential is the link in the path; the feature's service checks it.
      return (_req, _res, next) => next();
    case 'authenticated':
      // The console's session (server/auth): 401 without one, except the feature's open routes.
      return authenticate(deps.store, deps.clock ?? (() => new Date()), access.role, access.open);
  }
}

/**
 * The router that serves one feature at `/api<feature.path>` with its policy. A 'public-etag'
 * feature runs in a sub-application whose `etag` setting is 'strong', so res.json/res.send add an
 * ETag and answer 304 to a matching If-None-Match (Express's own freshness check); the app itself
 * keeps ETags off.
 */
export function mountFeature(feature: Feature, deps: FeatureDeps): Router {
  if (!/^\/[^/]/.test(feature.path)) throw new Error(`feature "${feature.name}" must be mounted at its own path under /api (e.g. '/links'), not "${feature.path}"`);
  const cacheControl = CACHE_CONTROL[feature.cache];
  let inner: Router | Express = Router();
  if (feature.cache === 'public-etag') {
    const sub = express();
    sub.disable('x-powered-by');
    sub.set('etag', 'strong');
    inner = sub;
  }
  inner.use(accessGuard(feature.access, deps), (_req, res, next) => {
    res.setHeader('Cache-Control', cacheControl);
    next();
  }, feature.router(deps));
  const outer = Router();
  outer.use(feature.path, inner);
  return outer;
}
