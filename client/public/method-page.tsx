// "How it is measured": the questions behind each indicator (read from the official questionnaire
// and its scoring spec at build time, so the page cannot drift from what respondents are asked),
// the scoring, weighting, uncertainty, the targets' source and status, and each published
// period's provenance (GET /runs/:id).
import { useState } from 'react';
import scoringJson from '../../surveys/official/scoring.json';
import surveyJson from '../../surveys/official/survey.json';
import type { Locale } from '../i18n/locale';
import { followLink } from '../router';
import { runPath, type IndicatorsResponse, type PublishedPeriod, type RunResponse } from './api';
import { formatCount, formatDate, formatPeriod, formatSmall, formatValue } from './format';
import type { PublicMessageKey } from './messages-en';
import { comparePeriodsDesc } from './periods';
import { TargetsTable } from './targets-table';
import { useApi } from './use-api';
import { usePublicText } from './use-public-text';
import { viewHref, type ViewState } from './view-state';

type SurveyText = { default: string; ru?: string; en?: string };
interface SurveyElement { name?: string; title?: SurveyText | string; elements?: SurveyElement[] }

/** Every question title of the questionnaire by name, in kk/ru/en (SurveyJS: `default` is Kazakh). */
function questionTitles(): Map<string, SurveyText> {
  const titles = new Map<string, SurveyText>();
  const walk = (elements: SurveyElement[] | undefined) => {
    for (const el of elements ?? []) {
      if (el.name && el.title) titles.set(el.name, typeof el.title === 'string' ? { default: el.title } : el.title);
      walk(el.elements);
    }
  };
  walk((surveyJson as { pages: SurveyElement[] }).pages);
  return titles;
}

function inLocale(text: SurveyText, locale: Locale): string {
  if (locale === 'kk') return text.default;
  return text[locale] ?? text.default;
}

interface ScoringItem { name: string; min: number; max: number; reverse?: boolean }
const SCORING = scoringJson as { indicators: { id: string; items: ScoringItem[] }[] };
const TITLES = questionTitles();

export default function MethodPage({ headline, periods, view }: { headline: IndicatorsResponse; periods: PublishedPeriod[]; view: ViewState }) {
  const { locale, t, pick } = usePublicText();
  const alternatives = headline.indicators.flatMap((i) =>
    i.targets.flatMap((target) => (target.alternatives ?? []).map((alt) => ({ indicator: pick(i.name), year: target.year, value: target.value, alt }))),
  );
  const runs = periods.filter((p) => typeof p.runId === 'number').sort((a, b) => comparePeriodsDesc(a.period, b.period));
  return (
    <article className="method" aria-labelledby="method-title">
      <p className="dash-links">
        <a href={viewHref({ ...view, page: 'dashboard' })} onClick={followLink}>
          {t('backLink')}
        </a>
      </p>
      <h1 id="method-title">{t('methodTitle')}</h1>

      <section aria-labelledby="m-questions">
        <h2 id="m-questions">{t('methodQuestionsTitle')}</h2>
        <p>{t('methodQuestionsLead')}</p>
        {SCORING.indicators.map((indicator) => {
          const name = headline.indicators.find((i) => i.id === indicator.id);
          return (
            <section key={indicator.id} aria-labelledby={`m-q-${indicator.id}`}>
              <h3 id={`m-q-${indicator.id}`}>{name ? pick(name.name) : indicator.id}</h3>
              <ol className="questions">
                {indicator.items.map((item) => {
                  const title = TITLES.get(item.name);
                  return (
                    <li key={item.name}>
                      {title ? inLocale(title, locale) : item.name}{' '}
                      <span className="question-meta">
                        ({t('itemScale', { min: item.min, max: item.max })}
                        {item.reverse ? `; ${t('reversedItem')}` : ''})
                      </span>
                    </li>
                  );
                })}
              </ol>
            </section>
          );
        })}
      </section>

      <section aria-labelledby="m-scoring">
        <h2 id="m-scoring">{t('methodScoringTitle')}</h2>
        <p>{t('methodScoring')}</p>
      </section>
      <section aria-labelledby="m-weighting">
        <h2 id="m-weighting">{t('methodWeightingTitle')}</h2>
        <p>{t('methodWeighting')}</p>
      </section>
      <section aria-labelledby="m-ci">
        <h2 id="m-ci">{t('methodCiTitle')}</h2>
        <p>{t('methodCi')}</p>
      </section>
      <section aria-labelledby="m-ns">
        <h2 id="m-ns">{t('methodNsTitle')}</h2>
        <p>{t('methodNs')}</p>
      </section>

      <section aria-labelledby="m-targets">
        <h2 id="m-targets">{t('methodTargetsTitle')}</h2>
        <p>{t('methodTargets', { title: pick(headline.document.title) })}</p>
        {headline.document.statusNote && (
          <p>
            <strong>{t('methodDocumentStatus')}</strong> {pick(headline.document.statusNote)}
          </p>
        )}
        {alternatives.map((a) => (
          <p key={`${a.indicator}-${a.year}-${a.alt.value}`}>
            {t('methodAlternative', { indicator: a.indicator, value: formatValue(locale, a.value), alternative: formatValue(locale, a.alt.value), source: pick(a.alt.source) })}
          </p>
        ))}
        <TargetsTable indicators={headline.indicators} labelledBy="m-targets" />
      </section>

      <section aria-labelledby="m-provenance">
        <h2 id="m-provenance">{t('methodProvenanceTitle')}</h2>
        <p>{t('methodProvenanceLead')}</p>
        <ul className="provenance">
          {runs.map((p) => (
            <li key={`${p.period}-${p.runId}`}>
              <Provenance period={p} />
            </li>
          ))}
        </ul>
      </section>
    </article>
  );
}

