import { withoutFragment } from './signature.js';

export const MAX_URL_LENGTH = 4096;

export type PageUrlCheck =
  | { ok: true; signable: string; host: string }
  | { ok: false; code: 'INVALID_URL' | 'DOMAIN_NOT_ALLOWED'; message: string };

// Whitespace of any kind, C0/C1 control characters.
const FORBIDDEN = /[\s\u0000-\u001f\u007f-\u009f]/u;
const ABSOLUTE_HTTP = /^https?:\/\/[^/?#]/i;

/**
 * SPEC 3.1's rules for the url to sign. The signable url is the input without its fragment,
 * never re-encoded or normalised; only the host is read through WHATWG URL parsing.
 */
export function checkPageUrl(raw: unknown, allowedHosts: readonly string[]): PageUrlCheck {
  if (typeof raw !== 'string' || raw.length === 0) return invalid('url is required and must be a string');
  if (raw.length > MAX_URL_LENGTH) return invalid(`url is longer than ${MAX_URL_LENGTH} characters`);
  if (FORBIDDEN.test(raw)) return invalid('url contains whitespace or control characters');
  if (!ABSOLUTE_HTTP.test(raw)) return invalid('url must be an absolute http: or https: url');
  let host: string;
  try {
    host = new URL(raw).hostname.toLowerCase();
  } catch {
    return invalid('url could not be parsed');
  }
  if (!host) return invalid('url has no host');
  if (!isHostAllowed(host, allowedHosts)) {
    return { ok: false, code: 'DOMAIN_NOT_ALLOWED', message: `host ${host} is not one of the allowed JS domains` };
  }
  return { ok: true, signable: withoutFragment(raw), host };
}

/** An entry matches its exact host; `*.example.com` matches the subdomains of example.com. */
export function isHostAllowed(host: string, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  return allowed.some((entry) => (entry.startsWith('*.') ? isSubdomainOf(host, entry.slice(2)) : host === entry));
}

/** One or more non-empty labels in front of `base` (so `..base` or `.base` never match). */
function isSubdomainOf(host: string, base: string): boolean {
  if (!host.endsWith(`.${base}`)) return false;
  const labels = host.slice(0, -base.length - 1).split('.');
  return labels.every((label) => label.length > 0);
}

function invalid(message: string): PageUrlCheck {
  return { ok: false, code: 'INVALID_URL', message };
}
