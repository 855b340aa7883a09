import type { ProgressCategory, TargetStatus } from './api';

// Status is said in words AND by shape, never by colour alone (WCAG 1.4.1): a filled check,
// a check in a dashed ring, a dash in a dashed ring, a filled downward triangle. The icons are
// decoration next to the words (aria-hidden); the words carry the meaning.
const STATUS_PATHS: Record<TargetStatus, { ring: 'solid' | 'dashed'; path: string; filled: boolean }> = {
  achieved: { ring: 'solid', path: 'M6.5 12.5l3.5 3.5 7.5-8', filled: true },
  achieved_not_significant: { ring: 'dashed', path: 'M6.5 12.5l3.5 3.5 7.5-8', filled: false },
  below_target_not_significant: { ring: 'dashed', path: 'M7 12h10', filled: false },
  below_target: { ring: 'solid', path: 'M7 9h10l-5 8z', filled: true },
};

export function StatusIcon({ status }: { status: TargetStatus }) {
  const s = STATUS_PATHS[status];
  return (
    <svg className={`status-icon status-icon--${status}`} viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
      <circle cx="12" cy="12" r="10" fill={s.filled ? 'currentColor' : 'none'} stroke="currentColor" strokeWidth="2" strokeDasharray={s.ring === 'dashed' ? '3 2.5' : undefined} />
      <path d={s.path} fill={status === 'below_target' ? '#fff' : 'none'} stroke={s.filled ? '#fff' : 'currentColor'} strokeWidth="2.4" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

// Progress: an arrow whose angle says the direction (up-right on track … down away), a check when achieved.
const PROGRESS_ROTATION: Record<Exclude<ProgressCategory, 'target_achieved'>, number> = {
  on_track: -45,
  moderate_progress: -20,
  insufficient_progress: 0,
  moving_away: 45,
};

export function ProgressIcon({ category }: { category: ProgressCategory }) {
  if (category === 'target_achieved') {
    return (
      <svg className="progress-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
        <path d="M5 12.5l4.5 4.5 9.5-10" fill="none" stroke="currentColor" strokeWidth="2.6" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
    );
  }
  return (
    <svg className="progress-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <g transform={`rotate(${PROGRESS_ROTATION[category]} 12 12)`}>
        <path d="M3 12h16M13 6l6 6-6 6" fill="none" stroke="currentColor" strokeWidth="2.6" strokeLinecap="round" strokeLinejoin="round" />
      </g>
    </svg>
  );
}
