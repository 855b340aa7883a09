// What the console shows of waves beyond the rows: live counts per wave (one grouped query over
// the (wave_id, status) index), invitation use, and the open link's QR code.
import { sql } from 'drizzle-orm';
import qrcode from 'qrcode-generator';
import type { Wave } from '../../../contract/admin-api';
import { invitations, responses, type ResponseRow, type WaveRow } from '../../db/schema';
import type { Sql } from '../../db/sql';

type Counts = Wave['counts'];
type InvCounts = Wave['invitations'];

function emptyCounts(): Counts { return { started: 0, partial: 0, completed: 0, screenedOut: 0, byMode: {} }; }

/** Counts of every wave (or one), by status and by mode. */
export async function waveCounts(db: Sql, waveId?: number): Promise<Map<number, Counts>> {
  const where = waveId === undefined ? sql`` : sql` WHERE ${responses.waveId} = ${waveId}`;
  const rows = await db.all<{ waveId: number; status: ResponseRow['status']; mode: ResponseRow['mode']; n: number }>(sql`SELECT ${responses.waveId} AS "waveId", ${responses.status} AS "status",
    ${responses.mode} AS "mode", count(*) AS "n" FROM ${responses}${where} GROUP BY ${responses.waveId}, ${responses.status}, ${responses.mode}`);
  const out = new Map<number, Counts>();
  for (const r of rows) {
    let c = out.get(r.waveId);
    if (!c) out.set(r.waveId, (c = emptyCounts()));
    c.started += r.n;
    if (r.status === 'partial') c.partial += r.n;
    else if (r.status === 'complete') c.completed += r.n;
    else c.screenedOut += r.n;
    c.byMode[r.mode] = (c.byMode[r.mode] ?? 0) + r.n;
  }
  return out;
}

export async function invitationCounts(db: Sql, waveId?: number): Promise<Map<number, InvCounts>> {
  const where = waveId === undefined ? sql`` : sql` WHERE ${invitations.waveId} = ${waveId}`;
  const rows = await db.all<{ waveId: number } & InvCounts>(sql`SELECT ${invitations.waveId} AS "waveId", count(*) AS "total",
    count(${invitations.responseId}) AS "used", count(${invitations.completedAt}) AS "completed" FROM ${invitations}${where} GROUP BY ${invitations.waveId}`);
  return new Map(rows.map((r) => [r.waveId, { total: r.total, used: r.used, completed: r.completed }]));
}

export function toWave(w: WaveRow, counts: Counts | undefined, inv: InvCounts | undefined): Wave {
  return {
    id: w.id, surveyId: w.surveyId, title: { kk: w.titleKk, ru: w.titleRu, en: w.titleEn },
    status: w.status, period: w.period, openedAt: w.openedAt, closedAt: w.closedAt, openPath: `/s/${w.openSlug}`,
    counts: counts ?? emptyCounts(), invitations: inv ?? { total: 0, used: 0, completed: 0 },
  };
}

/** A QR code of `url` as an SVG document (error correction M, 4-module quiet zone), for printing. */
export function qrSvg(url: string): string {
  const qr = qrcode(0, 'M');
  qr.addData(url, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  const margin = 4;
  const size = n + 2 * margin;
  let path = '';
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) if (qr.isDark(y, x)) path += `M${x + margin} ${y + margin}h1v1h-1z`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" shape-rendering="crispEdges" role="img" aria-label="${url.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)}"><rect width="${size}" height="${size}" fill="#fff"/><path d="${path}" fill="#000"/></svg>`;
}
