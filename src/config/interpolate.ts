import { formatKeyPath } from './key-path.ts';

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string of the config with values
 * from the environment, so secrets stay out of the file. A reference to an unset
 * variable without a default is reported at its key.
 */
export function interpolateEnv(value: unknown, env: Record<string, string | undefined>, problem: (key: string, message: string) => void, path: PropertyKey[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(REFERENCE, (_match, name: string, fallback: string | undefined) => {
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      problem(formatKeyPath(path), `environment variable ${name} is not set`);
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolateEnv(item, env, problem, [...path, index]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateEnv(item, env, problem, [...path, key])]));
  }
  return value;
}
