import type { HttpSpec } from '../config/schema.ts';

type HeaderRule = NonNullable<HttpSpec['configurable_headers']>;

/** As on the Platform: every `x-*` header and the user agent reach a run's `configurable`. */
const DEFAULT_INCLUDES = ['x-*', 'user-agent'];
/** Never passed on, whatever the rule says: credentials are not graph input. */
const ALWAYS_EXCLUDED = ['x-api-key', 'x-tenant-id', 'x-service-key', 'authorization', 'cookie', 'proxy-authorization'];

const matcher = (patterns: readonly string[]) => {
  const regexes = patterns.map(
    (pattern) =>
      new RegExp(
        `^${pattern
          .toLowerCase()
          .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')}$`,
      ),
  );
  return (name: string) => regexes.some((regex) => regex.test(name));
};

/**
 * Which request headers a run sees in `config.configurable` (langgraph.json's
 * `http.configurable_headers`: `includes` / `excludes` patterns, `*` a wildcard, matched
 * against lower-case names; by default `x-*` and `user-agent`). A graph can tell, say,
 * which client or tenant called without a field in every request.
 */
export function configurableHeaders(rule: HeaderRule | undefined): (headers: Headers) => Record<string, string> {
  const included = matcher(rule?.includes ?? rule?.include ?? DEFAULT_INCLUDES);
  const excluded = matcher([...ALWAYS_EXCLUDED, ...(rule?.excludes ?? rule?.exclude ?? [])]);
  return (headers) => {
    const out: Record<string, string> = {};
    headers.forEach((value, name) => {
      if (included(name) && !excluded(name)) out[name] = value;
    });
    return out;
  };
}
