// What the language review of the official questionnaire (issue 13, docs/questionnaire-review.md)
// established, kept true by machine: every scored item offers the same answers in kk, ru and en;
// every opinion item offers "hard to say"; nothing a respondent reads around the questions names
// the indicators, the Concept or its targets; the terms the review fixed stay fixed; the age
// question says what is wrong (issue 12, item 4); the 0–10 scale stays buttons on a phone (item 7).
// Wording itself (intensity, midpoints) needs a native reader: the review document is for that.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Model } from 'survey-core';
import { kk as kkMessages } from '../../client/i18n/messages-kk';
import { en as enMessages } from '../../client/i18n/messages-en';
import { ru as ruMessages } from '../../client/i18n/messages-ru';
import { kazakhOverrides } from '../../client/respond/kazakh-overrides';
import { russianOverrides } from '../../client/respond/russian-overrides';
import { createCompletionValidator } from '../../server/validation';
import { SURVEYS_DIR, element, kazakhAsSurveyDefault, officialCopy, SURVEY_LOCALES, type ElementJson, type Localized } from './survey-files';

const { survey: json, scoring } = officialCopy();
const LOCALES = SURVEY_LOCALES;
type Locale = keyof typeof LOCALES;
const LOCALE_LIST = Object.keys(LOCALES) as Locale[];

kazakhAsSurveyDefault();

function model(locale: Locale): Model {
  const m = new Model(json);
  m.locale = locale;
  return m;
}

const shared = new Map<Locale, Model>();
/** One model per language for the checks that only read (building one costs ~30 ms). */
function readOnlyModel(locale: Locale): Model {
  let m = shared.get(locale);
  if (!m) shared.set(locale, (m = model(locale)));
  return m;
}

interface Option { value: unknown; text: string }
/** The answers a question offers as survey-core shows them in `locale` (choices or rating values). */
function options(m: Model, name: string): Option[] {
  const q = m.getQuestionByName(name) as unknown as { getType(): string; visibleChoices: Option[]; visibleRateValues: Option[] };
  const items = q.getType() === 'rating' ? q.visibleRateValues : q.visibleChoices;
  return items.map((i) => ({ value: i.value, text: i.text }));
}

const scoredItems = scoring.indicators.flatMap((ind) => ind.items.map((item) => ({ ...item, indicator: ind.id })));

/** Opinion items: every scored item, and every question on the pages after the screener and the
 *  weighting variables (so a new opinion question is covered even before it is scored). */
function opinionItems(): string[] {
  const names = new Set(scoredItems.map((i) => i.name));
  for (const page of json.pages) {
    if (page.name === 'screener' || page.name === 'about_you') continue;
    for (const el of page.elements) if (el.type !== 'html') names.add(el.name);
  }
  return [...names];
}

function text(value: unknown, locale: Locale): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') return (value as Localized)[LOCALES[locale]] ?? '';
  return '';
}

/** Everything a respondent reads that is not a question or an answer: the survey's title and
 *  description, page titles and descriptions, html blocks (the introduction) and the end pages. */
function framingTexts(locale: Locale): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [
    { where: 'title', text: text(json.title, locale) },
    { where: 'description', text: text(json.description, locale) },
    { where: 'completedHtml', text: text(json.completedHtml, locale) },
    ...json.completedHtmlOnCondition.map((c, i) => ({ where: `completedHtmlOnCondition[${i}]`, text: text(c.html, locale) })),
  ];
  for (const page of json.pages) {
    out.push({ where: `page ${page.name} title`, text: text(page.title, locale) });
    out.push({ where: `page ${page.name} description`, text: text(page.description, locale) });
    for (const el of page.elements) if (el.type === 'html') out.push({ where: el.name, text: text(el.html, locale) });
  }
  return out.filter((t) => t.text !== '');
}

/** Every text of the survey in `locale`, with where it is (for terms and spelling). */
function allSurveyTexts(locale: Locale): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  const key = LOCALES[locale];
  const visit = (node: unknown, where: string): void => {
    if (Array.isArray(node)) { node.forEach((n, i) => visit(n, `${where}[${i}]`)); return; }
    if (node === null || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    if (typeof obj[key] === 'string' && ('default' in obj)) { out.push({ where, text: obj[key] as string }); return; }
    for (const [k, v] of Object.entries(obj)) visit(v, where === '' ? k : `${where}.${k}`);
  };
  visit(json, '');
  return out;
}

