// `kelisim analyze`: reads a responses CSV, a margins CSV and a scoring spec, runs the analysis
// engine (analysis/analyze.ts) and prints one JSON document on stdout. Bad input is one line on
// stderr naming the file, line, column or level at fault, and a non-zero exit code
// (1 for bad data, 2 for bad usage). The shape of the JSON is a contract (issue 3, README).

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { analyze } from '../../analysis/analyze';
import { parseCsv, type ColumnKind } from '../../analysis/csv';
import { AnalysisError } from '../../analysis/errors';
import { parseMargins, type Margin, type MarginRow } from '../../analysis/margins';
import { parseScoringSpec, type ScoringSpec } from '../../analysis/scoring';

const USAGE = 'usage: kelisim analyze --responses R.csv --margins M.csv --scoring S.json [--design-weight COLUMN] '
  + '[--min-cell-size N] [--bounds LO,HI | --no-bounds] [--by VAR[,VAR...]] [--respondents] [--margin-cells]';

class UsageError extends Error {}

function fail(message: string, code: number): number {
  process.stderr.write(`kelisim analyze: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  return code;
}

function readBytes(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new UsageError(`cannot read ${what} file ${path}: ${reason}`);
  }
}

/** Writes to stdout, waiting when the pipe is full (keeps memory flat for large outputs). */
function write(chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ok = process.stdout.write(chunk, (err) => { if (err) reject(err); });
    if (ok) resolve();
    else process.stdout.once('drain', resolve);
  });
}

/** Prefixes an engine error with the file it concerns ("R.csv line 18 (id …): …" or "M.csv: …"). */
function withFile(file: string, e: unknown): never {
  if (e instanceof AnalysisError) throw new AnalysisError(e.code, `${file}${e.message.startsWith('line ') ? ' ' : ': '}${e.message}`, e.details);
  throw e;
}

/** What the command line asks for. */
interface Options {
  responsesFile: string;
  marginsFile: string;
  scoringFile: string;
  /** The design-weight column named by --design-weight (null: base_weight if present, else 1). */
  designWeight: string | null;
  minCellSize: number;
  bounds: [number, number] | null;
  by: string[];
  respondents: boolean;
  marginCells: boolean;
}

/** Parses the arguments; null for --help. Throws UsageError (exit code 2) naming the option at fault. */
function parseOptions(argv: string[]): Options | null {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        responses: { type: 'string' },
        margins: { type: 'string' },
        scoring: { type: 'string' },
        'design-weight': { type: 'string' },
        'min-cell-size': { type: 'string' },
        bounds: { type: 'string' },
        'no-bounds': { type: 'boolean' },
        by: { type: 'string' },
        respondents: { type: 'boolean' },
        'margin-cells': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message}. ${USAGE}`);
  }
  if (values.help) return null;
  for (const k of ['responses', 'margins', 'scoring'] as const) if (!values[k]) throw new UsageError(`--${k} is required. ${USAGE}`);
  let minCellSize = 20;
  if (values['min-cell-size'] !== undefined) {
    minCellSize = Number(values['min-cell-size']);
    if (!Number.isInteger(minCellSize) || minCellSize < 1) throw new UsageError(`--min-cell-size must be a whole number of 1 or more, got "${values['min-cell-size']}"`);
  }
  let bounds: [number, number] | null = [0.3, 5];
  if (values['no-bounds'] && values.bounds !== undefined) throw new UsageError('give either --bounds or --no-bounds, not both');
  if (values['no-bounds']) bounds = null;
  if (values.bounds !== undefined) {
    const parts = values.bounds.split(',').map((s) => Number(s.trim()));
    if (parts.length !== 2 || !parts.every(Number.isFinite) || !(parts[0]! > 0) || !(parts[1]! > parts[0]!)) {
      throw new UsageError(`--bounds must be LO,HI with 0 < LO < HI, got "${values.bounds}"`);
    }
    bounds = [parts[0]!, parts[1]!];
  }
  return {
    responsesFile: values.responses!,
    marginsFile: values.margins!,
    scoringFile: values.scoring!,
    designWeight: values['design-weight'] ?? null,
    minCellSize,
    bounds,
    by: values.by ? values.by.split(',').map((s) => s.trim()).filter((s) => s !== '') : [],
    respondents: values.respondents === true,
    marginCells: values['margin-cells'] === true,
  };
}

function loadSpec(scoringFile: string): ScoringSpec {
  let specJson: unknown;
  try {
    specJson = JSON.parse(readBytes(scoringFile, 'scoring').toString('utf8'));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new AnalysisError('invalid_scoring_spec', `${scoringFile}: not valid JSON (${(e as Error).message})`);
  }
  try { return parseScoringSpec(specJson); } catch (e) { withFile(scoringFile, e); }
}

function loadMargins(marginsFile: string): Margin[] {
  // parseCsv's messages already name the file and line.
  const mTable = parseCsv(readBytes(marginsFile, 'margins'), (h) => h.map((c): ColumnKind => (c === 'margin' || c === 'level' || c === 'population' ? 'factor' : 'skip')), marginsFile);
  for (const c of ['margin', 'level', 'population']) {
    if (!mTable.header.includes(c)) throw new AnalysisError('invalid_margins', `${marginsFile}: no column "${c}"; expected columns margin,level,population`);
  }
  const label = (c: string, i: number): string => mTable.factors[c]!.labels[mTable.factors[c]!.codes[i]!]!;
  const marginRows: MarginRow[] = Array.from({ length: mTable.n }, (_, i) => ({
    margin: label('margin', i), level: label('level', i), population: label('population', i), line: mTable.line(i),
  }));
  try { return parseMargins(marginRows); } catch (e) { withFile(marginsFile, e); }
}

