import { isIP } from 'node:net';
import { hostname } from 'node:os';

/**
 * Who may reach this server from a browser. One rule for every route: a web page on a
 * loopback origin (any port) is the user's own app and may call the API; a page on any
 * other origin may only when the config lists it. And a request must name a host this
 * server is: a loopback name, an IP address, its own host name, or one the config allows,
 * so a DNS-rebinding page (evil.example resolving to 127.0.0.1) reaches nothing.
 */
export interface OriginPolicy {
  /** The address the server listens on (`server.host`). */
  bindHost: string;
  /** `server.allowed_hosts`: names, `.example.com` (and subdomains), `*`. */
  allowedHosts: readonly string[];
  /** `server.cors.allow_origins`: origins, or `*`. */
  allowedOrigins: readonly string[];
  /** `server.cors.allow_origin_regex`: an origin matching it whole may call too. */
  allowedOriginRegex?: string | undefined;
}

/** The host name of a Host header, without port or brackets, lowercase. */
export function hostNameOf(hostHeader: string): string {
  const value = hostHeader.trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(1, value.indexOf(']') > 0 ? value.indexOf(']') : undefined);
  const colon = value.indexOf(':');
  return (colon >= 0 && value.indexOf(':', colon + 1) < 0 ? value.slice(0, colon) : value).replace(/\.$/, '');
}

const isLoopbackName = (name: string) => name === 'localhost' || name.endsWith('.localhost') || name === '::1' || /^127(\.\d{1,3}){3}$/.test(name);

export function hostAllowed(hostHeader: string | undefined, policy: OriginPolicy): boolean {
  // No Host header (HTTP/1.0 tools): not a browser, so not a rebinding page.
  if (hostHeader === undefined || hostHeader === '') return true;
  const name = hostNameOf(hostHeader);
  // An address typed as an address cannot be rebound: rebinding needs a name the attacker controls.
  if (isLoopbackName(name) || isIP(name) !== 0) return true;
  const own = hostname().toLowerCase();
  if (name === own || name === `${own}.local` || name === policy.bindHost.toLowerCase()) return true;
  return policy.allowedHosts.some((entry) => {
    const allowed = entry.trim().toLowerCase();
    if (allowed === '*') return true;
    if (allowed.startsWith('*.') || allowed.startsWith('.')) {
      const domain = allowed.slice(allowed.indexOf('.') + 1);
      return name === domain || name.endsWith(`.${domain}`);
    }
    return name === allowed;
  });
}

/** Whether a page on `origin` may call the API (`host` is the request's Host header, for same-origin pages). */
export function originAllowed(origin: string, host: string | undefined, policy: OriginPolicy): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // "null" (sandboxed frames, files) and anything unreadable
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (isLoopbackName(hostNameOf(url.host))) return true;
  if (host !== undefined && url.host === host.trim().toLowerCase()) return true;
  if (policy.allowedOriginRegex && new RegExp(`^(?:${policy.allowedOriginRegex})$`).test(url.origin)) return true;
  return policy.allowedOrigins.some((allowed) => allowed === '*' || allowed.replace(/\/+$/, '').toLowerCase() === url.origin);
}
