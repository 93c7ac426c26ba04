import type { z } from 'zod';
import { formatKeyPath } from '../../config/key-path.ts';
import { invalidInput } from '../../errors.ts';

export interface FieldProblem {
  field: string;
  message: string;
}

/** Every problem of a value against a schema, each with its field and reason; none when it fits. */
export function problemsOf(issues: readonly z.core.$ZodIssue[], prefix = ''): FieldProblem[] {
  return issues.map((issue) => describe(issue, prefix ? [prefix] : []));
}

/**
 * Checks a request against its schema before anything is stored: a bad request changes
 * nothing, and is refused as `invalid_input` naming the first field at fault (all of
 * them in `details.problems`).
 */
export function parseRequest<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = problemsOf(parsed.error.issues);
  const summary = problems.map((problem) => (problem.field ? `${problem.field}: ${problem.message}` : problem.message)).join('; ');
  throw invalidInput(summary, { field: problems[0]?.field ?? '', problems });
}

function describe(issue: z.core.$ZodIssue, base: PropertyKey[]): FieldProblem {
  const path = [...base, ...issue.path];
  if (issue.code === 'unrecognized_keys') {
    const at = formatKeyPath(path);
    return { field: issue.keys.map((key) => (at ? `${at}.${key}` : key)).join(', '), message: 'not a field this server accepts' };
  }
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // "Invalid input" says little: report the alternative that got furthest, at its own path.
    const deepest = issue.errors
      .map((branch) => branch.map((inner) => describe(inner, path)))
      .sort((a, b) => Math.max(...b.map((p) => p.field.length)) - Math.max(...a.map((p) => p.field.length)))[0];
    if (deepest && deepest.length > 0) return deepest[0]!;
  }
  return { field: formatKeyPath(path), message: issue.message };
}
