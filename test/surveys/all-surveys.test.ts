// Every questionnaire under surveys/ must load in survey-core and pass checkSurvey with no problem.
import { describe, expect, it } from 'vitest';
import { Model } from 'survey-core';
import { checkSurvey } from '../../server/surveys/check-survey';
import { findSurveyFolders } from './survey-files';

const folders = findSurveyFolders();

describe('every survey under surveys/', () => {
  it('finds the official questionnaire (so this suite cannot pass on an empty folder)', () => {
    expect(folders.map((f) => f.name)).toContain('official');
  });

  it.each(folders.map((f) => [f.name, f] as const))('%s loads in survey-core and has no problems', (_name, folder) => {
    const model = new Model(folder.survey);
    expect(model.getAllQuestions().length).toBeGreaterThan(0);
    expect(checkSurvey(folder.survey, folder.scoring)).toEqual([]);
  });

  it.each(folders.filter((f) => f.scoring !== undefined).map((f) => [f.name, f] as const))(
    '%s: every question its scoring spec names exists in the survey', (_name, folder) => {
      const model = new Model(folder.survey);
      const spec = folder.scoring as { indicators: { items: { name: string }[] }[] };
      for (const item of spec.indicators.flatMap((i) => i.items)) {
        expect(model.getQuestionByName(item.name), item.name).toBeTruthy();
      }
    });
});
