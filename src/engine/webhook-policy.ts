import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { WebhookUrlRules } from '../config/webhooks.ts';
import { SwitchboardError } from '../errors.ts';

/** Every address a host name stands for (IPv4 and IPv6). */
export type ResolveHost = (host: string) => Promise<string[]>;

const systemResolve: ResolveHost = async (host) => (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

function blockList(ipv4: Array<[string, number]>, ipv6: Array<[string, number]>): BlockList {
  const list = new BlockList();
  for (const [network, prefix] of ipv4) list.addSubnet(network, prefix, 'ipv4');
  for (const [network, prefix] of ipv6) list.addSubnet(network, prefix, 'ipv6');
  return list;
}

const LOOPBACK = blockList([['127.0.0.0', 8]], [['::1', 128]]);
const PRIVATE = blockList(
  [
    ['10.0.0.0', 8],
    ['172.16.0.0', 12],
    ['192.168.0.0', 16],
    ['100.64.0.0', 10],
  ],
  [['fc00::', 7]],
);
/** Never a webhook: link-local (the clouds' metadata service, 169.254.169.254), "this network", multicast, reserved. */
const NEVER = blockList(
  [
    ['169.254.0.0', 16],
    ['0.0.0.0', 8],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ],
  [
    ['fe80::', 10],
    ['ff00::', 8],
    ['::', 128],
  ],
);

/** An IPv4 address written as IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 address it is. */
function normalized(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

export interface WebhookPolicyOptions {
  rules: WebhookUrlRules;
  /** Sent with every webhook call (templates already resolved at start). */
  headers?: Record<string, string>;
  /** Only these fields of the payload are sent; all when unset. */
  allowedFields?: readonly string[] | undefined;
  resolve?: ResolveHost;
}

/**
 * langgraph.json's `webhooks`, as the Platform applies it: a run's (or cron's) webhook URL is
 * checked when the run is asked for (a refusal is a 422 naming the rule) and again before it
 * is called (DNS may have changed since); the calls carry the configured headers and fields.
 */
export class WebhookPolicy {
  readonly headers: Readonly<Record<string, string>>;
  readonly #rules: WebhookUrlRules;
  readonly #fields: ReadonlySet<string> | undefined;
  readonly #resolve: ResolveHost;

  constructor(options: WebhookPolicyOptions) {
    this.#rules = options.rules;
    this.headers = options.headers ?? {};
    this.#fields = options.allowedFields ? new Set(options.allowedFields) : undefined;
    this.#resolve = options.resolve ?? systemResolve;
  }

  /** Refuses a URL the rules do not allow: `invalid_input`, on the `webhook` field. */
  async check(url: string): Promise<void> {
    const refusal = await this.refusal(url);
    if (refusal) throw new SwitchboardError('invalid_input', refusal, { details: { field: 'webhook' } });
  }

  /** Why the rules refuse `url` (the Platform's words first), or undefined when it may be called. */
  async refusal(url: string): Promise<string | undefined> {
    const rules = this.#rules;
    if (url.length > rules.max_url_length) return `Webhook URL too long: ${url.length} characters, at most ${rules.max_url_length} (webhooks.url.max_url_length)`;
    if (url.startsWith('/')) {
      // A path is this server called in-process, past the API key: an open door unless the project wants it.
      return rules.disable_loopback ? 'Loopback webhooks (relative URLs and localhost) are disabled: set webhooks.url.disable_loopback to false to allow them' : undefined;
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return `Invalid webhook URL: ${url}`;
    }
    if (rules.require_https && parsed.protocol !== 'https:') return 'Webhook must use https (webhooks.url.require_https)';
    const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
    if (rules.allowed_ports.length > 0 && !rules.allowed_ports.includes(port))
      return `Webhook port ${port} not allowed (webhooks.url.allowed_ports: ${rules.allowed_ports.join(', ')})`;
    const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (!host) return `Invalid webhook hostname '${host}'`;
    if (rules.allowed_domains.length > 0) {
      if (!this.#domainAllowed(host)) return `Webhook domain not allowed: ${host} is not in webhooks.url.allowed_domains`;
      // A host the project listed by name is trusted wherever it points, as on the Platform.
      return undefined;
    }
    return this.#addressRefusal(host);
  }

  /** The payload as configured: only `allowed_fields` when they are set. */
  payload(body: Record<string, unknown>): Record<string, unknown> {
    const fields = this.#fields;
    return fields ? Object.fromEntries(Object.entries(body).filter(([key]) => fields.has(key))) : body;
  }

  #domainAllowed(host: string): boolean {
    return this.#rules.allowed_domains.some((pattern) => {
      const wanted = pattern.trim().toLowerCase();
      return wanted.startsWith('*.') ? host.endsWith(wanted.slice(1)) : host === wanted;
    });
  }

  async #addressRefusal(host: string): Promise<string | undefined> {
    const rules = this.#rules;
    if (rules.disable_loopback && (host === 'localhost' || host.endsWith('.localhost'))) return `Webhook host blocked: ${host} is a loopback name (webhooks.url.disable_loopback)`;
    let addresses: string[];
    try {
      addresses = isIP(host) ? [host] : await this.#resolve(host);
    } catch {
      return `Failed to resolve webhook host ${host}`;
    }
    if (addresses.length === 0) return `Failed to resolve webhook host ${host}`;
    for (const raw of addresses) {
      const { address, family } = normalized(raw);
      if (NEVER.check(address, family)) return `Webhook host blocked: ${host} resolves to ${raw}, a link-local, multicast or reserved address`;
      if (rules.disable_loopback && LOOPBACK.check(address, family)) return `Webhook host blocked: ${host} resolves to the loopback address ${raw} (webhooks.url.disable_loopback)`;
      if (rules.disable_private_ips && PRIVATE.check(address, family))
        return `Webhook host blocked: ${host} resolves to the private address ${raw} (webhooks.url.disable_private_ips)`;
    }
    return undefined;
  }
}
