import { createHash } from 'node:crypto';

/**
 * How the simulated WeChat judges a `wx.config`, written apart from the service it judges (a bug in
 * the service's signing must show here as `invalid signature`, not be mirrored).
 */

/**
 * WeChat's JS-SDK signature: the four fields named in lower case, sorted by name (ASCII), joined as
 * `name=value&...`, then SHA-1 in lower-case hex. The url is taken exactly as given.
 */
export function configSignature(fields: { ticket: string; nonceStr: string; timestamp: number; url: string }): string {
  const pairs: [string, string][] = [
    ['noncestr', fields.nonceStr],
    ['jsapi_ticket', fields.ticket],
    ['url', fields.url],
    ['timestamp', String(fields.timestamp)],
  ];
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha1')
    .update(pairs.map(([name, value]) => `${name}=${value}`).join('&'), 'utf8')
    .digest('hex');
}

/** The url WeChat checks a page's signature against: the page's, up to its `#`. */
export function signedPartOf(url: string): string {
  const hash = url.indexOf('#');
  return hash < 0 ? url : url.slice(0, hash);
}

/**
 * Whether a page's host is one of an account's JS safe domains as the sandbox is told them: a host
 * itself, or `*.base` for any host with one or more labels before `.base`. An empty list admits any host.
 */
export function domainAdmits(host: string, domains: readonly string[]): boolean {
  if (domains.length === 0) return true;
  const name = host.toLowerCase();
  return domains.some((domain) => {
    const entry = domain.toLowerCase();
    if (!entry.startsWith('*.')) return name === entry;
    const base = entry.slice(1);
    return name.length > base.length && name.endsWith(base) && !name.slice(0, -base.length).split('.').includes('');
  });
}
