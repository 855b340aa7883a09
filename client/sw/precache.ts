// What the service worker stores at install (decision 023): the respondent page's files only, read
// from Vite's build manifest — the HTML shell, the entry with its static imports and CSS, and the
// respondent chunk (client/respond/respond-page.tsx) with its static imports and CSS. The dashboard
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

/**
 * The files (relative to the build folder, e.g. "assets/index-Ab12Cd34.js") the respondent page
 * needs before its first question: `index.html`, the entry, the respondent chunk, what they import
 * statically, and their CSS. Throws when the manifest has no entry or no respondent chunk (a
 * renamed file would otherwise silently ship a worker that caches nothing useful).
 */
export function respondentFiles(manifest: Record<string, ManifestChunk>): string[] {
  const entry = Object.keys(manifest).find((k) => manifest[k].isEntry);
  if (!entry) throw new Error('The Vite manifest has no entry chunk: is build.manifest on?');
  if (!manifest[RESPOND_CHUNK]) throw new Error(`The Vite manifest has no ${RESPOND_CHUNK}: the service worker would not precache the survey code.`);
  const files = new Set<string>(['index.html']);
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    const chunk = manifest[key];
    if (!chunk) throw new Error(`${key} is imported but not in the Vite manifest`);
    seen.add(key);
    files.add(chunk.file);
    for (const css of chunk.css ?? []) files.add(css);
    for (const dep of chunk.imports ?? []) visit(dep);
  };
  visit(entry);
  visit(RESPOND_CHUNK);
  return [...files].sort();
}
