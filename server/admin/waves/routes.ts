// Console handlers of waves, invitations, quotas, interview imports and exports. Each calls the
// service the matching `kelisim` command calls (server/waves, server/invitations,
// server/responses/import.ts, server/exports); only the HTTP parts are here. On the store (decision
// 027): SQLite or PostgreSQL; only the export reads the SQLite file (refused on PostgreSQL: export-db.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { idParam, type QuotaState } from '../../../contract/admin-api';
import { appendAudit } from '../../audit/service';
import { DomainError } from '../../errors';
import { writeExport } from '../../exports/download';
import { parseParams } from '../../http/validate';
import { createInvitationsAudited } from '../../invitations/service';
import { importResponsesFile } from '../../responses/import';
import { OFFICIAL_SURVEY_ID } from '../../surveys/service';
import { closeWaveAudited, createWave, findWave, listWaves, openNextWave } from '../../waves/service';
import type { Sql } from '../../db/sql';
import type { Store } from '../../db/store';
import { exportDatabaseOf } from '../../exports/snapshot';
import type { AdminDeps, Handlers } from '../router';
import { invitationCounts, qrSvg, toWave, waveCounts } from './service';

/** The quota routes' service (server/admin/waves/quotas.ts over server/quotas/service.ts; tests may pass another). */
export interface QuotaSeam {
  get(store: Store, waveId: number): Promise<QuotaState>;
  put(store: Store, waveId: number, cells: { region: string; sex: string; ageBand: string; target: number }[], actor: string, now: Date): Promise<QuotaState>;
  importCsv(store: Store, waveId: number, csv: string, actor: string, now: Date): Promise<QuotaState>;
}

type WaveHandlers = Pick<Handlers, 'listWaves' | 'createWave' | 'openWave' | 'getWave' | 'closeWave' | 'waveLink' | 'createInvitations' | 'invitationCounts' | 'getQuotas' | 'putQuotas' | 'importQuotas' | 'importResponses' | 'exportWave'>;

async function requireWave(sql: Sql, id: number) {
  const w = await findWave(sql, id);
  if (!w) throw new DomainError('not_found', 'wave_not_found', `There is no wave ${id}.`);
  return w;
}

const safeName = (name: string | undefined, fallback: string) => (name ?? fallback).replace(/[^\w.-]+/g, '_').slice(0, 100) || fallback;

