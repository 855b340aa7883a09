// The variables of a wave's microdata export (docs/decisions/018-export-variables-and-sav-encoding.md):
// the response's own columns, every question of the wave's questionnaire version named by its
// question name, the item scores and the three indicator scores. One dictionary serves the three
// formats: CSV writes `code` (or the value's label), XLSX the same plus a codebook, SPSS the
// numeric stand-ins of decision 018 (a string code such as `dk` on a numeric scale → a negative
// user-missing code with the code's label).
import type { ScoringItem, ScoringSpec } from '../../analysis/scoring';
import { LOCALES, type Locale } from '../../contract/locales';
import { QUALITY_FLAGS } from '../runs/result';

export type Lang = Locale;
export const LANGS: readonly Lang[] = LOCALES;

/** A stored value as the export sees it: a JSON primitive (arrays/objects are written as JSON text). */
export type Code = string | number | boolean;

export interface ValueLabel { code: Code; label: string }

export interface ExportVariable {
  /** Column name: the question name, or a response column such as `response_id`. */
  name: string;
  /** Question text (or a description of the column) in the export's language. */
  label: string;
  type: 'numeric' | 'string';
  measure: 'nominal' | 'ordinal' | 'scale';
  /** Decimals shown by SPSS for numeric variables. */
  decimals: number;
  values: ValueLabel[];
  /** Codes that mean "missing" (user-missing in SPSS), e.g. `dk`. */
  missing: Code[];
  /** Numeric variables only: the number SPSS stores for a non-numeric code (decision 018). */
  numericCodes: Map<string, number>;
  /** How the item is scored (items of the scoring spec only), in English. */
  scoring?: string;
  /** Where the value comes from. */
  source: { kind: 'column'; column: ResponseColumn } | { kind: 'answer'; question: string } | { kind: 'item'; item: string }
    /** A column the export adds (quality flags, a run's weight: server/exports/run-columns.ts). */
    | { kind: 'derived'; key: string };
}

/** Columns of the `responses` row (plus the wave's period) the export reads. */
export const RESPONSE_COLUMNS = ['id', 'wave_id', 'period', 'survey_version_id', 'status', 'mode', 'interviewer', 'locale', 'started_at', 'completed_at', 'duration_ms', 'base_weight', 'consensus', 'tolerance', 'mood'] as const;
export type ResponseColumn = (typeof RESPONSE_COLUMNS)[number];

type Text = Record<Lang, string>;
const t = (kk: string, ru: string, en: string): Text => ({ kk, ru, en });

/** Response columns: export name, source column, labels, type. Names match `kelisim responses import`'s meta columns where one exists. */
const META: { name: string; column: ResponseColumn; label: Text; type: 'numeric' | 'string'; measure: ExportVariable['measure']; decimals?: number; values?: { code: Code; label: Text }[] }[] = [
  { name: 'response_id', column: 'id', label: t('Жауап идентификаторы', 'Идентификатор ответа', 'Response id'), type: 'string', measure: 'nominal' },
  { name: 'wave', column: 'wave_id', label: t('Толқын', 'Волна', 'Wave'), type: 'numeric', measure: 'nominal' },
  { name: 'period', column: 'period', label: t('Кезең (тоқсан)', 'Период (квартал)', 'Period (quarter)'), type: 'string', measure: 'nominal' },
  { name: 'survey_version', column: 'survey_version_id', label: t('Сауалнама нұсқасы', 'Версия анкеты', 'Questionnaire version'), type: 'numeric', measure: 'nominal' },
  {
    name: 'status', column: 'status', label: t('Мәртебесі', 'Статус', 'Status'), type: 'string', measure: 'nominal',
    values: [
      { code: 'complete', label: t('Аяқталған', 'Завершена', 'Complete') },
      { code: 'partial', label: t('Аяқталмаған', 'Не завершена', 'Partial') },
      { code: 'screened_out', label: t('Іріктеуден өтпеген', 'Отсеян', 'Screened out') },
    ],
  },
  {
    name: 'mode', column: 'mode', label: t('Жинау тәсілі', 'Способ сбора', 'Collection mode'), type: 'string', measure: 'nominal',
    values: [
      { code: 'web', label: t('Веб-сауалнама', 'Веб-анкета', 'Web questionnaire') },
      { code: 'capi', label: t('Планшетпен сұхбат (CAPI)', 'Интервью с планшетом (CAPI)', 'Tablet interview (CAPI)') },
      { code: 'papi', label: t('Қағаз сауалнама (PAPI)', 'Бумажная анкета (PAPI)', 'Paper interview (PAPI)') },
      { code: 'cati', label: t('Телефон сұхбаты (CATI)', 'Телефонное интервью (CATI)', 'Telephone interview (CATI)') },
    ],
  },
  { name: 'interviewer', column: 'interviewer', label: t('Интервьюер коды', 'Код интервьюера', 'Interviewer code'), type: 'string', measure: 'nominal' },
  {
    name: 'locale', column: 'locale', label: t('Сауалнама тілі', 'Язык анкеты', 'Questionnaire language'), type: 'string', measure: 'nominal',
    values: [{ code: 'kk', label: t('Қазақша', 'Казахский', 'Kazakh') }, { code: 'ru', label: t('Орысша', 'Русский', 'Russian') }, { code: 'en', label: t('Ағылшынша', 'Английский', 'English') }],
  },
  { name: 'started_at', column: 'started_at', label: t('Басталған уақыты (UTC)', 'Время начала (UTC)', 'Started at (UTC)'), type: 'string', measure: 'nominal' },
  { name: 'completed_at', column: 'completed_at', label: t('Аяқталған уақыты (UTC)', 'Время завершения (UTC)', 'Completed at (UTC)'), type: 'string', measure: 'nominal' },
  { name: 'duration_ms', column: 'duration_ms', label: t('Ұзақтығы (мс)', 'Длительность (мс)', 'Duration (ms)'), type: 'numeric', measure: 'scale' },
  { name: 'base_weight', column: 'base_weight', label: t('Жобалық салмақ', 'Дизайн-вес', 'Design weight'), type: 'numeric', measure: 'scale', decimals: 4 },
];

