// Console handlers of population frames: list, and upload (CSV or XLSX) through the same
// `importFrameFile` as `kelisim frame import`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Frame } from '../../../contract/admin-api';
import type { FrameRow } from '../../db/schema';
import { importFrameFile, listFrames } from '../../frames/service';
import type { AdminDeps, Handlers } from '../router';

export const toFrame = (f: FrameRow): Frame => ({
  id: f.id, name: f.name, source: f.source, referenceDate: f.referenceDate, illustrative: f.illustrative,
  contentHash: f.contentHash, margins: f.margins.length, createdBy: f.createdBy, createdAt: f.createdAt,
});

export function frameHandlers({ store }: AdminDeps): Pick<Handlers, 'listFrames' | 'uploadFrame'> {
  return {
    listFrames: async () => ({ items: (await listFrames(store.sql)).map(toFrame) }),
    uploadFrame: async ({ req, body, query, actor }) => {
      const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      const ext = type === 'text/csv' ? 'csv' : 'xlsx';
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-frame-'));
      try {
        const file = path.join(dir, `${query.name}.${ext}`);
        fs.writeFileSync(file, body, { mode: 0o600 });
        const { frame, scaled } = await importFrameFile(store, file, { name: query.name, source: query.source, referenceDate: query.referenceDate, illustrative: query.illustrative === 'true' }, actor);
        return { frame: toFrame(frame), scaled: scaled.map((s) => ({ margin: s.margin, total: s.total, factor: s.factor })) };
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
