// The SPSS export read back by GNU PSPP (PSPP_PATH, else `pspp` on the PATH; scripts/test.ts finds
// or installs it): names, variable labels (a long Cyrillic one cut at a character boundary),
// measurement levels, value labels (short and long strings, numeric with `dk` as user-missing),
// missing values and every value of every case — for kk, ru and en labels, compressed and not —
// compared with what the export meant to write.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSav, spssNumber } from '../../../server/exports/sav/export';
import { cutUtf8 } from '../../../server/exports/sav/writer';
import { exportWave } from '../../../server/exports/service';
import { flagAnnotations, runAnnotations } from '../../../server/exports/run-columns';
import { openExportSource, type ExportSource } from '../../../server/exports/source';
import { inExportSnapshot } from '../../../server/exports/snapshot';
import { findWave } from '../../../server/waves/service';
import { QUALITY_FLAGS } from '../../../server/runs/result';
import type { Code, ExportVariable, Lang } from '../../../server/exports/variables';
import { parseCsvText } from '../../../server/tables/read-table';
import { parseCsvExact } from './csv-exact';
import { exportEngine, type ExportEngine } from './engine';
import { createExportFixture, HOSTILE, LONG_TITLE, type ExportFixture } from './fixture';
import { createRunFixture, type RunFixture } from './run-fixture';

const PSPP = process.env.PSPP_PATH || 'pspp';


/** A source's variables and all its rows (in the snapshot it was opened in). */
async function variablesAndRows(src: ExportSource): Promise<{ vars: ExportVariable[]; rows: (Code | null)[][] }> {
  const rows: (Code | null)[][] = [];
  for await (const batch of src.batches()) rows.push(...batch);
  return { vars: src.variables, rows };
}

let fx: ExportFixture;
let on: ExportEngine;
beforeAll(async () => { fx = createExportFixture(40); on = await exportEngine(fx.file); }, 60_000);
afterAll(async () => { await on.close(); fs.rmSync(fx.dir, { recursive: true, force: true }); });

interface ReadBack {
  variables: Map<string, { position: number; label: string; measure: string; missing: string }>;
  valueLabels: Map<string, { value: string; label: string; missing: boolean }[]>;
  header: string[];
  rows: string[][];
}

/** Runs PSPP on `sav`: DISPLAY DICTIONARY as CSV tables, and the data saved as CSV. */
function readBack(sav: string, numericNames: string[]): ReadBack {
  const base = sav.replace(/\.sav$/, '');
  const syntax = [
    'SET TVARS=NAMES.',
    `GET FILE='${sav}'.`,
    'DISPLAY DICTIONARY.',
    // Full precision for every numeric variable, so values compare exactly.
    `FORMATS ${numericNames.join(' ')} (F40.16).`,
    `SAVE TRANSLATE /OUTFILE='${base}.back.csv' /TYPE=CSV /FIELDNAMES /CELLS=VALUES /REPLACE.`,
  ].join('\n');
  fs.writeFileSync(`${base}.sps`, syntax + '\n');
  const out = execFileSync(PSPP, ['-O', 'format=csv', '-o', `${base}.dict.csv`, `${base}.sps`], { encoding: 'utf8' });
  expect(out).not.toMatch(/error|warning/i);
  const dictText = fs.readFileSync(`${base}.dict.csv`, 'utf8');
  expect(dictText).not.toMatch(/error|warning/i);
  const sections = new Map<string, string>();
  for (const part of dictText.split(/^Table: /m).slice(1)) {
    const nl = part.indexOf('\n');
    sections.set(part.slice(0, nl).trim(), part.slice(nl + 1).replace(/^Footnote:.*$/m, '').trim());
  }
  const vars = parseCsvText(`${sections.get('Variables')!}\n`, 'variables');
  const col = (n: string) => vars.header.indexOf(n);
  const variables = new Map(vars.records.map((r) => [r.cells[0]!, {
    position: Number(r.cells[col('Position')]), label: r.cells[col('Label')]!, measure: r.cells[col('Measurement Level')]!, missing: r.cells[col('Missing Values')]!,
  }]));
  const valueLabels = new Map<string, { value: string; label: string; missing: boolean }[]>();
  const vl = sections.get('Value Labels');
  if (vl) {
    let current = '';
    for (const r of parseCsvText(`${vl}\n`, 'value labels').records) {
      if (r.cells[0]) current = r.cells[0];
      const missing = r.cells[1]!.endsWith('[a]');
      const list = valueLabels.get(current) ?? [];
      list.push({ value: r.cells[1]!.replace(/\[a\]$/, ''), label: r.cells[2]!, missing });
      valueLabels.set(current, list);
    }
  }
  const [header, ...rows] = parseCsvExact(fs.readFileSync(`${base}.back.csv`, 'utf8'));
  return { variables, valueLabels, header: header!, rows };
}