describe('scored items offer the same answers in every language', () => {
  it('finds the 16 scored items of the three indicators (so the checks below cannot pass on nothing)', () => {
    expect(scoredItems.map((i) => i.name)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'c1', 'c2', 'c3', 'c4', 'c5']);
  });

  it.each(scoredItems.map((i) => [i.name, i] as const))('%s: the same values, in the same order, each with its own text in kk, ru and en', (name) => {
    const byLocale = Object.fromEntries(LOCALE_LIST.map((l) => [l, options(readOnlyModel(l), name)])) as Record<Locale, Option[]>;
    const values = byLocale.kk.map((o) => o.value);
    expect(values.length).toBeGreaterThan(2);
    for (const l of LOCALE_LIST) {
      expect(byLocale[l].map((o) => o.value), `${name} in ${l}`).toEqual(values);
      const texts = byLocale[l].map((o) => o.text.trim());
      expect(texts.every((t) => t !== ''), `${name} in ${l}: an empty answer text`).toBe(true);
      // Two answers with the same text are one answer to the respondent: fewer options in that language.
      expect(new Set(texts).size, `${name} in ${l}: two answers read the same: ${texts.join(' | ')}`).toBe(texts.length);
    }
  });
});

describe('every opinion item offers "hard to say" and may be skipped', () => {
  const items = opinionItems();

  it('covers every scored item', () => {
    for (const item of scoredItems) expect(items).toContain(item.name);
  });

  it.each(items.map((n) => [n]))('%s offers "hard to say" (a declared missing code, last) and is not required', (name) => {
    const item = scoredItems.find((i) => i.name === name);
    expect(item, `${name} is an opinion question but no indicator scores it`).toBeDefined();
    expect(item!.missingCodes ?? [], name).toContain('dk');
    const m = readOnlyModel('kk');
    expect(m.getQuestionByName(name).isRequired, `${name} must be skippable, as the introduction promises`).toBe(false);
    const offered = options(m, name).map((o) => o.value);
    expect(offered, name).toContain('dk');
    expect(offered[offered.length - 1], `${name}: "hard to say" comes after the scale`).toBe('dk');
  });

  it.each(LOCALE_LIST)('in %s "hard to say" is worded the same on every item', (locale) => {
    const m = readOnlyModel(locale);
    const texts = new Set(items.map((name) => options(m, name).find((o) => o.value === 'dk')?.text));
    expect([...texts]).toHaveLength(1);
    expect([...texts][0]?.trim()).toBeTruthy();
  });
});

describe('nothing around the questions names the indicators, the Concept or its targets', () => {
  interface Targets { documents: { title: Record<string, string> }[]; indicators: { name: Record<string, string> }[] }
  const targets = JSON.parse(fs.readFileSync(path.join(SURVEYS_DIR, 'targets.json'), 'utf8')) as Targets;
  // The indicators' and the Concept's own names, and the words that give the purpose away.
  const TERMS: Record<Locale, string[]> = {
    kk: ['тұжырымдама', 'индикатор', 'нысаналы', 'ассамблея', 'өлшейді', 'деңгей', 'толеранттылық', 'көңіл-күй', 'қоғамдық келісім', 'жалпыұлттық бірлік'],
    ru: ['концепци', 'индикатор', 'целев', 'ассамбле', 'измеря', 'уровень', 'уровня', 'толерантн', 'самочувстви', 'общественного согласия', 'общественное согласие', 'общенационального единства'],
    en: ['concept', 'indicator', 'target', 'assembly', 'measure', 'level', 'tolerance', 'social mood', 'public accord', 'consensus', 'national unity'],
  };
  const terms = (locale: Locale): string[] => [
    ...TERMS[locale],
    ...targets.indicators.map((i) => i.name[locale]!),
    ...targets.documents.map((d) => d.title[locale]!),
  ].map((t) => t.toLowerCase());

  it('has framing texts to check in every language (the introduction among them)', () => {
    for (const l of LOCALE_LIST) expect(framingTexts(l).map((t) => t.where)).toContain('consent_info');
  });

  it.each(LOCALE_LIST)('in %s', (locale) => {
    const found: string[] = [];
    for (const { where, text: t } of framingTexts(locale)) {
      const lower = t.toLowerCase();
      for (const term of terms(locale)) if (lower.includes(term)) found.push(`${where}: "${term}"`);
    }
    expect(found).toEqual([]);
  });
});

