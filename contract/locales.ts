// The platform's languages: one definition for the database schema, the server, the respondent API
// contract and every client screen. A module of its own, without dependencies, so a screen that
// needs only the list (the dashboard) does not load the API schemas.

/** Questionnaire and screen languages, in the order of the language switch; SurveyJS locale codes (Kazakh is the default). */
export const LOCALES = ['kk', 'ru', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}
