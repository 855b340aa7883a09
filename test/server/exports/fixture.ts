// A real SQLite database for the export tests: the official questionnaire plus one free-text
// question (long trilingual title, > 255 bytes in Cyrillic) registered as the survey's current
// version, a wave, and responses with generated valid answers, hostile free text (quotes,
// newlines, a leading '=', '+', '-', '@', RTL, emoji, a > 255-byte Cyrillic string), one partial
// and one screened-out response.
import { openDb, type Db } from '../../../server/db/open';
import { insertResponse } from '../../../server/responses/sqlite-sync';
import { deriveColumns } from '../../../server/responses/service';
import { readSurveyFolder, registerSurveyVersion, OFFICIAL_SURVEY_ID } from '../../../server/surveys/sqlite-sync';
import { createWave } from '../../../server/waves/sqlite-sync';
import { generateAnswers } from '../../helpers/answers';
import { OFFICIAL_SURVEYS_DIR } from '../../helpers/app';
import { createTestDbFile } from '../../helpers/db';
import path from 'node:path';

/** A title of well over 255 bytes in every language (Cyrillic letters are 2 bytes in UTF-8). */
export const LONG_TITLE = {
  default: 'Сіздің ойыңызша, Қазақстандағы этносаралық келісімді нығайту үшін мемлекет, азаматтық қоғам және әрбір азамат нақты қандай қадамдар жасауы керек? Өз пікіріңізді еркін түрде, мысалдар келтіре отырып жазыңыз: бұл жауап тек зерттеу мақсатында қолданылады.',
  ru: 'Как, по вашему мнению, государство, гражданское общество и каждый гражданин могут укрепить межэтническое согласие в Казахстане? Напишите своё мнение свободно, с примерами: этот ответ используется только в исследовательских целях и не передаётся третьим лицам.',
  en: 'In your opinion, what concrete steps should the state, civil society and every citizen take to strengthen inter-ethnic accord in Kazakhstan? Please write freely and give examples: this answer is used for research only and is never passed on to third parties, in any form, at any time.',
};

/** Hostile free-text answers, one per response in turn (a response past the list gets none). */
export const HOSTILE = [
  'She said "yes", then \'no\'',
  'line one\nline two\r\nline three',
  '=HYPERLINK("http://evil.example","click")',
  '+7 701 000 00 00',
  '-2+3',
  '@SUM(A1:A2)',
  '\tleading tab',
  'שלום עולם — مرحبا بالعالم',
  'Керемет 🎉👍🏽 emoji',
  'Қазақстан — ортақ үйіміз. '.repeat(12),
  'comma, inside; and "quotes"',
];

export interface ExportFixture {
  file: string;
  dir: string;
  waveId: number;
  surveyJson: Record<string, unknown>;
  /** The stored answers of the complete responses, by id. */
  answers: Map<string, Record<string, unknown>>;
}

export function surveyWithComment(): { json: Record<string, unknown>; scoring: Record<string, unknown> } {
  const { json, scoring } = readSurveyFolder(path.join(OFFICIAL_SURVEYS_DIR, OFFICIAL_SURVEY_ID));
  const copy = JSON.parse(JSON.stringify(json)) as { pages: { elements: unknown[] }[] };
  copy.pages[copy.pages.length - 1]!.elements.push({ type: 'comment', name: 'opinion', title: LONG_TITLE });
  return { json: copy as unknown as Record<string, unknown>, scoring };
}

/** Builds the database; `completes` complete responses (ids r0001, r0002, …). */
export function createExportFixture(completes: number): ExportFixture {
  const { file, dir } = createTestDbFile();
  const db: Db = openDb(file);
  try {
    const { json, scoring } = surveyWithComment();
    const version = registerSurveyVersion(db, OFFICIAL_SURVEY_ID, json, scoring).version;
    const spec = readSurveyFolder(path.join(OFFICIAL_SURVEYS_DIR, OFFICIAL_SURVEY_ID)).spec;
    const wave = createWave(db, OFFICIAL_SURVEY_ID, '2026-Q3', { closed: true, actor: 'test' });
    const answers = new Map<string, Record<string, unknown>>();
    const base = { waveId: wave.id, surveyVersionId: version.id, invitationId: null, currentPageNo: 0, interviewer: null, baseWeight: null };
    db.$client.transaction(() => {
      for (let i = 0; i < completes; i++) {
        const id = `r${String(i + 1).padStart(4, '0')}`;
        const data = generateAnswers(json, 1000 + i);
        if (i % 3 === 0) data.a4 = 'dk';
        if (i < HOSTILE.length) data.opinion = HOSTILE[i];
        const d = deriveColumns(spec, data);
        const at = new Date(Date.UTC(2026, 6, 1 + (i % 28), 9, i % 60)).toISOString();
        insertResponse(db, {
          ...base, id, locale: (['kk', 'ru', 'en'] as const)[i % 3]!, status: 'complete', data,
          startedAt: at, updatedAt: at, completedAt: at, durationMs: 300_000 + i * 1000, mode: 'web',
          ...d,
        });
        answers.set(id, data);
      }
      const at = '2026-07-02T10:00:00.000Z';
      const empty = { region: null, settlement: null, sex: null, age: null, ageBand: null, ethnicity: null, itemScores: null, consensus: null, tolerance: null, mood: null, runInput: null };
      insertResponse(db, { ...base, ...empty, id: 'z-partial', locale: 'ru', status: 'partial', data: { adult: true, opinion: '=1+1' }, startedAt: at, updatedAt: at, completedAt: null, durationMs: null, mode: 'web' });
      insertResponse(db, { ...base, ...empty, id: 'z-screened', locale: 'en', status: 'screened_out', data: { adult: false }, startedAt: at, updatedAt: at, completedAt: at, durationMs: 1000, mode: 'web' });
    })();
    return { file, dir, waveId: wave.id, surveyJson: json, answers };
  } finally {
    db.$client.close();
  }
}
