// Finds every questionnaire under surveys/ (any folder holding a survey.json), so a survey added
// later is covered by the same tests without anyone editing them.
import fs from 'node:fs';
import path from 'node:path';
import { surveyLocalization } from 'survey-core';
import { afterAll, beforeAll } from 'vitest';

export const SURVEYS_DIR = path.resolve(import.meta.dirname, '../../surveys');

export interface SurveyFolder {
  /** Folder path relative to surveys/, e.g. "official". */
  name: string;
  survey: Record<string, unknown>;
  /** The scoring spec beside it, if there is one. */
  scoring?: unknown;
}

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
}

export function findSurveyFolders(root = SURVEYS_DIR): SurveyFolder[] {
  const found: SurveyFolder[] = [];
  const visit = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.name === 'survey.json') {
        const scoringFile = path.join(dir, 'scoring.json');
        found.push({
          name: path.relative(root, dir) || '.',
          survey: readJson(full) as Record<string, unknown>,
          ...(fs.existsSync(scoringFile) ? { scoring: readJson(scoringFile) } : {}),
        });
      }
    }
  };
  visit(root);
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** A deep copy of the official questionnaire and its scoring spec, safe to break in a test. */
export function officialCopy(): { survey: OfficialSurveyJson; scoring: OfficialScoringJson } {
  return {
    survey: readJson(path.join(SURVEYS_DIR, 'official/survey.json')) as OfficialSurveyJson,
    scoring: readJson(path.join(SURVEYS_DIR, 'official/scoring.json')) as OfficialScoringJson,
  };
}

export type Localized = Record<string, string>;
export interface ElementJson {
  type: string;
  name: string;
  title?: Localized | string;
  choices?: ({ value: unknown; text?: Localized | string } | string | number)[];
  [key: string]: unknown;
}
export interface OfficialSurveyJson {
  pages: { name: string; title?: Localized; elements: ElementJson[]; [key: string]: unknown }[];
  completedHtml: Localized;
  completedHtmlOnCondition: { expression: string; html: Localized }[];
  [key: string]: unknown;
}
export interface OfficialScoringJson {
  indicators: { id: string; minAnsweredShare: number; items: { name: string; min: number; max: number; reverse?: boolean; missingCodes?: string[] }[] }[];
}

/** The element named `name` in a survey copy (throws if absent, so a test cannot pass vacuously). */
export function element(survey: OfficialSurveyJson, name: string): ElementJson {
  for (const page of survey.pages) {
    const el = page.elements.find((e) => e.name === name);
    if (el) return el;
  }
  throw new Error(`test setup: no element "${name}" in the survey`);
}

/** Where each language's text stands in a localised string of the JSON: Kazakh under "default" (decision 001). */
export const SURVEY_LOCALES = { kk: 'default', ru: 'ru', en: 'en' } as const;

/**
 * For the tests of the calling file, survey-core's default locale is Kazakh, and it is restored after.
 * Decision 001 stores Kazakh under "default". survey-core's own default locale is "en", and a
 * string's "default" text is what it shows for its default locale, so with that setting locale
 * "en" would show Kazakh. Every place that builds a Model must set this first.
 */
export function kazakhAsSurveyDefault(): void {
  let previousDefault = '';
  beforeAll(() => {
    previousDefault = surveyLocalization.defaultLocale;
    surveyLocalization.defaultLocale = 'kk';
  });
  afterAll(() => {
    surveyLocalization.defaultLocale = previousDefault;
  });
}
