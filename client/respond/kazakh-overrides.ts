// Reviewed Kazakh for the survey-core 3.0.0 UI strings a respondent can meet. survey-core's own
// Kazakh catalogue is partly machine-translated ("[Auto-translated]" in its source) and has slips:
// "Дайын" ("ready") on the submit button, "{0} ден {1} бет" (wrong order and a detached suffix)
// for the progress, "ЖАҚСЫ" ("good") for OK, "Егжей- тегжейін жасы" for "Hide details",
// "Қолдың No" for "No signature", Russianisms such as "Редакциялау".
// Placeholders ({0}, {1}) are never given a case suffix: Kazakh suffixes follow vowel harmony with
// the number as spoken, so the sentences are built so that the number stands alone.
// test/client/respond/survey-locale-overrides.test.ts checks every key exists in survey-core and
// every placeholder of the English original survives.
export const kazakhOverrides: Record<string, string> = {
  // navigation
  pagePrevText: 'Артқа',
  pageNextText: 'Келесі',
  completeText: 'Аяқтау',
  previewText: 'Жауаптарды қарау',
  editText: 'Өзгерту',
  startSurveyText: 'Бастау',

  // progress
  progressText: '{1} беттің {0}-беті',
  progressbar: 'Толтыру барысы',
  progressbarPage: '{0}-бет',
  indexText: '{0} / {1}',
  panelDynamicProgressText: 'Жазба: {0} / {1}',
  questionsProgressText: 'Жауап берілген сұрақтар: {0}/{1}',

  // choices
  otherItemText: 'Басқа (жазып көрсетіңіз)',
  noneItemText: 'Ешқайсысы',
  refuseItemText: 'Жауап бергім келмейді',
  dontKnowItemText: 'Білмеймін',
  selectAllItemText: 'Барлығын таңдау',
  deselectAllItemText: 'Таңдауды алып тастау',
  commentText: 'Пікіріңізді жазыңыз',
  placeholder: 'Таңдаңыз...',
  ratingOptionsCaption: 'Таңдаңыз...',
  buttongroupOptionsCaption: 'Таңдаңыз...',
  selectCaption: 'Таңдау',
  clearCaption: 'Тазарту',
  filterStringPlaceholder: 'Іздеу үшін теріңіз...',
  emptyMessage: 'Көрсететін ештеңе жоқ',
  booleanCheckedLabel: 'Иә',
  booleanUncheckedLabel: 'Жоқ',
  choices_Item: 'Нұсқа',
  choices_Choice: 'Жауап нұсқасы',
  more: 'Тағы',
  tagboxDoneButtonCaption: 'Дайын',
  ok: 'OK',
  cancel: 'Бас тарту',
  modalCancelButtonText: 'Бас тарту',
  modalApplyButtonText: 'Қолдану',
  showDetails: 'Толық мәліметті көрсету',
  hideDetails: 'Толық мәліметті жасыру',

  // validation errors
  requiredError: 'Осы сұраққа жауап беріңіз.',
  requiredErrorInPanel: 'Кемінде бір сұраққа жауап беріңіз.',
  requiredInAllRowsError: 'Әр жолдағы сұраққа жауап беріңіз.',
  eachRowUniqueError: 'Әр жолдағы мән қайталанбауы керек.',
  numericError: 'Жауап сан болуы керек.',
  minError: 'Мәні кемінде {0} болуы керек.',
  maxError: 'Мәні ең көбі {0} болуы керек.',
  stepError: 'Қадамы {0} болатын мән енгізіңіз.',
  invalidInputError: 'Мән дұрыс енгізілмеді.',
  textNoDigitsAllow: 'Цифр енгізуге болмайды.',
  incompletePatternError: 'Мәнді талап етілген пішімде толық енгізіңіз.',
  textMinLength: 'Кемінде {0} таңба енгізіңіз.',
  textMaxLength: 'Ең көбі {0} таңба енгізіңіз.',
  textMinMaxLength: 'Кемінде {0}, ең көбі {1} таңба енгізіңіз.',
  minSelectError: 'Кемінде {0} нұсқа таңдаңыз.',
  maxSelectError: 'Ең көбі {0} нұсқа таңдаңыз.',
  numericMinMax: '«{0}» мәні кемінде {1}, ең көбі {2} болуы керек.',
  numericMin: '«{0}» мәні кемінде {1} болуы керек.',
  numericMax: '«{0}» мәні ең көбі {1} болуы керек.',
  invalidEmail: 'Электрондық пошта мекенжайын дұрыс енгізіңіз.',
  otherRequiredError: '«Басқа» жолына жауабыңызды жазыңыз.',

  // loading, saving, completion
  emptySurvey: 'Сауалнамада көрсетілетін сұрақ жоқ.',
  loadingSurvey: 'Сауалнама жүктелуде...',
  loadingPage: 'Жүктелуде...',
  loadingData: 'Жүктелуде...',
  completingSurvey: 'Сауалнаманы толтырғаныңыз үшін рақмет!',
  completingSurveyBefore: 'Сіз бұл сауалнаманы бұрын толтырғансыз.',
  savingData: 'Жауаптар серверге сақталуда...',
  savingDataError: 'Қате орын алды, жауаптар сақталмады.',
  savingDataSuccess: 'Жауаптар сәтті сақталды!',
  saveAgainButton: 'Қайталап көру',
  toc: 'Мазмұны',

  // not used by the official questionnaire, but wrong enough in the shipped catalogue to fix
  signaturePlaceHolder: 'Осында қол қойыңыз',
  signaturePlaceHolderReadOnly: 'Қолтаңба жоқ',
  takePhotoCaption: 'Суретке түсіру',
};
