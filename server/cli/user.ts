// `kelisim user create --email E --role admin|researcher|viewer` and `kelisim user reset-password
// --email E`: console accounts from the command line (the first admin has no other way in). Both
// print a one-time password, which must be changed at the first sign-in (server/auth/service.ts).
import { ROLES, type Role } from '../../contract/admin-api';
import { cliActor } from '../audit/service';
import { createUser, findUserByEmail, resetPassword } from '../auth/service';
import { UsageError } from './database-command';
import { parseOptions, runDomainCommand, withConfiguredStore } from './domain-command';

const USAGE = 'usage: npm run -s kelisim -- user create --email E --role admin|researcher|viewer | user reset-password --email E';

export async function run(argv: string[]): Promise<number> {
  return runDomainCommand('user', async () => {
    const { values, positionals } = parseOptions(argv, { email: { type: 'string' }, role: { type: 'string' } }, USAGE);
    const [sub] = positionals;
    if (positionals.length !== 1 || (sub !== 'create' && sub !== 'reset-password')) throw new UsageError(USAGE);
    const email = values.email?.trim().toLowerCase();
    if (!email || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new UsageError(`--email "${values.email ?? ''}" must be an e-mail address like name@example.kz. ${USAGE}`);
    await withConfiguredStore(async (store) => {
      if (sub === 'create') {
        const role = values.role as Role | undefined;
        if (!role || !(ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}, got "${values.role ?? ''}". ${USAGE}`);
        const { user, oneTimePassword } = await createUser(store, email, role, cliActor());
        process.stdout.write(`created ${user.role} account ${user.id} for ${user.email}\none-time password (shown once; it must be changed at the first sign-in at /admin): ${oneTimePassword}\n`);
      } else {
        const user = await findUserByEmail(store.sql, email);
        if (!user) throw new UsageError(`there is no account for ${email}; create one with: kelisim user create --email ${email} --role viewer`);
        const { oneTimePassword } = await resetPassword(store, user.id, cliActor());
        process.stdout.write(`reset the password of ${user.email} (account ${user.id}); its sessions are ended\none-time password (shown once; it must be changed at the next sign-in): ${oneTimePassword}\n`);
      }
    });
  });
}
