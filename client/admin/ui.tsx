// Small pieces every console page uses: the page heading, a refusal in words, a loading line, a
// labelled field with its problem, and a button that only shows to those allowed to use it.
import { useEffect, useRef, type ReactNode } from 'react';
import { useAdminText } from './admin-text';
import { errorText, type FieldProblem } from './errors';

/** A console page: its heading takes focus on arrival so a screen reader announces the new page. */
export function AdminPage({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const { t } = useAdminText();
  useEffect(() => {
    document.title = `${title} · ${t('consoleName')}`;
  }, [title, t]);
  useEffect(() => {
    heading.current?.focus();
  }, [title]);
  return (
    <section className="admin-page" aria-labelledby="admin-page-title">
      <div className="admin-page__head">
        <h1 id="admin-page-title" ref={heading} tabIndex={-1}>
          {title}
        </h1>
        {actions && <div className="admin-page__actions">{actions}</div>}
      </div>
      {children}
    </section>
  );
}

/** A refusal or failure in words, with "try again" when asked. */
export function ErrorNotice({ error, onRetry, problems }: { error: unknown; onRetry?: () => void; problems?: FieldProblem[] }) {
  const text = useAdminText();
  return (
    <div className="admin-error" role="alert">
      <p>{error === null ? text.t('fixProblems') : errorText(text, error)}</p>
      {problems && problems.length > 0 && (
        <ul>
          {problems.map((p, i) => (
            <li key={i}>{p.path ? `${p.path}: ${p.message}` : p.message}</li>
          ))}
        </ul>
      )}
      {onRetry && (
        <button type="button" className="admin-button admin-button--secondary" onClick={onRetry}>
          {text.t('retry')}
        </button>
      )}
    </div>
  );
}

export function Loading() {
  const { t } = useAdminText();
  return (
    <p className="admin-status" role="status">
      {t('loading')}
    </p>
  );
}

/** A success or progress line that screen readers announce. */
export function StatusLine({ children }: { children: ReactNode }) {
  return (
    <p className="admin-ok" role="status">
      {children}
    </p>
  );
}

/** A labelled control with its hint and its problem, tied together for screen readers. */
export function Field({ id, label, hint, problem, children }: { id: string; label: string; hint?: string; problem?: string; children: ReactNode }) {
  return (
    <div className={problem ? 'admin-field admin-field--invalid' : 'admin-field'}>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="admin-field__hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {children}
      {problem && (
        <p className="admin-field__problem" id={`${id}-problem`}>
          {problem}
        </p>
      )}
    </div>
  );
}

/** aria attributes of a control inside <Field>. */
export function fieldAria(id: string, hint: boolean, problem: string | undefined): { 'aria-describedby'?: string; 'aria-invalid'?: boolean } {
  const ids = [hint ? `${id}-hint` : '', problem ? `${id}-problem` : ''].filter(Boolean).join(' ');
  return { ...(ids ? { 'aria-describedby': ids } : {}), ...(problem ? { 'aria-invalid': true } : {}) };
}

/** The problem of `field` among `problems` (matching the first path segment). */
export function problemFor(problems: FieldProblem[], field: string): string | undefined {
  return problems.find((p) => p.path === field || p.path.startsWith(`${field}.`))?.message;
}
