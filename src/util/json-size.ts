/**
 * About how many bytes `value` takes as JSON: the measure of memory budgets (what a value
 * becomes on the wire or on disk). A value that is not JSON (a cycle, a BigInt) is counted
 * at a guess rather than refused: a budget is no place to fail a run.
 */
export function jsonSize(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? 4;
  } catch {
    return UNMEASURABLE_BYTES;
  }
}

const UNMEASURABLE_BYTES = 1024;
