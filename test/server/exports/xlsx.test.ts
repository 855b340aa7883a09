// The XLSX rule for waves larger than a sheet: rows continue on "data 2", "data 3", … and the
// codebook says so. Checked with a small injected sheet size (the real one is Excel's 1,048,576
// rows, header included), reading the workbook back with exceljs.
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportWave } from '../../../server/exports/service';
import { exportEngine, type ExportEngine } from './engine';
import { createExportFixture, type ExportFixture } from './fixture';

let fx: ExportFixture;
let on: ExportEngine;
beforeAll(async () => { fx = createExportFixture(23); on = await exportEngine(fx.file); }, 60_000);
afterAll(async () => { await on.close(); fs.rmSync(fx.dir, { recursive: true, force: true }); });

describe('XLSX export', () => {
  it('continues on further data sheets when a sheet is full, and says so in the codebook', async () => {
    const out = path.join(fx.dir, 'split.xlsx');
    const s = await exportWave(on.db, { waveId: fx.waveId, format: 'xlsx', lang: 'kk', status: 'complete', labels: true, out, xlsxRowsPerSheet: 10 });
    expect(s.rows).toBe(23);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['data', 'data 2', 'data 3', 'codebook', 'value labels']);
    expect(wb.worksheets.slice(0, 3).map((w) => w.rowCount)).toEqual([11, 11, 4]);
    // Every sheet repeats the header; ids continue in order across sheets.
    const ids: unknown[] = [];
    for (const w of wb.worksheets.slice(0, 3)) {
      expect(w.getRow(1).getCell(1).value).toBe('response_id');
      for (let r = 2; r <= w.rowCount; r++) ids.push(w.getRow(r).getCell(1).value);
    }
    expect(ids).toEqual([...fx.answers.keys()].sort());
    const cb = wb.getWorksheet('codebook')!;
    const note = cb.getSheetValues().map((x) => (Array.isArray(x) ? x.slice(1) : [])).find((x) => x?.[0] === 'data sheets')!;
    expect(note[1]).toBe('23 rows continue over 3 sheets (at most 10 rows each): "data" 10, "data 2" 10, "data 3" 3');
    // Labels mode, in Kazakh.
    const data = wb.getWorksheet('data')!;
    const header = (data.getRow(1).values as unknown[]).slice(1);
    expect(data.getRow(2).getCell(header.indexOf('adult') + 1).value).toBe('Иә');
  });
});
