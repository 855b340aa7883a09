// Sign-in: e-mail and password (and the six-digit code when the server asks for one). The same
// words for a wrong password and an unknown account, as the server answers.
import { useState, type FormEvent } from 'react';
import { loginBody, type LoginBody } from '../../contract/admin-api';
import { useAdminText } from './admin-text';
import { signIn } from './endpoints';
import { useSubmit } from './forms';
import { ApiError } from './api';
import { AdminPage, ErrorNotice, Field, fieldAria, problemFor } from './ui';

export function LoginPage({ onSignedIn }: { onSignedIn: () => void }) {
  const text = useAdminText();
  const { t } = text;
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const { submit, run, problems } = useSubmit(text);
  const askTotp = totp !== '' || (submit.state === 'failed' && submit.error instanceof ApiError && (submit.error.code === 'totp_required' || submit.error.code === 'invalid_totp'));

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const body = { email, password, ...(totp ? { totp } : {}) };
    const user = await run<LoginBody, unknown>(loginBody, body, signIn);
    if (user) onSignedIn();
  }

  const emailProblem = problemFor(problems, 'email');
  const passwordProblem = problemFor(problems, 'password');
  return (
    <AdminPage title={t('loginTitle')}>
      <form className="admin-form admin-form--narrow" onSubmit={onSubmit} noValidate>
        <p>{t('loginLead')}</p>
        <Field id="login-email" label={t('fieldEmail')} problem={emailProblem}>
          <input id="login-email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} {...fieldAria('login-email', false, emailProblem)} />
        </Field>
        <Field id="login-password" label={t('fieldPassword')} problem={passwordProblem}>
          <input id="login-password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} {...fieldAria('login-password', false, passwordProblem)} />
        </Field>
        {askTotp && (
          <Field id="login-totp" label={t('fieldTotp')} hint={t('fieldTotpHint')} problem={problemFor(problems, 'totp')}>
            <input id="login-totp" inputMode="numeric" autoComplete="one-time-code" value={totp} onChange={(e) => setTotp(e.target.value.trim())} {...fieldAria('login-totp', true, problemFor(problems, 'totp'))} />
          </Field>
        )}
        {submit.state === 'failed' && <ErrorNotice error={submit.error} />}
        <button type="submit" className="admin-button" disabled={submit.state === 'sending'}>
          {submit.state === 'sending' ? t('signingIn') : t('signIn')}
        </button>
      </form>
    </AdminPage>
  );
}
