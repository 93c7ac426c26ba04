import { existsSync } from 'node:fs';

/**
 * langgraph.json's `http.apps`: more of the project's own Hono apps, each served under a path
 * prefix (`{"/dashboard": "./dashboard.ts:app"}`), as the Platform serves them. A prefix is a
 * plain path: a leading `/` is added when missing (as the Platform does) and a trailing one
 * dropped, so `dashboard`, `/dashboard` and `/dashboard/` name the same mount. Route patterns
 * (`:id`, `*`) and the root itself are refused: `http.app` is the app served at the root.
 */
export function resolveHttpApps(
  apps: Record<string, string> | undefined,
  /** The spec with its file made absolute against the config's folder, and that file. */
  locate: (spec: string) => { spec: string; file: string },
  problem: (key: string, message: string) => void,
): Record<string, string> | undefined {
  if (!apps) return undefined;
  const resolved: Record<string, string> = {};
  for (const [given, spec] of Object.entries(apps)) {
    const key = `http.apps.${given}`;
    const prefix = normalizeAppPrefix(given);
    if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(prefix)) {
      problem(key, 'a prefix is a path such as "/dashboard" (letters, digits, . _ ~ -; no route patterns); the app at the root is http.app');
      continue;
    }
    if (Object.hasOwn(resolved, prefix)) {
      problem(key, `${prefix} is given twice`);
      continue;
    }
    const located = locate(spec);
    if (!existsSync(located.file)) {
      problem(key, `module ${located.file} not found`);
      continue;
    }
    resolved[prefix] = located.spec;
  }
  return resolved;
}

/** `dashboard` and `/dashboard/` are `/dashboard`. */
export const normalizeAppPrefix = (prefix: string) => `/${prefix.trim().replace(/^\/+|\/+$/g, '')}`;
