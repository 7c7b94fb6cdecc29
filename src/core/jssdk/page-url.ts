import { withoutFragment } from './signature.js';

export const MAX_URL_LENGTH = 4096;

export type PageUrlCheck =
  { ok: true; signable: string; host: string } | { ok: false; code: 'INVALID_URL' | 'DOMAIN_NOT_ALLOWED'; message: string };

// Whitespace of any kind, C0/C1 control characters.
const FORBIDDEN = /[\s\u0000-\u001f\u007f-\u009f]/u;
const ABSOLUTE_HTTP = /^https?:\/\/[^/?#]/i;

/**
 * The rules for the url to sign. The signable url is the input without its fragment,
 * never re-encoded or normalised; only the host is read through WHATWG URL parsing.
 */
export function checkPageUrl(raw: unknown, allowedHosts: readonly string[]): PageUrlCheck {
  if (typeof raw !== 'string' || raw.length === 0) return invalid('url is required and must be a string');
  if (raw.length > MAX_URL_LENGTH) return invalid(`url is longer than ${MAX_URL_LENGTH} characters`);
  if (FORBIDDEN.test(raw)) return invalid('url contains whitespace or control characters');
  if (!ABSOLUTE_HTTP.test(raw)) return invalid('url must be an absolute http: or https: url');
  const verdict = hostVerdict(raw, allowedHosts);
  return verdict.ok ? { ok: true, signable: withoutFragment(raw), host: verdict.host } : verdict;
}

type HostVerdict = { ok: true; host: string } | { ok: false; code: 'INVALID_URL' | 'DOMAIN_NOT_ALLOWED'; message: string };

function judgeHost(raw: string, allowedHosts: readonly string[]): HostVerdict {
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
  return { ok: true, host };
}

// A page signs the same few origins over and over: the verdict on a url's host is kept per
// "scheme://authority" (all that decides the host), bounded, per list of allowed hosts.
const MAX_REMEMBERED = 512;
const MAX_KEY_LENGTH = 256;
const remembered = new WeakMap<readonly string[], Map<string, HostVerdict>>();

function hostVerdict(raw: string, allowedHosts: readonly string[]): HostVerdict {
  const key = hostKey(raw);
  if (key === undefined) return judgeHost(raw, allowedHosts);
  let verdicts = remembered.get(allowedHosts);
  if (!verdicts) remembered.set(allowedHosts, (verdicts = new Map()));
  let verdict = verdicts.get(key);
  if (verdict === undefined) {
    verdict = judgeHost(raw, allowedHosts);
    if (verdicts.size >= MAX_REMEMBERED) verdicts.clear();
    verdicts.set(key, verdict);
  }
  return verdict;
}

/**
 * The part of an absolute http(s) url that decides its host: the scheme and the authority, which
 * for these schemes ends at the first `/`, `\`, `?` or `#` (WHATWG URL). Undefined when the url is
 * unusual enough to be parsed on its own: a `\` right after `//` (WHATWG skips it, so the host
 * starts later), or a long authority.
 */
export function hostKey(raw: string): string | undefined {
  const start = raw.charCodeAt(4) === 58 /* : */ ? 7 : 8;
  if (raw.charCodeAt(start) === 92 /* \ */) return undefined;
  let end = start;
  for (; end < raw.length && end < MAX_KEY_LENGTH; end++) {
    const c = raw.charCodeAt(end);
    if (c === 47 /* / */ || c === 92 /* \ */ || c === 63 /* ? */ || c === 35 /* # */) return raw.slice(0, end);
  }
  return end === raw.length ? raw : undefined;
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

function invalid(message: string): { ok: false; code: 'INVALID_URL'; message: string } {
  return { ok: false, code: 'INVALID_URL', message };
}
