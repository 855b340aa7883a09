import type { ItemValue, Model, QuestionSelectBase } from 'survey-core';
import type { Locale } from '../i18n/locale';

/** The region question's name in the official questionnaire, and how many cities lead its list. */
const REGION_QUESTION = 'region';
const LEADING_CITIES = 3;

/**
 * What a region is looked up by: its name without a leading generic word in lower case. Russian
 * writes the three newest regions «область Абай», «область Жетісу», «область Ұлытау»; sorted as
 * written they would stand under «О», where no one from Abai looks for them.
 */
export function sortKey(text: string): string {
  return text.replace(/^\p{Ll}+\s+(?=\p{Lu})/u, '');
}

/**
 * Sorts the region choices in the page's language (decision 017): the three cities of republican
 * significance stay first, in the questionnaire's order; the regions after them follow the
 * language's own alphabet by name (Intl.Collator over sortKey: Kazakh Ә after А, Қ after К …),
 * which survey-core's `choicesOrder` cannot do (a code-point comparison over every choice). Only
 * the order changes: the stored values (KZ-…) are the same. A questionnaire without such a
 * question is left alone.
 */
export function sortRegionChoices(model: Model, locale: Locale): void {
  const question = model.getQuestionByName(REGION_QUESTION) as QuestionSelectBase | null;
  if (!question || !Array.isArray(question.choices) || question.choices.length <= LEADING_CITIES + 1) return;
  const choices = question.choices as ItemValue[];
  const collator = new Intl.Collator(locale);
  const sorted = [...choices.slice(0, LEADING_CITIES), ...choices.slice(LEADING_CITIES).sort((a, b) => collator.compare(sortKey(a.text), sortKey(b.text)))];
  if (sorted.every((item, i) => item === choices[i])) return;
  question.choices = sorted;
}
