// Reads ../shared/data/school/school.csv (see shared/data/README.md: header task,y,x1..x28; 0-based
// task ids; no quoting, no missing values) into a Problem. Used only when the file exists.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Matrix } from '../../../src/linalg/matrix.ts';
import { problemFromTasks } from '../../../src/linear/problem.ts';
import type { Problem, Scaling, TaskProblem } from '../../../src/linear/types.ts';

export const SCHOOL_CSV = resolve(process.cwd(), '../shared/data/school/school.csv');
export const haveSchool = existsSync(SCHOOL_CSV);

export function loadSchool(opts: { scale: Scaling; intercept: boolean }): Problem {
  const lines = readFileSync(SCHOOL_CSV, 'utf8').trim().split('\n');
  const header = lines[0]!.split(',');
  const d = header.length - 2;
  const rows = new Map<number, number[][]>();
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.split(',').map(Number);
    const t = f[0]!;
    if (!rows.has(t)) rows.set(t, []);
    rows.get(t)!.push(f);
  }
  const tasks: TaskProblem[] = [...rows.keys()].sort((a, b) => a - b).map((t) => {
    const r = rows.get(t)!;
    const X = Matrix.zeros(r.length, d);
    const y = new Float64Array(r.length);
    r.forEach((f, i) => {
      y[i] = f[1]!;
      for (let j = 0; j < d; j++) X.data[i * d + j] = f[2 + j]!;
    });
    return { name: `school${t}`, X, y };
  });
  return problemFromTasks(tasks, { loss: 'squared', scale: opts.scale, intercept: opts.intercept, source: SCHOOL_CSV });
}