export const INDICATOR_LABELS: Record<string, Text> = {
  consensus: t('Қоғамдық келісім индексі (0–100)', 'Индекс общественного согласия (0–100)', 'Public consensus index (0–100)'),
  tolerance: t('Этносаралық төзімділік индексі (0–100)', 'Индекс межэтнической толерантности (0–100)', 'Inter-ethnic tolerance index (0–100)'),
  mood: t('Әлеуметтік көңіл-күй индексі (0–100)', 'Индекс социального самочувствия (0–100)', 'Social mood index (0–100)'),
};
const ITEM_SCORE_LABEL = t('ұпайы (0–100)', 'балл (0–100)', 'score (0–100)');

/** The text of a SurveyJS localizable string in `lang` (kk is the survey's default locale). */
export function localText(value: unknown, lang: Lang): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const pick = lang === 'kk' ? (o.kk ?? o.default) : (o[lang] ?? o.default);
    return typeof pick === 'string' ? pick : '';
  }
  return '';
}

interface Question { name: string; type: string; el: Record<string, unknown> }

/** Questions of a SurveyJS document in page order (panels flattened; html and expressions skipped). */
export function surveyQuestions(json: Record<string, unknown>): Question[] {
  const out: Question[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) { node.forEach(walk); return; }
    if (node === null || typeof node !== 'object') return;
    const el = node as Record<string, unknown>;
    if (typeof el.name === 'string' && typeof el.type === 'string' && !['panel', 'html', 'page', 'image', 'expression'].includes(el.type)) {
      out.push({ name: el.name, type: el.type, el });
    }
    if (Array.isArray(el.pages)) walk(el.pages);
    if (Array.isArray(el.elements)) walk(el.elements);
  };
  walk(json);
  return out;
}

function scoringText(item: ScoringItem, indicator: string): string {
  const missing = item.missingCodes?.length ? `; missing codes ${item.missingCodes.join(', ')}` : '';
  return `${indicator} item; scale ${item.min}–${item.max}${item.reverse ? '; reversed' : ''}${missing}`;
}

/** Gives each string code of a numeric variable a negative stand-in not used by any numeric code. */
function assignNumericCodes(v: ExportVariable): void {
  const used = new Set(v.values.filter((x) => typeof x.code === 'number').map((x) => x.code as number));
  let next = -1;
  for (const code of [...v.values.map((x) => x.code), ...v.missing]) {
    if (typeof code !== 'string' || v.numericCodes.has(code)) continue;
    while (used.has(next)) next--;
    v.numericCodes.set(code, next);
    used.add(next);
  }
}

