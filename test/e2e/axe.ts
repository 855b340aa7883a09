// axe-core in a real page: the accessibility check every screen's end-to-end test runs (WCAG 2.1 A
// and AA rules; serious and critical violations fail the test).
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from '../helpers/app';

const AXE = path.join(REPO_ROOT, 'node_modules/axe-core/axe.min.js');

interface AxeRun { violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }

/** Serious and critical axe-core violations on the page as it is now, as `rule (impact): nodes`. */
export async function axeProblems(page: Page): Promise<string[]> {
  // Evaluated, not added as a <script>: the server's Content-Security-Policy refuses inline scripts
  // (and a test may open the page without bypassing it).
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(fs.readFileSync(AXE, 'utf8'));
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<AxeRun> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 5).join(' | ')}`);
}
