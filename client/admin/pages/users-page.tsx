// Accounts (admins only): create one (its one-time password is shown once, to hand over), change a
// role, disable or enable, and reset a password. The server refuses to leave no active admin.
import { useState, type FormEvent } from 'react';
import { createUserBody, ROLES, type CreateUserBody, type OneTimePasswordBody, type Role, type User } from '../../../contract/admin-api';
import { formatDateTime, useAdminText } from '../admin-text';
import { DataTable } from '../data-table';
import { createUser, listUsers, resetPassword, updateUser } from '../endpoints';
import { useSubmit } from '../forms';
import { useSession } from '../session';
import { AdminPage, ErrorNotice, Field, fieldAria, Loading, problemFor } from '../ui';
import { useQuery } from '../use-query';

export function UsersPage() {
  const text = useAdminText();
  const { t } = text;
  const { user: me } = useSession();
  const users = useQuery('users', listUsers);
  const [secret, setSecret] = useState<OneTimePasswordBody | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);

  async function act(fn: () => Promise<unknown>) {
    setActionError(null);
    try {
      const result = await fn();
      if (result && typeof result === 'object' && 'oneTimePassword' in result) setSecret(result as OneTimePasswordBody);
      users.reload();
    } catch (error) {
      setActionError(error);
    }
  }

  return (
    <AdminPage title={t('usersTitle')}>
      {secret && (
        <div className="admin-secret" role="alert">
          <p>{t('oneTimePasswordFor', { email: secret.user.email })}</p>
          <p className="admin-mono admin-secret__value">{secret.oneTimePassword}</p>
          <p>{t('oneTimePasswordWarning')}</p>
          <button type="button" className="admin-button admin-button--secondary" onClick={() => setSecret(null)}>{t('done')}</button>
        </div>
      )}
      {actionError !== null && <ErrorNotice error={actionError} />}
      {users.state === 'loading' && <Loading />}
      {users.state === 'error' && <ErrorNotice error={users.error} onRetry={users.reload} />}
      {users.state === 'ready' && (
        <DataTable
          caption={t('usersCaption')}
          rows={users.data.items}
          rowKey={(u) => String(u.id)}
          columns={[
            { key: 'email', header: t('fieldEmail'), render: (u) => <>{u.email}{u.id === me.id && <span className="admin-hint"> ({t('you')})</span>}</> },
            { key: 'role', header: t('colRole'), render: (u) => <RoleSelect user={u} onChange={(role) => act(() => updateUser(u.id, { role }))} /> },
            { key: 'state', header: t('colStatus'), render: (u) => (u.disabled ? t('userDisabled') : u.mustChangePassword ? t('userMustChange') : t('userActive')) },
            { key: 'last', header: t('colLastLogin'), render: (u) => formatDateTime(u.lastLoginAt) },
            { key: 'actions', header: t('colActions'), render: (u) => (
              <span className="admin-row-actions">
                <button type="button" className="admin-button admin-button--secondary admin-button--small" onClick={() => act(() => updateUser(u.id, { disabled: !u.disabled }))}>
                  {u.disabled ? t('enableUser') : t('disableUser')}
                  <span className="visually-hidden"> {u.email}</span>
                </button>{' '}
                <button type="button" className="admin-button admin-button--secondary admin-button--small" onClick={() => act(() => resetPassword(u.id))}>
                  {t('resetPassword')}
                  <span className="visually-hidden"> {u.email}</span>
                </button>
              </span>
            ) },
          ]}
        />
      )}
      <CreateUser onCreated={(result) => { setSecret(result); users.reload(); }} />
    </AdminPage>
  );
}

function RoleSelect({ user, onChange }: { user: User; onChange: (role: Role) => void }) {
  const { t } = useAdminText();
  return (
    <select aria-label={t('roleOf', { email: user.email })} value={user.role} onChange={(e) => onChange(e.target.value as Role)}>
      {ROLES.map((r) => <option key={r} value={r}>{t(`role_${r}`)}</option>)}
    </select>
  );
}

function CreateUser({ onCreated }: { onCreated: (result: OneTimePasswordBody) => void }) {
  const text = useAdminText();
  const { t } = text;
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('researcher');
  const { submit, run, problems } = useSubmit(text);
  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const result = await run<CreateUserBody, OneTimePasswordBody>(createUserBody, { email, role }, createUser);
    if (result) {
      setEmail('');
      onCreated(result);
    }
  }
  const problem = problemFor(problems, 'email');
  return (
    <form className="admin-form admin-card" onSubmit={onSubmit} noValidate aria-labelledby="new-user-title">
      <h2 id="new-user-title">{t('createUserTitle')}</h2>
      <Field id="new-email" label={t('fieldEmail')} problem={problem}>
        <input id="new-email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} {...fieldAria('new-email', false, problem)} />
      </Field>
      <div className="admin-field">
        <label htmlFor="new-role">{t('colRole')}</label>
        <select id="new-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {ROLES.map((r) => <option key={r} value={r}>{t(`role_${r}`)}</option>)}
        </select>
      </div>
      {submit.state === 'failed' && <ErrorNotice error={submit.error} problems={problems} />}
      <button type="submit" className="admin-button" disabled={submit.state === 'sending'}>{t('createUser')}</button>
    </form>
  );
}