describe('terms and spelling the review fixed stay fixed', () => {
  const kkTexts = [
    ...allSurveyTexts('kk'),
    ...Object.entries(kkMessages).map(([k, t]) => ({ where: `messages-kk ${k}`, text: t })),
    ...Object.entries(kazakhOverrides).map(([k, t]) => ({ where: `kazakh-overrides ${k}`, text: t })),
  ];
  const ruTexts = [
    ...allSurveyTexts('ru'),
    ...Object.entries(ruMessages).map(([k, t]) => ({ where: `messages-ru ${k}`, text: t })),
    ...Object.entries(russianOverrides).map(([k, t]) => ({ where: `russian-overrides ${k}`, text: t })),
  ];
  const offending = (texts: { where: string; text: string }[], pattern: RegExp) =>
    texts.filter((t) => pattern.test(t.text)).map((t) => `${t.where}: ${t.text}`);

  it.each([
    ['«жасырын» (secret) where the page means «анонимді»', /жасырын/iu],
    ['«Рахмет» instead of the questionnaire\'s «Рақмет»', /рахмет/iu],
    ['«Әзербайжан» instead of «Әзірбайжан»', /әзербайжан/iu],
    ['the calque «сізді анықтауға» (say «жеке басыңызды анықтауға»)', /сізді анықтауға/iu],
    ['the calque «… минут алады» (say «… минут кетеді»)', /минут алады/iu],
    ['the calque «Толығырақ жасыру» (say «Толық мәліметті жасыру»)', /толығырақ жасыру/iu],
  ])('Kazakh: no %s', (_label, pattern) => {
    expect(offending(kkTexts, pattern)).toEqual([]);
  });

  it('Kazakh scale points 4 and 2 are not «Көбіне …» ("mostly"), stronger than «скорее» / "somewhat"', () => {
    for (const item of scoredItems) {
      for (const o of options(readOnlyModel('kk'), item.name)) expect(o.text, `${item.name}/${String(o.value)}`).not.toMatch(/көбіне/iu);
    }
  });

  it('Russian midpoints answer «Насколько…» (no «И да, и нет»)', () => {
    for (const item of scoredItems) {
      for (const o of options(readOnlyModel('ru'), item.name)) expect(o.text, `${item.name}/${String(o.value)}`).not.toMatch(/и да, и нет/iu);
    }
  });

  it.each([
    ['«о ваших мнениях» (say «о вашем мнении»)', /о ваших мнениях/iu],
    ['«е» where the page writes «ё»', /(^|[^а-яё])(живете|обобщенн\S*|ребенк\S*|удовлетворен|еще|ее)([^а-яё]|$)/iu],
  ])('Russian: no %s', (_label, pattern) => {
    expect(offending(ruTexts, pattern)).toEqual([]);
  });

  it.each(LOCALE_LIST)('in %s one wording of "please answer" for every required question, and the page\'s own default is the same', (locale) => {
    const required = json.pages.flatMap((p) => p.elements).filter((e) => e.isRequired === true && e.name !== 'age');
    expect(required.map((e) => e.name)).toEqual(expect.arrayContaining(['adult', 'resident', 'consent', 'region', 'settlement', 'sex', 'ethnicity']));
    const wordings = new Set(required.map((e) => text(e.requiredErrorText, locale)));
    expect([...wordings]).toHaveLength(1);
    const overrides: Partial<Record<Locale, Record<string, string>>> = { kk: kazakhOverrides, ru: russianOverrides };
    const pageDefault = overrides[locale]?.requiredError;
    if (pageDefault !== undefined) expect(pageDefault).toBe([...wordings][0]);
  });
});

describe('the age question says what is wrong (issue 12, item 4)', () => {
  const age = element(json, 'age');
  const message = (locale: Locale) => text(age.requiredErrorText, locale);

  it('its one message states the rule (whole years, 18 to 110) in every language', () => {
    for (const l of LOCALE_LIST) {
      expect(message(l), l).toMatch(/18/);
      expect(message(l), l).toMatch(/110/);
      for (const prop of ['minErrorText', 'maxErrorText', 'stepErrorText']) expect(text(age[prop], l), `${prop} ${l}`).toBe(message(l));
    }
  });

  // In Chromium a number field never takes letters ("abc" leaves it empty) and survey-core drops
  // the "-" when min ≥ 0 ("-5" becomes 5): both end in a check below, and all give the message.
  const wrong: [string, number | undefined][] = [['empty (what "abc" leaves)', undefined], ['-5', -5], ['5 (what "-5" becomes)', 5], ['17', 17], ['111', 111], ['35.5', 35.5]];

  it.each(wrong)('on the page: %s', (_label, value) => {
    for (const l of LOCALE_LIST) {
      const q = model(l).getQuestionByName('age');
      if (value !== undefined) q.value = value;
      expect(q.validate(true), l).toBe(false);
      expect(q.errors.map((e) => e.text), l).toEqual([message(l)]);
    }
  });

  it.each(wrong)('on the server, with the same words: %s', (_label, value) => {
    const validate = createCompletionValidator(json);
    const answers: Record<string, unknown> = { adult: true, resident: true, consent: true, region: 'KZ-75', settlement: 'urban', sex: 'f', ethnicity: 'kazakh' };
    if (value !== undefined) answers.age = value;
    for (const l of LOCALE_LIST) {
      const res = validate(answers, l);
      expect(res.ok, l).toBe(false);
      if (!res.ok) expect(res.errors.filter((e) => e.question === 'age').map((e) => e.message), l).toEqual([message(l)]);
    }
    expect(validate({ ...answers, age: 34 }, 'kk')).toEqual({ ok: true });
  });
});

