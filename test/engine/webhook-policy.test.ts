import { describe, expect, it } from 'vitest';
import { NO_URL_RULES, type WebhookUrlRules } from '../../src/config/webhooks.ts';
import type { RunOutcome } from '../../src/engine/executor.ts';
import { sendWebhook } from '../../src/engine/webhook.ts';
import { WebhookPolicy } from '../../src/engine/webhook-policy.ts';
import { silentLogger } from '../../src/log.ts';
import type { Run } from '../../src/storage/types.ts';

/** The Platform's defaults when langgraph.json's `webhooks.url` is given. */
const URL_DEFAULTS: WebhookUrlRules = { require_https: true, allowed_domains: [], allowed_ports: [], max_url_length: 2048, disable_loopback: false, disable_private_ips: false };

/** A DNS of our own: the names the tests use, and nothing else. */
const DNS: Record<string, string[]> = {
  'public.example': ['93.184.216.34'],
  'inside.example': ['10.1.2.3'],
  'sneaky.example': ['93.184.216.34', '127.0.0.1'],
  'mapped.example': ['::ffff:169.254.169.254'],
};
const resolve = async (host: string) => {
  const found = DNS[host];
  if (!found) throw new Error(`ENOTFOUND ${host}`);
  return found;
};
const policy = (rules: Partial<WebhookUrlRules> = {}, base: WebhookUrlRules = URL_DEFAULTS) => new WebhookPolicy({ rules: { ...base, ...rules }, resolve });

describe("webhooks policy (langgraph.json's webhooks.url)", () => {
  it('with url given, https is required by default and a public host passes', async () => {
    expect(await policy().refusal('http://public.example/hook')).toBe('Webhook must use https (webhooks.url.require_https)');
    expect(await policy().refusal('https://public.example/hook')).toBeUndefined();
  });

  it('refuses a URL longer than max_url_length before anything else', async () => {
    expect(await policy({ max_url_length: 40 }).refusal(`https://public.example/${'x'.repeat(40)}`)).toMatch(/^Webhook URL too long: 63 characters, at most 40/);
  });

  it('paths of this server pass unless disable_loopback; with webhooks but no url rules they are refused, as on the Platform', async () => {
    expect(await policy().refusal('/custom/webhook')).toBeUndefined();
    expect(await policy({ disable_loopback: true }).refusal('/custom/webhook')).toMatch(/^Loopback webhooks \(relative URLs and localhost\) are disabled/);
    expect(await new WebhookPolicy({ rules: NO_URL_RULES, resolve }).refusal('/custom/webhook')).toMatch(/^Loopback webhooks/);
    expect(await new WebhookPolicy({ rules: NO_URL_RULES, resolve }).refusal('http://public.example/hook')).toBeUndefined();
  });

  it('disable_loopback refuses localhost names, loopback addresses, and names any of whose addresses is loopback', async () => {
    const rules = { require_https: false, disable_loopback: true };
    expect(await policy(rules).refusal('http://localhost:9000/x')).toContain('localhost is a loopback name');
    expect(await policy(rules).refusal('http://127.0.0.1:9000/x')).toContain('loopback address 127.0.0.1');
    expect(await policy(rules).refusal('http://[::1]:9000/x')).toContain('loopback address ::1');
    expect(await policy(rules).refusal('http://sneaky.example/x')).toContain('sneaky.example resolves to the loopback address 127.0.0.1');
    expect(await policy({ require_https: false }).refusal('http://127.0.0.1:9000/x')).toBeUndefined();
  });

  it('disable_private_ips refuses private ranges; link-local (the metadata service) is refused always, IPv4-mapped too', async () => {
    expect(await policy({ disable_private_ips: true }).refusal('https://inside.example/x')).toContain('private address 10.1.2.3');
    expect(await policy({ disable_private_ips: true }).refusal('https://192.168.1.9/x')).toContain('private address 192.168.1.9');
    expect(await policy().refusal('https://inside.example/x')).toBeUndefined();
    expect(await policy().refusal('https://169.254.169.254/latest/meta-data')).toContain('link-local, multicast or reserved');
    expect(await policy().refusal('https://mapped.example/x')).toContain('resolves to ::ffff:169.254.169.254');
  });

  it('allowed_ports counts the default port of the scheme; allowed_domains takes exact hosts and subdomain wildcards only', async () => {
    const ports = policy({ allowed_ports: [443, 8443] });
    expect(await ports.refusal('https://public.example/x')).toBeUndefined();
    expect(await ports.refusal('https://public.example:8443/x')).toBeUndefined();
    expect(await ports.refusal('https://public.example:9000/x')).toBe('Webhook port 9000 not allowed (webhooks.url.allowed_ports: 443, 8443)');
    const domains = policy({ allowed_domains: ['hooks.example.com', '*.corp.example'] });
    expect(await domains.refusal('https://hooks.example.com/x')).toBeUndefined();
    expect(await domains.refusal('https://HOOKS.example.com/x')).toBeUndefined();
    expect(await domains.refusal('https://a.b.corp.example/x')).toBeUndefined();
    expect(await domains.refusal('https://corp.example/x')).toBe('Webhook domain not allowed: corp.example is not in webhooks.url.allowed_domains');
    expect(await domains.refusal('https://evilcorp.example/x')).toContain('not allowed');
  });

  it('a host that does not resolve is refused; check() throws invalid_input on the webhook field', async () => {
    expect(await policy().refusal('https://nowhere.example/x')).toBe('Failed to resolve webhook host nowhere.example');
    await expect(policy().check('http://public.example/x')).rejects.toMatchObject({ code: 'invalid_input', details: { field: 'webhook' } });
  });

  it('sends only allowed_fields of the payload, when set', () => {
    const body = { run_id: 'r', status: 'success', values: { a: 1 }, kwargs: { secret: true } };
    expect(new WebhookPolicy({ rules: URL_DEFAULTS, allowedFields: ['run_id', 'status'] }).payload(body)).toEqual({ run_id: 'r', status: 'success' });
    expect(new WebhookPolicy({ rules: URL_DEFAULTS }).payload(body)).toBe(body);
  });

  it('checks the URL again before calling it: a host that now resolves to a private address is not called', async () => {
    const calls: string[] = [];
    const fetchImpl = (async (url: string | URL | Request) => {
      calls.push(String(url));
      return new Response('{}');
    }) as typeof fetch;
    const run = { run_id: 'r1', thread_id: 't1', kwargs: { webhook: 'https://moved.example/hook' } } as unknown as Run;
    const outcome = { run_id: 'r1', thread_id: 't1', status: 'success', values: {}, interrupts: [], error: null } as unknown as RunOutcome;
    const addresses: Record<string, string[]> = { 'moved.example': ['93.184.216.34'] };
    const moving = new WebhookPolicy({ rules: { ...URL_DEFAULTS, disable_private_ips: true }, headers: { 'x-token': 't' }, resolve: async (host) => addresses[host] ?? [] });
    await sendWebhook(run, outcome, silentLogger(), { policy: moving, fetchImpl });
    expect(calls).toEqual(['https://moved.example/hook']);
    addresses['moved.example'] = ['10.9.9.9'];
    await sendWebhook(run, outcome, silentLogger(), { policy: moving, fetchImpl });
    expect(calls).toHaveLength(1);
  });
});
