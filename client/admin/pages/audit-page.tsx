// The audit log, newest first, filterable by action, actor, subject and time (all in the URL), one
// server page at a time; each entry's before/after shown on demand.
import { useState, type FormEvent } from 'react';
import { formatDateTime, useAdminText } from '../admin-text';
import { DataTable } from '../data-table';
import { listAudit } from '../endpoints';
import { AdminPage, ErrorNotice, Loading } from '../ui';
import { useList } from '../use-list';

const FILTERS = ['action', 'actor', 'subjectType', 'subjectId', 'from', 'to'] as const;

export function AuditPage() {
  const { t } = useAdminText();
  const list = useList(FILTERS, listAudit);
  return (
    <AdminPage title={t('auditTitle')}>
      <AuditFilters filters={list.query.filters} onApply={list.setFilters} />
      {list.loaded.state === 'loading' && <Loading />}
      {list.loaded.state === 'error' && <ErrorNotice error={list.loaded.error} onRetry={list.loaded.reload} />}
      {list.loaded.state === 'ready' && (
        <DataTable
          caption={t('auditCaption')}
          rows={list.loaded.data.items}
          rowKey={(e) => String(e.id)}
          empty={t('auditEmpty')}
          pager={list.pager}
          columns={[
            { key: 'at', header: t('colWhen'), render: (e) => formatDateTime(e.at) },
            { key: 'actor', header: t('colWho'), render: (e) => e.actor },
            { key: 'action', header: t('colAction'), render: (e) => <span className="admin-mono">{e.action}</span> },
            { key: 'subject', header: t('colSubject'), render: (e) => `${e.subjectType}${e.subjectId ? ` ${e.subjectId}` : ''}` },
            { key: 'reason', header: t('colReason'), render: (e) => e.reason ?? '—' },
            { key: 'change', header: t('colChange'), render: (e) => <Change before={e.before} after={e.after} /> },
          ]}
        />
      )}
    </AdminPage>
  );
}

function Change({ before, after }: { before: unknown; after: unknown }) {
  const { t } = useAdminText();
  if (before == null && after == null) return <>—</>;
  return (
    <details>
      <summary>{t('showChange')}</summary>
      {before != null && <><p className="admin-hint">{t('before')}</p><pre className="admin-json">{JSON.stringify(before, null, 1)}</pre></>}
      {after != null && <><p className="admin-hint">{t('after')}</p><pre className="admin-json">{JSON.stringify(after, null, 1)}</pre></>}
    </details>
  );
}

function AuditFilters({ filters, onApply }: { filters: Record<string, string>; onApply: (filters: Record<string, string>) => void }) {
  const { t } = useAdminText();
  const [draft, setDraft] = useState<Record<string, string>>(filters);
  const labels: Record<(typeof FILTERS)[number], string> = {
    action: t('colAction'), actor: t('colWho'), subjectType: t('fieldSubjectType'), subjectId: t('fieldSubjectId'), from: t('fieldFrom'), to: t('fieldTo'),
  };
  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const next: Record<string, string> = {};
    for (const key of FILTERS) {
      const v = (draft[key] ?? '').trim();
      // Dates are days; the API takes ISO times (from inclusive, to exclusive: the day after).
      if (v && (key === 'from' || key === 'to')) {
        const day = new Date(`${v.slice(0, 10)}T00:00:00Z`);
        if (!Number.isNaN(day.getTime())) next[key] = new Date(day.getTime() + (key === 'to' ? 86_400_000 : 0)).toISOString();
      } else if (v) next[key] = v;
    }
    onApply(next);
  }
  return (
    <form className="admin-filters" onSubmit={onSubmit} aria-label={t('filtersLabel')}>
      {FILTERS.map((key) => (
        <div className="admin-field admin-field--inline" key={key}>
          <label htmlFor={`audit-${key}`}>{labels[key]}</label>
          <input
            id={`audit-${key}`}
            type={key === 'from' || key === 'to' ? 'date' : 'text'}
            value={key === 'from' || key === 'to' ? (draft[key] ?? '').slice(0, 10) : (draft[key] ?? '')}
            onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
          />
        </div>
      ))}
      <button type="submit" className="admin-button admin-button--secondary">{t('applyFilters')}</button>
    </form>
  );
}
