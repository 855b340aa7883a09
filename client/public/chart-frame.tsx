import { useId, useState, type ReactNode } from 'react';
import { usePublicText } from './use-public-text';

/**
 * Every chart's frame: its heading, a "Table" toggle that swaps the chart for an HTML table of the
 * same numbers, and "Download CSV" from the API's CSV form. Printing shows both chart and table.
 */
export function ChartFrame({
  title,
  headingLevel = 3,
  csvHref,
  csvName,
  chart,
  table,
  notes,
}: {
  title: string;
  headingLevel?: 2 | 3;
  csvHref: string;
  csvName: string;
  chart: ReactNode;
  table: ReactNode;
  notes?: ReactNode;
}) {
  const { t } = usePublicText();
  const [showTable, setShowTable] = useState(false);
  const id = useId();
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <figure className="chart-frame" aria-labelledby={`${id}-title`}>
      <div className="chart-frame__bar">
        <Heading id={`${id}-title`} className="chart-frame__title">
          {title}
        </Heading>
        <div className="chart-frame__actions">
          <button type="button" className="toggle" aria-pressed={showTable} onClick={() => setShowTable((v) => !v)}>
            {t('showTable')}
          </button>
          <a className="download" href={csvHref} download={csvName}>
            {t('downloadCsv')}
          </a>
        </div>
      </div>
      <div className={showTable ? 'chart-frame__chart chart-frame__chart--hidden' : 'chart-frame__chart'}>{chart}</div>
      <div className={showTable ? 'chart-frame__table' : 'chart-frame__table chart-frame__table--hidden'}>{table}</div>
      {notes}
    </figure>
  );
}
