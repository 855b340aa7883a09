// A server-paginated table: the rows of one page, a caption, "previous"/"next" by keyset cursor
// (the server says which exist), and nothing else in memory. On a phone the table scrolls sideways
// inside its own focusable region, so the page itself never does.
import type { ReactNode } from 'react';
import { useAdminText } from './admin-text';

export interface Column<Row> {
  key: string;
  header: string;
  render: (row: Row) => ReactNode;
  /** Right-aligned numbers. */
  numeric?: boolean;
}

export function DataTable<Row>({
  caption,
  columns,
  rows,
  rowKey,
  empty,
  pager,
}: {
  caption: string;
  columns: Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  empty?: string;
  pager?: { onPrevious: (() => void) | null; onNext: (() => void) | null };
}) {
  const { t } = useAdminText();
  return (
    <>
      <div className="admin-table-wrap" role="region" aria-label={caption} tabIndex={0}>
        <table className="admin-table">
          <caption>{caption}</caption>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.key} scope="col" className={c.numeric ? 'num' : undefined}>
                  {c.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={columns.length}>{empty ?? t('tableEmpty')}</td>
              </tr>
            ) : (
              rows.map((row) => (
                <tr key={rowKey(row)}>
                  {columns.map((c) => (
                    <td key={c.key} className={c.numeric ? 'num' : undefined}>
                      {c.render(row)}
                    </td>
                  ))}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      {pager && (pager.onPrevious || pager.onNext) && (
        <nav className="admin-pager" aria-label={t('pagerLabel', { what: caption })}>
          <button type="button" className="admin-button admin-button--secondary" disabled={!pager.onPrevious} onClick={pager.onPrevious ?? undefined}>
            {t('pagerPrevious')}
          </button>
          <button type="button" className="admin-button admin-button--secondary" disabled={!pager.onNext} onClick={pager.onNext ?? undefined}>
            {t('pagerNext')}
          </button>
        </nav>
      )}
    </>
  );
}
