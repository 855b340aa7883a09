// The console API feature (issue 8): one router at /api/admin built from the contract's route
// table (contract/admin-api.ts) and the handlers of each feature folder.
import type { Router } from 'express';
import { authHandlers } from '../auth/routes';
import type { FeatureDeps } from '../features';
import { auditHandlers } from './audit/routes';
import { frameHandlers } from './frames/routes';
import { adminRouter, type AdminDeps } from './router';
import { responseHandlers } from './responses/routes';
import { createJobRunner } from './runs/jobs';
import { runHandlers } from './runs/routes';
import { quotaRoutes } from './waves/quotas';
import { waveHandlers, type QuotaSeam } from './waves/routes';

/** The one route anyone may call (FEATURES' access rule lets it past the sign-in guard). */
export const ADMIN_OPEN_ROUTES = [{ method: 'POST', path: '/session' }] as const;

export function buildAdminRouter(deps: FeatureDeps, quotas: QuotaSeam = quotaRoutes): Router {
  const clock = deps.clock ?? (() => new Date());
  // Recovers the jobs table at its first use (the job routes await jobs.ready()), not here.
  const jobs = deps.jobs ?? createJobRunner(deps.store, deps.dbFile, clock);
  const admin: AdminDeps = { ...deps, clock, dbFile: deps.dbFile, publicBaseUrl: deps.publicBaseUrl, jobs };
  return adminRouter(admin, {
    ...authHandlers(admin),
    ...waveHandlers(admin, quotas),
    ...responseHandlers(admin),
    ...frameHandlers(admin),
    ...runHandlers(admin),
    ...auditHandlers(admin),
  });
}
