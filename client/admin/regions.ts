// Region codes (ISO 3166-2:KZ) and names as the official questionnaire gives them
// (surveys/official/survey.json, question "region"; its default text is Kazakh), in its order.
export const REGIONS: readonly { code: string; name: { kk: string; ru: string; en: string } }[] = [
  { code: "KZ-71", name: { kk: "Астана (қала)", ru: "Астана (город)", en: "Astana (city)" } },
  { code: "KZ-75", name: { kk: "Алматы (қала)", ru: "Алматы (город)", en: "Almaty (city)" } },
  { code: "KZ-79", name: { kk: "Шымкент (қала)", ru: "Шымкент (город)", en: "Shymkent (city)" } },
  { code: "KZ-10", name: { kk: "Абай облысы", ru: "область Абай", en: "Abai Region" } },
  { code: "KZ-11", name: { kk: "Ақмола облысы", ru: "Акмолинская область", en: "Akmola Region" } },
  { code: "KZ-15", name: { kk: "Ақтөбе облысы", ru: "Актюбинская область", en: "Aktobe Region" } },
  { code: "KZ-19", name: { kk: "Алматы облысы", ru: "Алматинская область", en: "Almaty Region" } },
  { code: "KZ-23", name: { kk: "Атырау облысы", ru: "Атырауская область", en: "Atyrau Region" } },
  { code: "KZ-27", name: { kk: "Батыс Қазақстан облысы", ru: "Западно-Казахстанская область", en: "West Kazakhstan Region" } },
  { code: "KZ-31", name: { kk: "Жамбыл облысы", ru: "Жамбылская область", en: "Jambyl Region" } },
  { code: "KZ-33", name: { kk: "Жетісу облысы", ru: "область Жетісу", en: "Jetisu Region" } },
  { code: "KZ-35", name: { kk: "Қарағанды облысы", ru: "Карагандинская область", en: "Karaganda Region" } },
  { code: "KZ-39", name: { kk: "Қостанай облысы", ru: "Костанайская область", en: "Kostanay Region" } },
  { code: "KZ-43", name: { kk: "Қызылорда облысы", ru: "Кызылординская область", en: "Kyzylorda Region" } },
  { code: "KZ-47", name: { kk: "Маңғыстау облысы", ru: "Мангистауская область", en: "Mangystau Region" } },
  { code: "KZ-55", name: { kk: "Павлодар облысы", ru: "Павлодарская область", en: "Pavlodar Region" } },
  { code: "KZ-59", name: { kk: "Солтүстік Қазақстан облысы", ru: "Северо-Казахстанская область", en: "North Kazakhstan Region" } },
  { code: "KZ-61", name: { kk: "Түркістан облысы", ru: "Туркестанская область", en: "Turkistan Region" } },
  { code: "KZ-62", name: { kk: "Ұлытау облысы", ru: "область Ұлытау", en: "Ulytau Region" } },
  { code: "KZ-63", name: { kk: "Шығыс Қазақстан облысы", ru: "Восточно-Казахстанская область", en: "East Kazakhstan Region" } },
];

/** The sexes and age bands of the quota grid (the questionnaire's sex codes; analysis/scoring.ts AgeBand). */
export const SEXES = ['m', 'f'] as const;
export const AGE_BANDS = ['18-29', '30-44', '45-59', '60+'] as const;
