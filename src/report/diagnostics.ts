// What the fits of a comparison did, in words, for the table, the verdict's notes and the report:
// unconverged fits, failed fits and units, and CV grid-edge warnings (issue 9: "nothing hidden").
// Pure: a ComparisonResult in, strings out. Results saved before these fields existed show "–".
import type { ComparisonResult, ModelComparison } from '../eval/types.ts';

/** "3/204": unconverged of all fits (CV fits and refits), or "–" when not recorded. */
export function unconvergedCell(m: ModelComparison): string {
  const f = m.fits as ModelComparison['fits'] | undefined;
  return f ? `${f.unconverged}/${f.total}` : '–';
}

/** "0", "2 fits", "1 unit, 2 fits": failed (split, model) units and failed single fits. */
export function failedCell(m: ModelComparison): string {
  const f = m.fits as ModelComparison['fits'] | undefined;
  if (!f) return '–';
  const units = m.units_failed ?? 0;
  const fits = f.failed;
  if (units === 0 && fits === 0) return '0';
  return [units > 0 ? `${units} unit${units === 1 ? '' : 's'}` : '', fits > 0 ? `${fits} fit${fits === 1 ? '' : 's'}` : ''].filter(Boolean).join(', ');
}

function sci(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toExponential(1);
}

/** One line per model with anything to report; empty when every fit converged and none failed. */
export function diagnosticLines(r: ComparisonResult): string[] {
  const lines: string[] = [];
  for (const m of r.models) {
    const f = m.fits as ModelComparison['fits'] | undefined;
    if (!f) continue;
    const parts: string[] = [];
    if (f.unconverged > 0) {
      const refits = (m.unconverged ?? []).filter((u) => u.fold === null).length;
      parts.push(
        `${f.unconverged} of ${f.total} fits stopped at the iteration cap without converging (worst optimality ${sci(f.worst_optimality)}` +
          `${refits > 0 ? `; ${refits} of them final refits whose test scores are reported` : ''}); raise --max-iter or loosen --tol`,
      );
    }
    const units = m.units_failed ?? 0;
    if (units > 0 || f.failed > 0) {
      const first = (m.failures ?? [])[0];
      parts.push(
        `${units > 0 ? `${units} of ${r.protocol.splits} splits failed as a whole (left out of its averages)` : ''}${units > 0 && f.failed > 0 ? ' and ' : ''}` +
          `${f.failed > 0 ? `${f.failed} fits failed` : ''}` +
          (first ? ` — first: split ${first.split}${first.fold !== null ? `, fold ${first.fold}` : ''} (${first.stage}): ${first.message}` : ''),
      );
    }
    const warnings = m.cv_warnings ?? [];
    if (warnings.length > 0) parts.push(`CV optimum on a grid edge on ${new Set(warnings.map((w) => w.split)).size} of ${r.protocol.splits} splits (e.g. split ${warnings[0]!.split}: ${warnings[0]!.warning})`);
    if (parts.length > 0) lines.push(`${m.name}: ${parts.join('; ')}.`);
  }
  return lines;
}
