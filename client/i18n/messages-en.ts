// English UI strings for Kelisim's own screens (the questionnaire text lives in the survey JSON).
// This catalogue defines the keys; kk and ru must provide every one (the type system checks it).
export const en = {
  brand: 'Kelisim',
  languageSwitchLabel: 'Language',
  homeLink: 'Kelisim home page',

  homeTitle: 'Kelisim: public consensus, tolerance and social mood in Kazakhstan',
  homeLead:
    'Kelisim is an open survey platform that measures the three target indicators of the Concept for the Development of the Assembly of the People of Kazakhstan for 2022–2026:',
  indicatorConsensus: 'Level of strengthening of public consensus and national unity',
  indicatorTolerance: 'Level of tolerance among the ethnic groups of Kazakhstan',
  indicatorMood: 'Level of social mood of the ethnic groups of Kazakhstan',
  homeResults: 'Published survey results will appear on this page.',
  homeRespond: 'If you have received a link to the survey, open it to take part. Answers are anonymous.',

  notFoundTitle: 'Page not found',
  notFoundBody: 'There is no page at this address. Check the link or go to the home page.',
  goHome: 'Go to the home page',

  loadingSurvey: 'Loading the survey…',
  loading: 'Loading…',
  loadFailedTitle: 'Could not load the survey',
  loadFailedBody: 'Check your internet connection and try again.',
  tryAgain: 'Try again',
  unexpectedTitle: 'Something went wrong',
  unexpectedBody: 'The survey could not be opened because of an error on our side. Please try again later.',

  linkNotFoundTitle: 'This survey link is not valid',
  linkNotFoundBody:
    'Check that the link was copied in full. If it still does not open, ask whoever sent it to you for a new one.',
  waveClosedTitle: 'This survey is closed',
  waveClosedBody: 'Answers are no longer being accepted for this round of the survey. Thank you for your interest.',
  invitationUsedTitle: 'This invitation has already been used',
  invitationUsedBody:
    'Each invitation link can be used to answer the survey only once, and this one has already been used. If you think this is a mistake, contact whoever sent you the link.',
  alreadyCompletedTitle: 'These answers have already been submitted',
  alreadyCompletedBody: 'This questionnaire has already been completed and sent, so it can no longer be changed. Thank you for taking part.',
  alreadyTookPartTitle: 'You have already taken part — thank you!',
  alreadyTookPartBody: 'This device has already sent answers to this round of the survey, and each person answers it once. Thank you for taking part; you can close this page.',
  tooManyBody:
    'Very many answers have been sent from your network in the last few minutes, so the survey is pausing new ones for a while. Please try again in a few minutes: everything you have entered is still here.',

  thanksTitle: 'Thank you!',
  thanksBody: 'Your answers have been received and saved. You can now close this page.',
  screenedOutTitle: 'Thank you for your time',
  screenedOutBody:
    'This survey is for residents of Kazakhstan aged 18 or over who agree to take part, so there are no further questions for you. Your answers will not be included in the results.',

  quotaFullTitle: 'This group is already complete — thank you',
  quotaFullBody:
    'We already have enough answers from people of your region, sex and age, so there are no more questions for you. Your answers will not be included in the results. Thank you for your willingness to take part.',
  sending: 'Sending your answers…',
  submitFailed:
    'Your answers could not be sent. Check your internet connection and try again: everything you have entered is still here.',
  fixAnswers: 'Some answers need to be corrected:',
  introMore: 'More about the survey: anonymity, taking part voluntarily',
} as const;

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;