function questionVariable(q: Question, lang: Lang, items: Map<string, { item: ScoringItem; indicator: string }>): ExportVariable {
  const scored = items.get(q.name);
  const base = {
    name: q.name, label: localText(q.el.title, lang) || q.name, decimals: 0,
    missing: [...(scored?.item.missingCodes ?? [])], numericCodes: new Map<string, number>(),
    scoring: scored ? scoringText(scored.item, scored.indicator) : undefined,
    source: { kind: 'answer' as const, question: q.name },
  };
  let v: ExportVariable;
  if (q.type === 'boolean') {
    v = { ...base, type: 'numeric', measure: 'nominal', values: [
      { code: true, label: localText(q.el.labelTrue, lang) || 'true' },
      { code: false, label: localText(q.el.labelFalse, lang) || 'false' },
    ] };
  } else if (Array.isArray(q.el.choices) && q.type !== 'checkbox' && q.type !== 'tagbox') {
    const values: ValueLabel[] = (q.el.choices as unknown[]).map((c) => {
      if (c !== null && typeof c === 'object') {
        const o = c as { value: unknown; text?: unknown };
        const code = typeof o.value === 'number' || typeof o.value === 'boolean' ? o.value : String(o.value);
        return { code, label: localText(o.text, lang) || String(o.value) };
      }
      return { code: typeof c === 'number' ? c : String(c), label: String(c) };
    });
    // Numeric when every code that is not a missing code is a number (decision 018).
    const missing = new Set(base.missing.map(String));
    const numeric = values.some((x) => typeof x.code === 'number') && values.every((x) => typeof x.code === 'number' || missing.has(String(x.code)));
    v = { ...base, type: numeric ? 'numeric' : 'string', measure: numeric ? 'ordinal' : 'nominal', values };
  } else if (q.type === 'rating') {
    const values: ValueLabel[] = [];
    for (const c of base.missing) values.push({ code: c, label: String(c) });
    v = { ...base, type: 'numeric', measure: 'ordinal', values };
  } else if (q.type === 'text' && q.el.inputType === 'number') {
    v = { ...base, type: 'numeric', measure: 'scale', decimals: 0, values: [] };
  } else {
    v = { ...base, type: 'string', measure: 'nominal', values: [] };
  }
  if (v.type === 'numeric') assignNumericCodes(v);
  return v;
}

/** Every variable of a wave export, in column order. Names are unique (a later clash gets `_2`, `_3`, …). */
export function exportVariables(surveyJson: Record<string, unknown>, spec: ScoringSpec, lang: Lang): ExportVariable[] {
  const items = new Map<string, { item: ScoringItem; indicator: string }>();
  for (const ind of spec.indicators) for (const item of ind.items) items.set(item.name, { item, indicator: ind.id });
  const out: ExportVariable[] = META.map((m) => ({
    name: m.name, label: m.label[lang], type: m.type, measure: m.measure, decimals: m.decimals ?? 0,
    values: (m.values ?? []).map((x) => ({ code: x.code, label: x.label[lang] })), missing: [], numericCodes: new Map(),
    source: { kind: 'column', column: m.column },
  }));
  for (const q of surveyQuestions(surveyJson)) out.push(questionVariable(q, lang, items));
  for (const [name, { item, indicator }] of items) {
    out.push({
      name: `score_${name}`, label: `${name} ${ITEM_SCORE_LABEL[lang]}`, type: 'numeric', measure: 'scale', decimals: 2,
      values: [], missing: [], numericCodes: new Map(), scoring: scoringText(item, indicator), source: { kind: 'item', item: name },
    });
  }
  for (const ind of spec.indicators) {
    const column = (['consensus', 'tolerance', 'mood'] as const).find((c) => c === ind.id);
    if (!column) continue;
    out.push({
      name: ind.id, label: INDICATOR_LABELS[ind.id]![lang], type: 'numeric', measure: 'scale', decimals: 2,
      values: [], missing: [], numericCodes: new Map(), scoring: `mean of the ${ind.id} item scores; needs ${Math.round(ind.minAnsweredShare * 100)}% of ${ind.items.length} items answered`,
      source: { kind: 'column', column },
    });
  }
  const seen = new Set<string>();
  for (const v of out) {
    let name = v.name;
    for (let k = 2; seen.has(name.toLowerCase()); k++) name = `${v.name}_${k}`;
    v.name = name;
    seen.add(name.toLowerCase());
  }
  return out;
}

/**
 * Columns that a codes CSV export writes but `kelisim responses import` derives itself, so the
 * import ignores them (the round trip of issue 9): the response columns other than the import's
 * own meta columns, the item scores and the indicator scores.
 */
export function exportDerivedColumns(spec: ScoringSpec): string[] {
  const importMeta = new Set(['response_id', 'base_weight', 'mode', 'interviewer', 'completed_at', 'duration_ms']);
  return [
    ...META.filter((m) => !importMeta.has(m.name)).map((m) => m.name),
    ...spec.indicators.flatMap((ind) => ind.items.map((it) => `score_${it.name}`)),
    ...spec.indicators.map((ind) => ind.id),
    // The quality flags and a run's columns (server/exports/run-columns.ts).
    ...QUALITY_FLAGS.map((f) => `flag_${f}`), 'run_weight', 'run_excluded', 'run_excluded_by',
  ];
}

/** A value as stored: a primitive code, or null when absent. Arrays and objects become their JSON text. */
export function toCode(value: unknown): Code | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

/** The label of `code` in `v`, or undefined. Codes compare as text, so 5 matches "5". */
export function labelOf(v: ExportVariable, code: Code): string | undefined {
  const s = String(code);
  for (const x of v.values) if (String(x.code) === s) return x.label;
  return undefined;
}
