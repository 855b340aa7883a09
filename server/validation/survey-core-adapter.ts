// The narrow slice of survey-core 3.0.0 that validation reads, typed structurally.
// survey-core's typings mark several members we need (rendered min/max, item flags) as internal or
// `any`, so we describe only what we touch; everything here is public at run time in 3.0.0.
import { ConditionRunner, Model, settings, surveyLocalization } from 'survey-core';
// Side-effect imports register survey-core's own Kazakh and Russian texts (required, min/max,
// validators…), so its error messages come out in the respondent's language.
import 'survey-core/i18n/kazakh';
import 'survey-core/i18n/russian';
import type { Locale } from './messages';

// Decision 001 stores Kazakh under a string's "default" key. survey-core shows "default" for its
// default locale, which is "en" out of the box, so locale "en" would show Kazakh and the "en"
// texts would be unreachable. Kazakh is this product's default locale, here as on the respondent
// page; survey strings are resolved lazily, so this must hold for the life of the process.
surveyLocalization.defaultLocale = 'kk';

export { ConditionRunner };

export interface CoreItem {
  value: unknown;
  isExclusive?: boolean;
  visibleIf?: string;
  enableIf?: string;
  showCommentArea?: boolean;
}

export interface CoreError {
  getText(): string;
  isError: boolean;
}

export interface CoreValidator {
  getType(): string;
  notificationType?: string;
  expression?: string;
  validate(value: unknown, name?: string, properties?: unknown): { error?: CoreError | null } | null;
  getErrorText(name: string): string;
}

export interface CoreElement {
  name: string;
  isPage?: boolean;
  isPanel?: boolean;
  parent?: CoreElement | null;
  visible: boolean;
  visibleIf?: string;
  readOnly: boolean;
  enableIf?: string;
  isRequired?: boolean;
  requiredIf?: string;
  isVisible: boolean;
  isReadOnly: boolean;
}

export interface CoreQuestion extends CoreElement {
  getType(): string;
  getValueName(): string;
  valueName?: string;
  isParentVisible: boolean;
  errors: CoreError[];
  validators: CoreValidator[];
  requiredErrorText: string;
  allowSpaceAsAnswer: boolean;
  getValidatorTitle(): string;
  getLocalizationFormatString(name: string, ...args: unknown[]): string;
  // comment / other
  showCommentArea?: boolean;
  showOtherItem?: boolean;
  otherItem?: CoreItem;
  otherErrorText?: string;
  // choices
  visibleChoices?: CoreItem[];
  choices?: CoreItem[];
  choicesVisibleIf?: string;
  choicesEnableIf?: string;
  choicesFromQuestion?: string;
  choicesByUrl?: { url?: string };
  hideIfChoicesEmpty?: boolean;
  choicesLazyLoadEnabled?: boolean;
  minSelectedChoices?: number;
  maxSelectedChoices?: number;
  // boolean
  getValueTrue?(): unknown;
  getValueFalse?(): unknown;
  // rating
  visibleRateValues?: CoreItem[];
  // text
  inputType?: string;
  renderedMin?: unknown;
  renderedMax?: unknown;
  renderedStep?: unknown;
  minErrorText?: string;
  maxErrorText?: string;
  stepErrorText?: string;
  minValueExpression?: string;
  maxValueExpression?: string;
  maskType?: string;
  getMaxLength?(): number;
  // dynamic values that the fast engine does not model
  defaultValueExpression?: string;
  setValueIf?: string;
  setValueExpression?: string;
  resetValueIf?: string;
}

export interface CoreModel {
  locale: string;
  data: Record<string, unknown>;
  pages: CoreElement[];
  triggers: unknown[];
  calculatedValues: unknown[];
  mode?: string;
  readOnly?: boolean;
  getAllQuestions(visibleOnly?: boolean, includeDesignTime?: boolean, includeNested?: boolean): CoreQuestion[];
  getAllPanels(visibleOnly?: boolean, includeDesignTime?: boolean): CoreElement[];
  clear(clearData?: boolean, goToFirstPage?: boolean): void;
  validate(fireCallback?: boolean, focusFirstError?: boolean): boolean | undefined;
  dispose(): void;
}

/** survey-core's key for a question's comment ("other" text or comment area): `<name>-Comment`. */
export function commentKey(name: string): string {
  return name + settings.commentSuffix;
}

/**
 * Builds a survey-core Model for `json` with `locale` set as the respondent page sets it: survey
 * strings fall back to their `default` (Kazakh, decision 001) and survey-core's own texts come from
 * its kk/ru/en dictionaries.
 */
export function createModel(json: object, locale: Locale): CoreModel {
  const model = new Model(json) as unknown as CoreModel;
  model.locale = locale;
  return model;
}
