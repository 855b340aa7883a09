// Fixes to survey-core 3.0.0's Russian UI strings a respondent can meet. The shipped catalogue is
// mostly good; these are its slips: a Latin "O" in "Oтвечено", infinitives where a button needs an
// imperative or a noun ("Выбирать", "Применять"), "Некорректный вход" ("incorrect entrance"),
// "Номера" for digits, and "больше/меньше {0} символов" where the rule is "at least/at most".
export const russianOverrides: Record<string, string> = {
  completeText: 'Завершить',
  questionsProgressText: 'Отвечено вопросов: {0}/{1}',
  buttongroupOptionsCaption: 'Выбрать...',
  ratingOptionsCaption: 'Выбрать...',
  selectCaption: 'Выбрать',
  modalApplyButtonText: 'Применить',
  invalidInputError: 'Некорректное значение.',
  textNoDigitsAllow: 'Цифры вводить нельзя.',
  incompletePatternError: 'Заполните значение полностью в нужном формате.',
  textMinLength: 'Введите не менее {0} символов.',
  textMaxLength: 'Введите не более {0} символов.',
  textMinMaxLength: 'Введите не менее {0} и не более {1} символов.',
  minSelectError: 'Выберите не менее {0} вариантов.',
  maxSelectError: 'Выберите не более {0} вариантов.',
  stepError: 'Введите значение, кратное шагу {0}.',
  deselectAllItemText: 'Снять выбор со всех',
  loadingSurvey: 'Загрузка опроса...',
  savingData: 'Ответы сохраняются на сервере...',
  savingDataError: 'Произошла ошибка, ответы не сохранены.',
  savingDataSuccess: 'Ответы успешно сохранены!',
  completingSurvey: 'Благодарим вас за заполнение анкеты!',
};
