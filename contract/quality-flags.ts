// The quality flags' names, on their own (no schema library): the run's input helper thread
// (server/runs/input-worker.ts) loads what server/runs/result.ts needs, and with it whatever this
// file imports — here nothing, where contract/admin-api.ts would have brought zod (~0.7 MB of
// JavaScript compiled at every start of that thread).

/**
 * Quality flags of METHODOLOGY §6 that a run computes (excluded by default), the one list for the
 * runs, the exports and the console. The last three guard the open link against ballot stuffing
 * (analysis/quality.ts, docs/decisions/021); a run stored before they existed has no count for them.
 */
export const QUALITY_FLAGS = ['speeder', 'straightliner', 'incomplete', 'burst', 'duplicate_answers', 'automation'] as const;
export type QualityFlagName = (typeof QUALITY_FLAGS)[number];
