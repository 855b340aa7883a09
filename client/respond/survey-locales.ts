// Registers survey-core's Kazakh and Russian UI strings (English is built in) and applies our
// reviewed corrections on top. Imported once, by the respondent page only.
import { surveyLocalization } from 'survey-core';
import 'survey-core/i18n/kazakh';
import 'survey-core/i18n/russian';
import { kazakhOverrides } from './kazakh-overrides';
import { russianOverrides } from './russian-overrides';

// Our survey JSON's "default" strings are Kazakh (decision 001). survey-core treats its default
// locale (English, out of the box) as "use the default strings", so without this an English
// respondent would be shown the Kazakh texts under English buttons.
surveyLocalization.defaultLocale = 'kk';

Object.assign(surveyLocalization.locales['kk'], kazakhOverrides);
Object.assign(surveyLocalization.locales['ru'], russianOverrides);
