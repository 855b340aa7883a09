// The signed-in account's own password: required at the first sign-in (a one-time password from
// `kelisim user create` or an admin's reset), and available from the navigation later.
import { useState, type FormEvent } from 'react';
import { changePasswordBody, PASSWORD_MIN_LENGTH, type ChangePasswordBody } from '../../contract/admin-api';
import { useAdminText } from './admin-text';
import { changePassword } from './endpoints';
import { useSubmit } from './forms';
import { AdminPage, ErrorNotice, Field, fieldAria, problemFor, StatusLine } from './ui';

export function PasswordPage({ firstLogin, onChanged }: { firstLogin: boolean; onChanged: () => void }) {
  const text = useAdminText();
  const { t } = text;
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [done, setDone] = useState(false);
  const { submit, run, problems } = useSubmit(text);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setMismatch(false);
    if (newPassword !== repeat) {
      setMismatch(true);
      return;
    }
    const user = await run<ChangePasswordBody, unknown>(changePasswordBody, { currentPassword, newPassword }, changePassword);
    if (user) {
      setDone(true);
      onChanged();
    }
  }

  const currentProblem = problemFor(problems, 'currentPassword');
  const newProblem = problemFor(problems, 'newPassword');
  const repeatProblem = mismatch ? t('passwordsDiffer') : undefined;
  return (
    <AdminPage title={firstLogin ? t('firstLoginTitle') : t('changePassword')}>
      <form className="admin-form admin-form--narrow" onSubmit={onSubmit} noValidate>
        {firstLogin && <p>{t('firstLoginLead')}</p>}
        <Field id="pw-current" label={firstLogin ? t('fieldOneTimePassword') : t('fieldCurrentPassword')} problem={currentProblem}>
          <input id="pw-current" type="password" autoComplete="current-password" value={currentPassword} onChange={(e) => setCurrent(e.target.value)} {...fieldAria('pw-current', false, currentProblem)} />
        </Field>
        <Field id="pw-new" label={t('fieldNewPassword')} hint={t('passwordRule', { n: PASSWORD_MIN_LENGTH })} problem={newProblem}>
          <input id="pw-new" type="password" autoComplete="new-password" value={newPassword} onChange={(e) => setNew(e.target.value)} {...fieldAria('pw-new', true, newProblem)} />
        </Field>
        <Field id="pw-repeat" label={t('fieldRepeatPassword')} problem={repeatProblem}>
          <input id="pw-repeat" type="password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} {...fieldAria('pw-repeat', false, repeatProblem)} />
        </Field>
        {submit.state === 'failed' && <ErrorNotice error={submit.error} />}
        {done && <StatusLine>{t('passwordChanged')}</StatusLine>}
        <button type="submit" className="admin-button" disabled={submit.state === 'sending'}>
          {t('savePassword')}
        </button>
      </form>
    </AdminPage>
  );
}
