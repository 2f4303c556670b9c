// School as a Problem with a chosen scaling and intercept, for the model tests that need more than
// MALSAR's convention (the loader itself is loadSchoolTasks in ../helpers.ts). Used only when the file
// exists (see shared/data/README.md: header task,y,x1..x28; 0-based task ids).
import { problemFromTasks } from '../../../src/linear/problem.ts';
import type { Problem, Scaling } from '../../../src/linear/types.ts';
import { SCHOOL, hasSchool, loadSchoolTasks } from '../helpers.ts';

export const SCHOOL_CSV = SCHOOL;
export const haveSchool = hasSchool;

export function loadSchool(opts: { scale: Scaling; intercept: boolean }): Problem {
  return problemFromTasks(loadSchoolTasks(), { loss: 'squared', scale: opts.scale, intercept: opts.intercept, source: SCHOOL_CSV });
}
