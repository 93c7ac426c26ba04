import type { Operation } from '@langchain/langgraph';
import { invalidInput } from '../errors.ts';

/** A store namespace's limits: what both backends can keep and find again exactly. */
export const NAMESPACE_MAX_LABELS = 32;
export const NAMESPACE_MAX_LABEL_CHARS = 256;
export const STORE_KEY_MAX_CHARS = 1024;

/**
 * Why a namespace cannot be stored, or null when it can. Labels are joined with `.` in
 * the API and with `:` inside the stores, so neither may appear in one; control
 * characters (NUL above all, which PostgreSQL text cannot hold) are refused too. `*` is
 * LangGraph's own rules (its stores refuse the same, and a root label "langgraph").
 */
export function namespaceProblem(namespace: unknown, options: { allowEmpty?: boolean } = {}): string | null {
  if (!Array.isArray(namespace)) return 'a namespace is a list of labels';
  if (namespace.length === 0 && !options.allowEmpty) return 'a namespace needs at least one label';
  if (namespace.length > NAMESPACE_MAX_LABELS) return `a namespace has at most ${NAMESPACE_MAX_LABELS} labels`;
  for (const label of namespace) {
    if (typeof label !== 'string') return 'namespace labels are strings';
    if (label === '') return 'namespace labels cannot be empty';
    if (label.length > NAMESPACE_MAX_LABEL_CHARS) return `namespace labels have at most ${NAMESPACE_MAX_LABEL_CHARS} characters`;
    if (/[.:]/.test(label)) return 'namespace labels cannot contain "." or ":"';
    if (/[\u0000-\u001f\u007f]/.test(label)) return 'namespace labels cannot contain control characters';
  }
  if (namespace[0] === 'langgraph') return 'the root label "langgraph" is reserved';
  return null;
}

/** Why an item key cannot be stored, or null. */
export function storeKeyProblem(key: unknown): string | null {
  if (typeof key !== 'string' || key === '') return 'a key is a non-empty string';
  if (key.length > STORE_KEY_MAX_CHARS) return `a key has at most ${STORE_KEY_MAX_CHARS} characters`;
  if (/[\u0000-\u001f\u007f]/.test(key)) return 'a key cannot contain control characters';
  return null;
}

/** Checks every operation of a store batch before any of it is done: one bad operation changes nothing. */
export function checkStoreOperations(operations: readonly Operation[]): void {
  for (const op of operations) {
    let problem: string | null = null;
    if ('namespacePrefix' in op) problem = namespaceProblem(op.namespacePrefix, { allowEmpty: true });
    else if ('matchConditions' in op) {
      for (const condition of op.matchConditions ?? []) problem ??= namespaceProblem(condition.path, { allowEmpty: true });
    } else if ('namespace' in op) problem = namespaceProblem(op.namespace) ?? storeKeyProblem(op.key);
    if (problem) throw invalidInput(problem, { field: 'namespace' in op ? 'namespace' : 'namespace_prefix' });
  }
}
