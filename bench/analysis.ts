// `npm run bench:analysis [-- --n 1000000 --keep DIR]`: generates N synthetic respondents in the
// layout of test/fixtures/reference/raking-a (20 regions, sex × age band, settlement, 4 ethnic
// groups, unequal design weights, "missing" cells) and times the full
// `kelisim analyze --by region` on them as a child process, reporting wall time and peak RSS.
// A benchmark, not a test: it prints figures and never fails on speed.

import { mkdirSync, mkdtempSync, rmSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
// Seeded (the tests' generator), so every run benchmarks the same data.
import { rng } from '../test/helpers/random';

const REGIONS = ['KZ-10', 'KZ-11', 'KZ-15', 'KZ-19', 'KZ-23', 'KZ-27', 'KZ-31', 'KZ-33', 'KZ-35', 'KZ-39',
  'KZ-43', 'KZ-47', 'KZ-55', 'KZ-59', 'KZ-61', 'KZ-62', 'KZ-63', 'KZ-71', 'KZ-75', 'KZ-79'];
const REGION_POP = [430, 560, 640, 1000, 480, 480, 800, 490, 840, 630, 570, 520, 560, 420, 1500, 160, 540, 1000, 1600, 850].map((x) => x * 1000);
const AGES = ['18-29', '30-44', '45-59', '60+'];
const AGE_SHARE = [0.25, 0.32, 0.24, 0.19];
const ETHS = ['kazakh', 'russian', 'uzbek', 'other'];
const ETH_SHARE = [0.704, 0.155, 0.032, 0.109];


function pick(u: number, probs: readonly number[]): number {
  let acc = 0;
  for (let k = 0; k < probs.length; k++) {
    acc += probs[k]!;
    if (u < acc) return k;
  }
  return probs.length - 1;
}

const normalise = (x: number[]): number[] => { const s = x.reduce((a, b) => a + b, 0); return x.map((v) => v / s); };

/** Writes responses.csv and margins.csv for n respondents into dir. */
export function generate(dir: string, n: number, seed = 20221): void {
  const rand = rng(seed);
  const N = REGION_POP.reduce((a, b) => a + b, 0);
  // Online-sample skew, as in gen.R: big cities, the young, women over-represented.
  const regP = normalise(REGION_POP.map((p, k) => (p / N) * (k >= 17 ? [1.6, 1.9, 1.2][k - 17]! : 0.8)));
  const ageP = normalise([0.32, 0.28, 0.22, 0.18]);
  const ethP = normalise(ETH_SHARE.map((s, k) => s * (k === 0 ? 1 : k === 1 ? 1.3 : 0.8)));
  const gauss = (): number => { const u = rand() || 1e-12; return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand()); };
  const regEff = REGIONS.map(() => 0.25 * gauss());
  const likert = (lat: number): string => {
    if (rand() < 0.05) return '';
    const x = lat + 0.6 * gauss();
    return String(x < -1.2 ? 1 : x < -0.4 ? 2 : x < 0.3 ? 3 : x < 1 ? 4 : 5);
  };
  const binary = (lat: number, shift: number): string => (rand() < 0.04 ? '' : lat + 0.8 * gauss() > shift ? '1' : '0');
  mkdirSync(dir, { recursive: true });
  const fd = openSync(join(dir, 'responses.csv'), 'w');
  const header = ['id', 'region', 'sex', 'age', 'settlement', 'ethnicity', 'base_weight',
    'c1', 'c2', 'c3', 'c4', 'c5', 't1', 't2', 't3', 't4', 't5', 't6', 'm1', 'm2', 'm3', 'm4', 'm5'];
  let buf = header.map((h) => `"${h}"`).join(',') + '\n';
  for (let i = 1; i <= n; i++) {
    const r = pick(rand(), regP);
    const sex = rand() < 0.42 ? 'm' : 'f';
    const a = pick(rand(), ageP);
    const urban = r >= 17 || rand() < 0.7;
    const e = pick(rand(), ethP);
    const bw = Math.round((urban ? 1 : 2.5) * (0.8 + 0.8 * rand()) * 1e4) / 1e4;
    const latC = 0.9 + regEff[r]! + 0.08 * (a + 1) + (urban ? 0 : 0.15) + 0.7 * gauss();
    const latT = 0.3 + regEff[r]! - 0.06 * (a + 1) + (e === 0 ? -0.1 : 0.2) + 0.8 * gauss();
    const latM = 0.6 + 0.5 * regEff[r]! - 0.05 * (a + 1) + (sex === 'f' ? 0.05 : 0) + 0.8 * gauss();
    const c = [likert(latC), likert(latC), likert(latC), likert(latC), likert(latC)];
    if (c[2] !== '') c[2] = String(6 - Number(c[2]));
    const t = [-1.5, -1.0, -0.6, -0.2, 0.3, 0.6].map((s) => binary(latT, s));
    const m = [likert(latM), likert(latM), likert(latM), likert(latM)];
    if (m[3] !== '') m[3] = String(6 - Number(m[3]));
    const m5 = rand() < 0.03 ? '' : String(Math.min(10, Math.max(0, Math.round(6.5 + 1.6 * latM + 1.2 * gauss()))));
    buf += `"r${String(i).padStart(7, '0')}","${REGIONS[r]}","${sex}","${AGES[a]}","${urban ? 'urban' : 'rural'}","${ETHS[e]}",${bw},`
      + `${c.join(',')},${t.join(',')},${m.join(',')},${m5}\n`;
    if (buf.length > 1 << 20) { writeSync(fd, buf); buf = ''; }
  }
  writeSync(fd, buf);
  closeSync(fd);
  const lines = ['"margin","level","population"'];
  const push = (margin: string, levels: string[], pops: number[]): void => {
    const rounded = pops.map(Math.round);
    rounded[rounded.length - 1]! += N - rounded.reduce((x, y) => x + y, 0);
    levels.forEach((l, k) => lines.push(`"${margin}","${l}",${rounded[k]}`));
  };
  push('region', REGIONS, REGION_POP);
  const sa: string[] = [];
  const saPop: number[] = [];
  for (const s of ['m', 'f']) AGES.forEach((a, k) => { sa.push(`${s}:${a}`); saPop.push(N * (s === 'm' ? 0.48 : 0.52) * AGE_SHARE[k]!); });
  push('sex:age', sa, saPop);
  push('settlement', ['urban', 'rural'], [N * 0.62, N * 0.38]);
  push('ethnicity', ETHS, ETH_SHARE.map((s) => N * s));
  const mfd = openSync(join(dir, 'margins.csv'), 'w');
  writeSync(mfd, lines.join('\n') + '\n');
  closeSync(mfd);
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function main(): void {
  const n = Number(arg('--n') ?? 1_000_000);
  const keep = arg('--keep');
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'kelisim-bench-'));
  const t0 = performance.now();
  generate(dir, n);
  console.log(`generated ${n} respondents in ${((performance.now() - t0) / 1000).toFixed(1)} s (${dir})`);
  try {
    const runs = Number(arg('--runs') ?? 3);
    for (let r = 0; r < runs; r++) {
      // The public command itself; /usr/bin/time -v reports the peak RSS of the largest process in
      // the tree (the node running analyze) and the CPU time, which is steadier than wall time
      // when other work shares the 2 cores.
      const t = performance.now();
      const out = spawnSync('/usr/bin/time', ['-v', 'npm', 'run', '-s', 'kelisim', '--', 'analyze',
        '--responses', join(dir, 'responses.csv'), '--margins', join(dir, 'margins.csv'),
        '--scoring', 'test/fixtures/reference/raking-a/scoring.json', '--by', 'region'], { encoding: 'utf8', maxBuffer: 1 << 28 });
      const wall = (performance.now() - t) / 1000;
      if (out.status !== 0) {
        console.error(out.stderr);
        process.exitCode = 1;
        return;
      }
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(out.stderr);
      const user = /User time \(seconds\): ([\d.]+)/.exec(out.stderr);
      const sys = /System time \(seconds\): ([\d.]+)/.exec(out.stderr);
      const cpu = user && sys ? (Number(user[1]) + Number(sys[1])).toFixed(2) : '?';
      const json = JSON.parse(out.stdout) as { indicators: Record<string, { mean: number; se: number }>; raking: { iterations: number } };
      const means = Object.entries(json.indicators).map(([k, v]) => `${k} ${v.mean.toFixed(2)}±${v.se.toFixed(3)}`).join(', ');
      console.log(`run ${r + 1}: analyze --by region on ${n} respondents: ${wall.toFixed(2)} s wall, ${cpu} s CPU, peak RSS ${rss ? (Number(rss[1]) / 1024).toFixed(0) : '?'} MB (${means}; ${json.raking.iterations} raking sweeps)`);
    }
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) main();