function Provenance({ period }: { period: PublishedPeriod }) {
  const { locale, t } = usePublicText();
  const [open, setOpen] = useState(false);
  return (
    <details onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        {formatPeriod(locale, period.period)}
        {period.publishedAt && <>, {t('provenancePublished', { date: formatDate(locale, period.publishedAt) })}</>}
        {period.n !== undefined && <>, {t('sampleSize', { n: formatCount(locale, period.n) })}</>}
        {period.frame && <>, {period.frame.name}</>}
        {period.revised && <span className="badge">{t('revised')}</span>}
        {period.frame?.illustrative && <span className="badge">{t('prov_illustrative')}</span>}
      </summary>
      {open && typeof period.runId === 'number' && <RunDetails runId={period.runId} />}
    </details>
  );
}

function RunDetails({ runId }: { runId: number }) {
  const { t } = usePublicText();
  const [attempt, setAttempt] = useState(0);
  const run = useApi<RunResponse>(runPath(runId), attempt);
  if (run.state === 'loading') return <p role="status">{t('loading')}</p>;
  if (run.state === 'error')
    return (
      <p role="alert">
        {t('provenanceFailed')}{' '}
        <button type="button" className="toggle" onClick={() => setAttempt((n) => n + 1)}>
          {t('retry')}
        </button>
      </p>
    );
  const { demo: _demo, ...fields } = run.data;
  return <Fields value={fields} />;
}

/** The run document as nested definition lists: known fields by their translated names, others as sent. */
function Fields({ value }: { value: Record<string, unknown> }) {
  const { locale, t } = usePublicText();
  const label = (key: string) => {
    const k = `prov_${key}` as PublicMessageKey;
    return k in PROV_KEYS ? t(k) : key;
  };
  return (
    <dl className="fields">
      {Object.entries(value).map(([key, v]) => (
        <div key={key} className="fields__row">
          <dt>{label(key)}</dt>
          <dd>{isRecord(v) && !isText(v) ? <Fields value={v} /> : key === 'period' && typeof v === 'string' ? formatPeriod(locale, v) : scalar(v, locale, t)}</dd>
        </div>
      ))}
    </dl>
  );
}

const PROV_KEYS = Object.fromEntries(
  ['period', 'frame', 'name', 'source', 'referenceDate', 'illustrative', 'contentHash', 'sample', 'completes', 'used', 'excluded', 'excludedBy', 'speeder', 'straightliner', 'incomplete', 'burst', 'duplicate_answers', 'automation', 'overruled', 'weighting', 'converged', 'iterations', 'maxMarginError', 'kishEffectiveN', 'designEffect', 'weightRange', 'merged', 'margin', 'from', 'into', 'options', 'minCellSize', 'bounds', 'exclude', 'questionnaire', 'surveyId', 'versions', 'engineVersion', 'inputHash', 'scoringHash', 'revised', 'runId', 'publishedAt', 'computedAt', 'n'].map((k) => [`prov_${k}`, true]),
);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function isText(v: Record<string, unknown>): boolean {
  return typeof v.kk === 'string' && typeof v.ru === 'string' && typeof v.en === 'string';
}

/** A record inside a list, on one line: a merge as "region: KZ-62 → KZ-35", a text in the reader's language, else its values. */
function record(x: Record<string, unknown>, locale: Locale, t: (key: PublicMessageKey) => string): string {
  if (isText(x)) return String(x[locale]);
  if ('from' in x && 'into' in x) return `${typeof x.margin === 'string' ? `${x.margin}: ` : ''}${scalar(x.from, locale, t)} → ${scalar(x.into, locale, t)}`;
  return Object.values(x).map((y) => scalar(y, locale, t)).join(' · ');
}

function scalar(v: unknown, locale: Locale, t: (key: PublicMessageKey) => string): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return t(v ? 'yes' : 'no');
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return formatCount(locale, v);
    // A tiny diagnostic (a margin error of 2e-6 people) must not print as "0,00".
    if (Math.abs(v) < 0.01) return formatSmall(locale, v);
    return formatValue(locale, v, 2);
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return '—';
    // A pair of numbers is a range (weight bounds, weight range): "0,30–5".
    if (v.length === 2 && v.every((x) => typeof x === 'number')) return `${scalar(v[0], locale, t)}–${scalar(v[1], locale, t)}`;
    // A list of records (merged weighting cells: { margin, from, into }): each as its values.
    return v.map((x) => (isRecord(x) ? record(x, locale, t) : scalar(x, locale, t))).join('; ');
  }
  // Known codes (quality flags) in words.
  if (typeof v === 'string' && `prov_${v}` in PROV_KEYS) return t(`prov_${v}` as PublicMessageKey);
  if (isRecord(v) && isText(v)) return String(v[locale]);
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}(T|$)/.test(v)) return formatDate(locale, v);
  return String(v);
}