function expectDictionary(back: ReadBack, vars: readonly ExportVariable[]): void {
  expect([...back.variables.keys()]).toEqual(vars.map((v) => v.name));
  for (const v of vars) {
    const got = back.variables.get(v.name)!;
    expect(got.label, v.name).toBe(cutUtf8(v.label, 255).toString('utf8'));
    expect(got.measure.toLowerCase(), v.name).toBe(v.measure);
    const missing = v.type === 'numeric' ? v.missing.map((m) => String(spssNumber(v, m))) : v.missing.map(String);
    expect(got.missing.split(/;\s*/).filter((s) => s !== '').sort(), `${v.name} missing values`).toEqual(missing.sort());
    const expectedLabels = [
      ...v.values.map((x) => ({ code: x.code, label: x.label })),
      ...v.missing.filter((m) => !v.values.some((x) => String(x.code) === String(m))).map((m) => ({ code: m, label: String(m) })),
    ].map((x) => ({
      value: v.type === 'numeric' ? String(spssNumber(v, x.code)) : String(x.code),
      label: cutUtf8(x.label, 255).toString('utf8'),
      missing: v.missing.some((m) => String(m) === String(x.code)),
    }));
    const gotLabels = (back.valueLabels.get(v.name) ?? []).map((x) => ({ ...x, value: v.type === 'numeric' ? String(Number(x.value)) : x.value }));
    const key = (x: { value: string }) => x.value;
    expect([...gotLabels].sort((a, b) => key(a).localeCompare(key(b))), `${v.name} value labels`)
      .toEqual([...expectedLabels].sort((a, b) => key(a).localeCompare(key(b))));
  }
}

function expectValues(back: ReadBack, vars: readonly ExportVariable[], rows: (Code | null)[][]): void {
  expect(back.header).toEqual(vars.map((v) => v.name));
  expect(back.rows.length).toBe(rows.length);
  rows.forEach((row, i) => {
    vars.forEach((v, k) => {
      const got = back.rows[i]![k]!;
      const x = row[k]!;
      const where = `row ${i + 1} (${String(row[0])}), ${v.name}`;
      if (v.type === 'numeric') {
        if (x === null) expect(got.trim(), where).toBe('');
        else expect(Number(got), where).toBe(spssNumber(v, x));
      } else {
        // SPSS strings are space-padded: trailing spaces are not part of the value. PSPP's CSV
        // writer turns a CR LF inside a value into LF; the .sav itself holds the CR LF (checked below).
        expect(got.trimEnd(), where).toBe(x === null ? '' : String(x).replace(/\r\n/g, '\n').trimEnd());
      }
    });
  });
}

describe('SPSS .sav export read back by PSPP', () => {
  for (const lang of ['kk', 'ru', 'en'] as Lang[]) {
    it(`keeps names, labels, value labels, dk as user-missing and every value (${lang} labels, compressed)`, async () => {
      const db = on.db;
      const out = path.join(fx.dir, `wave-${lang}.sav`);
      const summary = await exportWave(db, { waveId: fx.waveId, format: 'sav', lang, status: 'all', labels: false, out });
      expect(summary.rows).toBe(42);
      const { vars, rows } = await inExportSnapshot(db, async (snap) => variablesAndRows(await openExportSource(snap, { waveId: fx.waveId, lang, status: 'all', annotate: (w) => flagAnnotations(snap, w.id) })));
      const back = readBack(out, vars.filter((v) => v.type === 'numeric').map((v) => v.name));
      expectDictionary(back, vars);
      expectValues(back, vars, rows);
      // The long question title is cut at a character boundary, not mid-letter.
      const opinion = back.variables.get('opinion')!.label;
      const full = lang === 'kk' ? LONG_TITLE.default : LONG_TITLE[lang];
      expect(Buffer.byteLength(full)).toBeGreaterThan(255);
      expect(full.startsWith(opinion)).toBe(true);
      expect(Buffer.byteLength(opinion)).toBeGreaterThan(250);
      expect(opinion).not.toContain('\uFFFD');
      // The hostile texts, the > 255-byte Cyrillic one included, come back whole.
      const op = back.header.indexOf('opinion');
      const texts = back.rows.map((r) => r[op]!.trimEnd());
      for (const h of HOSTILE) expect(texts).toContain(h.replace(/\r\n/g, '\n').trimEnd());
      expect(Math.max(...HOSTILE.map((h) => Buffer.byteLength(h)))).toBeGreaterThan(255);
      // `dk` on a numeric scale is the user-missing code, labelled in the chosen language.
      const a4 = vars.find((v) => v.name === 'a4')!;
      expect(back.valueLabels.get('a4')!.find((x) => x.missing)!.label).toBe(a4.values.find((x) => x.code === 'dk')!.label);
    });
  }

  it('writes the same cases uncompressed', async () => {
    const db = on.db;
    const out = path.join(fx.dir, 'wave-plain.sav');
    const { vars, rows } = await inExportSnapshot(db, async (snap) => {
      const src = await openExportSource(snap, { waveId: fx.waveId, lang: 'en', status: 'complete', annotate: (w) => flagAnnotations(snap, w.id) });
      await exportSav(src, out, { compressed: false });
      return variablesAndRows(src);
    });
    expect(rows.length).toBe(40);
    const back = readBack(out, vars.filter((v) => v.type === 'numeric').map((v) => v.name));
    expectDictionary(back, vars);
    expectValues(back, vars, rows);
    // Uncompressed, a short string's UTF-8 bytes are in the file as they are (CR LF, RTL, emoji).
    const bytes = fs.readFileSync(out);
    for (const h of HOSTILE) if (Buffer.byteLength(h) <= 255) expect(bytes.includes(Buffer.from(h, 'utf8')), h).toBe(true);
  });
});