/** Writes an upload to a private temporary folder, runs `f` on the path, and removes it. */
async function withUploadFile<T>(data: Buffer, name: string, f: (file: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-upload-'));
  const file = path.join(dir, name);
  try {
    fs.writeFileSync(file, data, { mode: 0o600 });
    return await f(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function waveHandlers({ db, store, publicBaseUrl }: AdminDeps, quotas: QuotaSeam): WaveHandlers {
  const waveOut = async (id: number) => {
    const w = await requireWave(store.sql, id);
    return toWave(w, (await waveCounts(store.sql, id)).get(id), (await invitationCounts(store.sql, id)).get(id));
  };
  const baseOf = (req: { protocol: string; get(h: string): string | undefined }) => (publicBaseUrl ?? `${req.protocol}://${req.get('host')}`).replace(/\/+$/, '');
  return {
    listWaves: async () => {
      const counts = await waveCounts(store.sql);
      const inv = await invitationCounts(store.sql);
      return { items: (await listWaves(store.sql)).reverse().map((w) => toWave(w, counts.get(w.id), inv.get(w.id))) };
    },
    createWave: async ({ body, actor, now }) => waveOut((await createWave(store, OFFICIAL_SURVEY_ID, body.period, { closed: body.closed === true, actor, now })).id),
    openWave: async ({ actor, now }) => waveOut((await openNextWave(store, OFFICIAL_SURVEY_ID, actor, now)).id),
    getWave: ({ req }) => waveOut(parseParams(req, idParam).id),
    closeWave: async ({ req, actor, now }) => waveOut((await closeWaveAudited(store, parseParams(req, idParam).id, actor, now)).id),
    waveLink: async ({ req }) => {
      const w = await requireWave(store.sql, parseParams(req, idParam).id);
      const url = `${baseOf(req)}/s/${w.openSlug}`;
      return { url, qrSvg: qrSvg(url) };
    },
    createInvitations: async ({ req, res, body, actor, now }) => {
      const w = await requireWave(store.sql, parseParams(req, idParam).id);
      if (w.status !== 'open') throw new DomainError('conflict', 'wave_closed', `Wave ${w.id} is closed; invitations to it could not be answered. Open a wave first.`);
      const base = baseOf(req);
      // One transaction: the invitations and their audit entry. The tokens exist only in this answer.
      const created = await createInvitationsAudited(store, w.id, body.count, actor, now);
      const csv = ['invitation_id,link', ...created.map((r) => `${r.id},${base}/s/${r.token}`)].join('\r\n') + '\r\n';
      res.status(201).setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="kelisim-wave-${w.id}-invitations-${created[0]!.id}-${created.at(-1)!.id}.csv"`);
      res.send(csv);
    },
    invitationCounts: async ({ req }) => {
      const w = await requireWave(store.sql, parseParams(req, idParam).id);
      const c = (await invitationCounts(store.sql, w.id)).get(w.id) ?? { total: 0, used: 0, completed: 0 };
      return { waveId: w.id, ...c, unused: c.total - c.used };
    },
    getQuotas: async ({ req }) => {
      const w = await requireWave(store.sql, parseParams(req, idParam).id);
      return quotas.get(store, w.id);
    },
    putQuotas: async ({ req, body, actor, now }) => {
      const w = await requireWave(store.sql, parseParams(req, idParam).id);
      return quotas.put(store, w.id, body.cells, actor, now);
    },
    importQuotas: async ({ req, body, actor, now }) => {
      const w = await requireWave(store.sql, parseParams(req, idParam).id);
      return quotas.importCsv(store, w.id, body.toString('utf8'), actor, now);
    },
    importResponses: async ({ req, body, query, actor }) => {
      const w = await requireWave(store.sql, parseParams(req, idParam).id);
      const name = safeName(query.fileName, 'interviews.csv').replace(/(\.csv)?$/i, '.csv');
      // The same all-or-nothing import as `kelisim responses import` (422 invalid_import lists the rows).
      return withUploadFile(body, name, (file) => importResponsesFile(store, w.id, file, actor))
        .then((s) => ({ ...s, file: name }))
        .catch((err: unknown) => {
          if (err instanceof DomainError && err.details && typeof err.details === 'object' && 'file' in err.details) {
            throw new DomainError(err.kind, err.code, err.message.split(path.dirname(String((err.details as { file: string }).file)) + path.sep).join(''), { ...err.details, file: name });
          }
          throw err;
        });
    },
    exportWave: async ({ req, res, query, actor, now }) => {
      const w = await requireWave(store.sql, parseParams(req, idParam).id);
      const lang = query.lang ?? 'ru';
      const status = query.status ?? 'complete';
      if (query.part === 'codebook' && query.format !== 'csv') throw new DomainError('bad_usage', 'invalid_option', `part=codebook: only the csv format has a separate codebook file; ${query.format} carries the codebook inside — leave part out`);
      // writeExport, as every download: written off the event loop, refused before the first byte.
      const xdb = exportDatabaseOf(store, db);
      await writeExport(xdb, {
        kind: 'wave', waveId: w.id, format: query.format, lang, status, labels: query.labels === 'true', part: query.part ?? 'data', ...(query.run === undefined ? {} : { runId: query.run }),
      }, res, async (sent) => {
        await store.write((tx) => appendAudit(tx, { actor, action: 'wave.export', subjectType: 'wave', subjectId: w.id, after: { format: query.format, lang, status, part: query.part ?? 'data', ...(query.run === undefined ? {} : { run: query.run }), rows: sent.rows } }, now));
      });
    },
  };
}