/** Everything the analysis reads, checked against each other. */
interface Inputs {
  spec: ScoringSpec;
  margins: Margin[];
  respondents: Parameters<typeof analyze>[0];
}

/** Reads the three files; only the responses' columns the analysis needs are kept. Throws AnalysisError (exit 1) or UsageError. */
function loadInputs(o: Options): Inputs {
  const spec = loadSpec(o.scoringFile);
  const margins = loadMargins(o.marginsFile);
  const needed = new Set<string>();
  for (const m of margins) for (const v of m.variables) needed.add(v);
  for (const ind of spec.indicators) for (const it of ind.items) needed.add(it.name);
  for (const v of o.by) needed.add(v);
  let designColumn = o.designWeight;
  let header: string[] = [];
  const table = parseCsv(readBytes(o.responsesFile, 'responses'), (h) => {
    header = h;
    if (designColumn === null && h.includes('base_weight')) designColumn = 'base_weight';
    return h.map((c): ColumnKind => (c === 'id' ? 'id' : c === designColumn ? 'number' : needed.has(c) ? 'factor' : 'skip'));
  }, o.responsesFile);
  const missing = (c: string): AnalysisError => new AnalysisError('invalid_input', `${o.responsesFile}: no column "${c}" in the header`);
  if (!header.includes('id')) throw missing('id');
  if (designColumn !== null && !header.includes(designColumn)) throw new AnalysisError('invalid_input', `${o.responsesFile}: no design-weight column "${designColumn}" in the header`);
  for (const m of margins) for (const v of m.variables) if (!header.includes(v)) throw new AnalysisError('invalid_input', `${o.responsesFile}: no column "${v}" in the header (needed by margin "${m.name}" of ${o.marginsFile})`);
  for (const ind of spec.indicators) for (const it of ind.items) {
    if (!header.includes(it.name)) throw new AnalysisError('invalid_input', `${o.scoringFile}: item "${it.name}" of indicator "${ind.id}" is not a column of ${o.responsesFile}`);
  }
  for (const v of o.by) if (!header.includes(v)) throw new AnalysisError('invalid_input', `${o.responsesFile}: no column "${v}" for --by`);
  const id = table.id!;
  const rowName = (row: number): string => `line ${table.line(row)} (id "${id(row)}")`;
  const designWeights = designColumn !== null ? table.numbers[designColumn]! : null;
  if (designWeights) {
    for (let i = 0; i < table.n; i++) {
      const v = designWeights[i]!;
      if (!(v > 0) || !Number.isFinite(v)) {
        throw new AnalysisError('invalid_input', `${o.responsesFile} ${rowName(i)}: design weight "${designColumn}" is ${Number.isNaN(v) ? 'empty' : v}; it must be a number greater than 0`);
      }
    }
  }
  return { spec, margins, respondents: { n: table.n, id, rowName, columns: table.factors, designWeights } };
}

/** Writes the result as one JSON document on stdout, streaming the respondents if asked for. */
async function writeOutput(result: ReturnType<typeof analyze>, inputs: Inputs, o: Options): Promise<void> {
  // --margin-cells adds the weighted vs population share of every margin cell (METHODOLOGY §3.6)
  // beside the contract's keys, which stay exactly as issue 3 fixes them without it.
  const { cells: marginCells, perRespondent, ...out } = result;
  const head = JSON.stringify(o.marginCells ? { ...out, marginCells } : out);
  if (!o.respondents) {
    await write(head + '\n');
    return;
  }
  // Respondents are streamed in chunks: for 1,000,000 of them, one JSON.stringify of an array of
  // objects would need several hundred MB more than the analysis itself.
  const { n, id } = inputs.respondents;
  await write(head.slice(0, -1) + ',"respondents":[');
  const ids = inputs.spec.indicators.map((ind) => [JSON.stringify(ind.id), perRespondent.scores[ind.id]!] as const);
  const CHUNK = 10_000;
  for (let start = 0; start < n; start += CHUNK) {
    const parts: string[] = [];
    for (let i = start; i < Math.min(n, start + CHUNK); i++) {
      let sc = '';
      for (const [k, y] of ids) sc += `${sc === '' ? '' : ','}${k}:${Number.isNaN(y[i]!) ? 'null' : JSON.stringify(y[i]!)}`;
      parts.push(`{"id":${JSON.stringify(id(i))},"weight":${JSON.stringify(perRespondent.weights[i]!)},"scores":{${sc}}}`);
    }
    await write((start === 0 ? '' : ',') + parts.join(','));
  }
  await write(']}\n');
}

/** `kelisim analyze`: parse the options, load the inputs, analyse, write the output. */
export async function run(argv: string[]): Promise<number> {
  try {
    const options = parseOptions(argv);
    if (options === null) {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    const inputs = loadInputs(options);
    let result;
    try {
      result = analyze(inputs.respondents, {
        spec: inputs.spec, margins: inputs.margins, minCellSize: options.minCellSize, bounds: options.bounds, by: options.by, respondents: false,
      });
    } catch (e) {
      if (e instanceof AnalysisError && (e.code === 'empty_category' || (e.details?.margin !== undefined && e.details.row === undefined))) withFile(options.marginsFile, e);
      withFile(options.responsesFile, e);
    }
    await writeOutput(result, inputs, options);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) return fail(e.message, 2);
    if (e instanceof AnalysisError) return fail(e.message, 1);
    throw e;
  }
}
