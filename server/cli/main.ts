// The `kelisim` command line: `npm run -s kelisim -- <command> [options]`.
// Each command lives in its own module and exports `run(argv): Promise<number>` (the exit code).
// A command's failure is one line on stderr naming what was wrong, never a stack trace.

type Command = { summary: string; load: () => Promise<{ run: (argv: string[]) => Promise<number> }> };

const commands: Record<string, Command> = {
  analyze: { summary: 'weight a sample and estimate the indicators (prints JSON)', load: () => import('./analyze') },
  invite: { summary: 'create single-use invitation links for a wave (CSV)', load: () => import('./invite') },
  wave: { summary: 'list, open or close fieldwork waves', load: () => import('./wave') },
  backup: { summary: 'copy the database while the server runs (--out FILE)', load: () => import('./backup') },
  restore: { summary: 'replace the database with a checked backup (--from FILE)', load: () => import('./restore') },
  frame: { summary: 'import or list population frames (margins to weight to)', load: () => import('./frame') },
  estimate: { summary: 'compute an estimate run of a wave against a frame (prints JSON)', load: () => import('./estimate') },
  run: { summary: 'show or verify a stored estimate run', load: () => import('./run') },
  publish: { summary: 'publish an estimate run for its period', load: () => import('./publish') },
  withdraw: { summary: 'withdraw a published estimate run, with a reason', load: () => import('./withdraw') },
  responses: { summary: 'import field interviews (CSV) into a wave', load: () => import('./responses') },
  export: { summary: 'export a wave\'s microdata with its codebook (CSV, XLSX, SPSS .sav)', load: () => import('./export') },
  quota: { summary: 'set a wave\'s quotas from a CSV (region × sex × age band) or show their fill', load: () => import('./quota') },
  user: { summary: 'create a console account or reset its password (prints a one-time password)', load: () => import('./user') },
  db: { summary: 'copy the SQLite database into an empty PostgreSQL one, verified (db copy --to postgres://…)', load: () => import('./db') },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return ['usage: npm run -s kelisim -- <command> [options]', '', 'commands:', ...lines].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`kelisim: unknown command "${name}"\n${usage()}\n`);
    return 2;
  }
  const mod = await command.load();
  return mod.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    process.stderr.write(`kelisim: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
