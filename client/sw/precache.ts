// What the service worker stores at install (decision 023): the respondent page's files only, read
// from Vite's build manifest — the HTML shell, the entry with its static imports and CSS, and the
// respondent chunk (client/respond/respond-page.tsx) with all it imports (the survey code) and CSS. The dashboard
// (Observable Plot) and the console are left out: a respondent on metered data must not download
// them, and pages outside /s/ are not controlled by the worker anyway. Runs at build time (vite.config.ts).

export interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}

/** The chunk key of the respondent page in Vite's manifest (paths are relative to client/). */
export const RESPOND_CHUNK = 'respond/respond-page.tsx';
/** The worker's registration, loaded lazily by the entry on respondent pages (client/main.tsx). */
export const REGISTER_CHUNK = 'sw/register.ts';

/**
 * The files (relative to the build folder, e.g. "assets/index-Ab12Cd34.js") the respondent page
 * needs: `index.html`, the entry and what it imports statically, the respondent chunk and
 * everything it imports, statically or lazily (the survey code), and their CSS. The entry's other
 * lazy imports (the dashboard, the console) are left out, unless the respondent page shares them
 * (the session loader that client/main.tsx starts early). Throws when the manifest has no entry or no respondent chunk (a
 * renamed file would otherwise silently ship a worker that caches nothing useful).
 */
export function respondentFiles(manifest: Record<string, ManifestChunk>): string[] {
  const entry = Object.keys(manifest).find((k) => manifest[k].isEntry);
  if (!entry) throw new Error('The Vite manifest has no entry chunk: is build.manifest on?');
  if (!manifest[RESPOND_CHUNK]) throw new Error(`The Vite manifest has no ${RESPOND_CHUNK}: the service worker would not precache the survey code.`);
  const files = new Set<string>(['index.html']);
  const seen = new Set<string>();
  // `lazyToo`: follow dynamic imports as well (the respondent page's own lazy parts: the survey code),
  // not the entry's (those are the other audiences' pages).
  const visit = (key: string, lazyToo: boolean) => {
    if (seen.has(key)) return;
    const chunk = manifest[key];
    if (!chunk) throw new Error(`${key} is imported but not in the Vite manifest`);
    seen.add(key);
    files.add(chunk.file);
    for (const css of chunk.css ?? []) files.add(css);
    for (const dep of chunk.imports ?? []) visit(dep, lazyToo);
    if (lazyToo) for (const dep of chunk.dynamicImports ?? []) visit(dep, true);
  };
  visit(entry, false);
  visit(RESPOND_CHUNK, true);
  if (manifest[REGISTER_CHUNK]) visit(REGISTER_CHUNK, false);
  return [...files].sort();
}
