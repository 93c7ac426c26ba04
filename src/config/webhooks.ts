import { z } from 'zod';

/** The payload fields `webhooks.allowed_fields` may keep (the Platform's list). */
export const WEBHOOK_FIELDS = [
  'run_id',
  'thread_id',
  'assistant_id',
  'created_at',
  'updated_at',
  'metadata',
  'kwargs',
  'multitask_strategy',
  'status',
  'run_started_at',
  'run_ended_at',
  'webhook_sent_at',
  'values',
  'error',
] as const;

/** `*.example.com` matches subdomains only; a `*` anywhere else would be read as a literal by no one. */
const domainPattern = z
  .string()
  .min(1)
  .refine((domain) => !domain.includes('*') || (domain.startsWith('*.') && !domain.slice(2).includes('*')), 'a wildcard only as a prefix, in the form "*.example.com"');

/**
 * The URL rules for the webhooks runs and crons name (the Platform's `webhooks.url`). The
 * defaults are the Platform's when `url` is given; `NO_URL_RULES` holds the ones it applies
 * when `webhooks` is set without `url`.
 */
const urlRules = z.strictObject({
  require_https: z.boolean().default(true),
  allowed_domains: z.array(domainPattern).default([]),
  allowed_ports: z.array(z.number().int().min(1).max(65_535)).default([]),
  max_url_length: z.number().int().positive().default(2048),
  /** Refuses paths of this server (called in-process, without the API key) and loopback hosts. */
  disable_loopback: z.boolean().default(false),
  /** Refuses hosts in private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7). */
  disable_private_ips: z.boolean().default(false),
});
export type WebhookUrlRules = z.output<typeof urlRules>;

export const NO_URL_RULES: WebhookUrlRules = {
  require_https: false,
  allowed_domains: [],
  allowed_ports: [],
  max_url_length: 4096,
  disable_loopback: true,
  disable_private_ips: false,
};

/**
 * langgraph.json's `webhooks`: which URLs a run's `webhook` may name, the headers every
 * webhook call carries (values may hold `${{ env.LG_WEBHOOK_TOKEN }}`, resolved at start),
 * and which payload fields are sent. Strict: an unknown key in a security policy is refused,
 * not ignored.
 */
export const webhooksSpec = z.strictObject({
  env_prefix: z.string().default('LG_WEBHOOK_'),
  url: urlRules.optional(),
  headers: z.record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'not a valid header name'), z.string()).optional(),
  allowed_fields: z.array(z.enum(WEBHOOK_FIELDS)).optional(),
});
export type WebhooksSpec = z.output<typeof webhooksSpec>;

/** `${{ env.NAME }}`, with any spacing inside the braces. */
const TEMPLATE = /\$\{\{\s*([^}]+?)\s*\}\}/g;

/**
 * Resolves the header templates at start, as the Platform does: only `env.NAME` references,
 * NAME starting with `env_prefix` (so a config cannot send any variable of the process to a
 * third party), and set. Each mistake is reported at its header's key.
 */
export function renderWebhookHeaders(spec: WebhooksSpec, env: Record<string, string | undefined>, problem: (key: string, message: string) => void): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, template] of Object.entries(spec.headers ?? {})) {
    const key = `webhooks.headers.${name}`;
    const value = template.replace(TEMPLATE, (_match, expression: string) => {
      if (!expression.startsWith('env.')) {
        problem(key, `only env references are allowed, e.g. \${{ env.${spec.env_prefix}TOKEN }}`);
        return '';
      }
      const variable = expression.slice('env.'.length);
      const refusal = !/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)
        ? `"${variable}" is not an environment variable name`
        : !variable.startsWith(spec.env_prefix)
          ? `environment variable ${variable} must start with the env_prefix "${spec.env_prefix}"`
          : env[variable] === undefined
            ? `environment variable ${variable} is not set`
            : undefined;
      if (refusal) problem(key, refusal);
      return refusal ? '' : env[variable]!;
    });
    // A line break would let the value add headers of its own; fetch would refuse it at the first call anyway.
    if (/[\r\n\0]/.test(value)) problem(key, 'the value (after templates) holds a line break or NUL');
    out[name] = value;
  }
  return out;
}