describe('SPSS .sav export with a run, read back by PSPP', () => {
  let rf: RunFixture;
  let onRun: ExportEngine;
  beforeAll(async () => { rf = await createRunFixture(); onRun = await exportEngine(rf.file); }, 120_000);
  afterAll(async () => { await onRun.close(); fs.rmSync(rf.dir, { recursive: true, force: true }); });

  for (const lang of ['kk', 'ru', 'en'] as Lang[]) {
    it(`keeps the run's weight, exclusion and reasons and the quality flags with their labels (${lang})`, async () => {
      const db = onRun.db;
      const out = path.join(rf.dir, `run-${lang}.sav`);
      const summary = await exportWave(db, { waveId: rf.waveId, format: 'sav', lang, status: 'all', labels: false, out, runId: rf.run.row.id });
      expect(summary.rows).toBe(1500);
      const { vars, rows } = await inExportSnapshot(db, async (snap) => variablesAndRows(await openExportSource(snap, {
        waveId: rf.waveId, lang, status: 'all', annotate: async (w) => runAnnotations(snap, rf.run.row.id, (await findWave(snap.sql, w.id))!),
      })));
      const added = [...QUALITY_FLAGS.map((f) => `flag_${f}`), 'run_weight', 'run_excluded', 'run_excluded_by'];
      expect(vars.slice(-added.length).map((v) => v.name)).toEqual(added);
      const back = readBack(out, vars.filter((v) => v.type === 'numeric').map((v) => v.name));
      expectDictionary(back, vars);
      expectValues(back, vars, rows);
      // What the file says, independently of the export's own dictionary: the labels in the
      // language asked for, and as many excluded rows (each with its reason) as the run excluded.
      const text = { kk: ['Иә', 'Шығарылған'], ru: ['Да', 'Исключён'], en: ['Yes', 'Excluded'] }[lang];
      expect(back.valueLabels.get('flag_speeder')!.find((x) => Number(x.value) === 1)!.label).toBe(text[0]);
      expect(back.valueLabels.get('run_excluded')!.find((x) => Number(x.value) === 1)!.label).toBe(text[1]);
      expect(back.variables.get('run_weight')!.measure.toLowerCase()).toBe('scale');
      const col = (n: string) => back.header.indexOf(n);
      const excluded = back.rows.filter((r) => Number(r[col('run_excluded')]) === 1);
      expect(excluded.length).toBe(rf.run.result.sample.excluded);
      for (const r of excluded) { expect(r[col('run_weight')]!.trim()).toBe(''); expect(r[col('run_excluded_by')]!.trim()).not.toBe(''); }
      const weights = back.rows.filter((r) => Number(r[col('run_excluded')]) === 0).map((r) => Number(r[col('run_weight')]));
      expect(weights.length).toBe(rf.run.result.sample.used);
      expect(Math.abs(weights.reduce((a, b) => a + b, 0) - rf.run.result.analysis.populationTotal)).toBeLessThan(1e-6 * rf.run.result.analysis.populationTotal);
      expect(back.rows.filter((r) => Number(r[col('flag_speeder')]) === 1).length).toBe(rf.speeders);
    });
  }
});