describe('region: cities first, never mistaken for the region of the same name (issue 12, item 3)', () => {
  const CITY: Record<Locale, string> = { kk: '(қала)', ru: '(город)', en: '(city)' };
  it.each(LOCALE_LIST)('in %s the first three answers are the cities, marked as cities; no region is', (locale) => {
    const opts = options(readOnlyModel(locale), 'region');
    expect(opts.slice(0, 3).map((o) => o.value)).toEqual(['KZ-71', 'KZ-75', 'KZ-79']);
    for (const o of opts.slice(0, 3)) expect(o.text, String(o.value)).toContain(CITY[locale]);
    for (const o of opts.slice(3)) expect(o.text, String(o.value)).not.toContain(CITY[locale]);
    const almaty = opts.filter((o) => o.value === 'KZ-75' || o.value === 'KZ-19').map((o) => o.text);
    expect(new Set(almaty).size).toBe(2);
  });
});

describe('the 0–10 scale (issue 12, item 7)', () => {
  it('is eleven buttons on a phone as on a desktop, never a drop-down', () => {
    const c5 = element(json, 'c5') as ElementJson & { displayMode?: string };
    expect(c5.displayMode).toBe('buttons');
    const q = readOnlyModel('kk').getQuestionByName('c5') as unknown as { getCompactRenderAs(): string; getDesktopRenderAs(): string };
    expect(q.getCompactRenderAs()).toBe('default');
    expect(q.getDesktopRenderAs()).toBe('default');
    expect(options(readOnlyModel('kk'), 'c5').filter((o) => typeof o.value === 'number')).toHaveLength(11);
  });
});

describe('the indicators keep the Concept\'s own names on the public pages', () => {
  interface Targets { indicators: { code: string; name: Record<Locale, string> }[] }
  const targets = JSON.parse(fs.readFileSync(path.join(SURVEYS_DIR, 'targets.json'), 'utf8')) as Targets;
  const name = (code: string, l: Locale) => targets.indicators.find((i) => i.code === code)!.name[l];

  it('targets.json has the Kazakh names of the Concept (section 6 and the action plan), as issue 13 quotes them', () => {
    expect(name('consensus', 'kk')).toBe('Қоғамдық келісім мен жалпыұлттық бірлікті нығайту деңгейі');
    expect(name('tolerance', 'kk')).toBe('Қазақстан этностары арасындағы толеранттылық деңгейі');
    expect(name('mood', 'kk')).toBe('Қазақстан этностарының әлеуметтік көңіл-күйінің деңгейі');
  });

  it.each([['kk', kkMessages], ['ru', ruMessages], ['en', enMessages]] as const)('the %s home page uses exactly the names of targets.json', (l, messages) => {
    expect([messages.indicatorConsensus, messages.indicatorTolerance, messages.indicatorMood])
      .toEqual([name('consensus', l), name('tolerance', l), name('mood', l)]);
  });
});

describe('docs/questionnaire-review.md shows the questionnaire as it is', () => {
  const doc = fs.readFileSync(path.join(SURVEYS_DIR, '../docs/questionnaire-review.md'), 'utf8');

  it.each(LOCALE_LIST)('every %s text of the survey appears in it verbatim (html as its text pieces)', (locale) => {
    const missing: string[] = [];
    for (const { where, text: t } of allSurveyTexts(locale)) {
      for (const piece of t.split(/<[^>]+>/).map((p) => p.trim()).filter((p) => p !== '')) {
        if (!doc.includes(piece)) missing.push(`${where}: ${piece}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('names every question of the survey and records the native review', () => {
    for (const page of json.pages) for (const el of page.elements) expect(doc, el.name).toContain(`### \`${el.name}\``);
    expect(doc).toMatch(/Native language review of this version/);
  });
});
