// Our own trilingual texts for the strict checks survey-core does not make (decision 003).
// survey-core's own localized texts are used for everything it checks itself (required, min/max,
// validators…); these cover only what it lets through.

import type { Locale } from '../../contract/respondent-api';

export { LOCALES } from '../../contract/respondent-api';
export type { Locale };

type Texts = Record<Locale, string>;

export const strictMessages = {
  notAnObject: {
    kk: 'Жауаптар объект (сұрақ атауы → жауап) түрінде жіберілуі керек.',
    ru: 'Ответы должны быть переданы объектом (имя вопроса → ответ).',
    en: 'Answers must be sent as an object (question name → answer).',
  },
  unknownKey: {
    kk: 'Сауалнамада мұндай сұрақ жоқ.',
    ru: 'В анкете нет такого вопроса.',
    en: 'The questionnaire has no such question.',
  },
  notShown: {
    kk: 'Бұл сұрақ берілген жауаптар бойынша көрсетілмейді, сондықтан оған жауап болмауы керек.',
    ru: 'Этот вопрос не показывается при данных ответах, поэтому ответа на него быть не должно.',
    en: 'This question is not shown given the other answers, so it must not have an answer.',
  },
  notAChoice: {
    kk: 'Бұл жауап ұсынылған нұсқалардың бірі емес.',
    ru: 'Этот ответ не входит в предложенные варианты.',
    en: 'This answer is not one of the offered choices.',
  },
  notAList: {
    kk: 'Бұл сұраққа жауап нұсқалар тізімі болуы керек.',
    ru: 'Ответ на этот вопрос должен быть списком вариантов.',
    en: 'The answer to this question must be a list of choices.',
  },
  duplicateChoice: {
    kk: 'Бір нұсқа бірнеше рет таңдалған.',
    ru: 'Один и тот же вариант выбран несколько раз.',
    en: 'The same choice is selected more than once.',
  },
  exclusiveChoice: {
    kk: 'Бұл нұсқаны басқа нұсқалармен бірге таңдауға болмайды.',
    ru: 'Этот вариант нельзя выбирать вместе с другими.',
    en: 'This choice cannot be combined with other choices.',
  },
  tooManyChoices: {
    kk: 'Тым көп нұсқа таңдалған (ең көбі {0}).',
    ru: 'Выбрано слишком много вариантов (не более {0}).',
    en: 'Too many choices are selected (at most {0}).',
  },
  notABoolean: {
    kk: 'Бұл сұраққа жауап «иә» немесе «жоқ» болуы керек.',
    ru: 'Ответ на этот вопрос должен быть «да» или «нет».',
    en: 'The answer to this question must be yes or no.',
  },
  notOnScale: {
    kk: 'Бұл баға шкалада жоқ.',
    ru: 'Такой оценки нет на шкале.',
    en: 'This rating is not on the scale.',
  },
  notANumber: {
    kk: 'Бұл сұраққа жауап сан болуы керек.',
    ru: 'Ответ на этот вопрос должен быть числом.',
    en: 'The answer to this question must be a number.',
  },
  notText: {
    kk: 'Бұл сұраққа жауап мәтін болуы керек.',
    ru: 'Ответ на этот вопрос должен быть текстом.',
    en: 'The answer to this question must be text.',
  },
  tooLong: {
    kk: 'Мәтін тым ұзын (ең көбі {0} таңба).',
    ru: 'Текст слишком длинный (не более {0} символов).',
    en: 'The text is too long (at most {0} characters).',
  },
  commentNotAllowed: {
    kk: 'Бұл сұраққа түсініктеме тек «Басқа» нұсқасы таңдалғанда беріледі.',
    ru: 'Комментарий к этому вопросу допускается только при выборе варианта «Другое».',
    en: 'A comment on this question is only allowed when "Other" is selected.',
  },
  unreadable: {
    kk: 'Жауаптарды жіберілген түрінде тексеру мүмкін емес.',
    ru: 'Ответы в присланном виде проверить невозможно.',
    en: 'The answers cannot be checked as sent.',
  },
  answerTooDeep: {
    kk: 'Жауап тым терең ендірілген (ең көбі {0} деңгей).',
    ru: 'Ответ слишком глубоко вложен (не более {0} уровней).',
    en: 'The answer is nested too deeply (at most {0} levels).',
  },
  answerTooLarge: {
    kk: 'Жауап тым үлкен.',
    ru: 'Ответ слишком большой.',
    en: 'The answer is too large.',
  },
  tooManyErrors: {
    kk: 'Қателер тым көп; тек алғашқылары көрсетілді.',
    ru: 'Слишком много ошибок; показаны только первые.',
    en: 'Too many errors; only the first ones are listed.',
  },
} satisfies Record<string, Texts>;

export type StrictMessageKey = keyof typeof strictMessages;

export function strictMessage(key: StrictMessageKey, locale: Locale, arg?: string | number): string {
  const text = strictMessages[key][locale];
  return arg === undefined ? text : text.replace('{0}', String(arg));
}
