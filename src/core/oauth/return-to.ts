const MAX_RETURN_TO = 2048;

/**
 * A local path to send the browser back to, or `/`. Accepts only paths that start with one `/`
 * (not `//`), with no backslash, no scheme, no control characters and no `.`/`..` segment,
 * checked after decoding too, so encoded forms (`%2F%2Fevil.com`, `/%5Cevil.com`, `/%2e%2e//x`)
 * cannot smuggle an origin in, and a path that normalises to `//host` is never produced.
 */
export function safeReturnTo(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_RETURN_TO) return '/';
  if (!isLocalPath(raw)) return '/';
  let decoded = raw;
  for (let i = 0; i < 3; i++) {
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      return '/';
    }
    if (next === decoded) break;
    if (!isLocalPath(next)) return '/';
    decoded = next;
  }
  // The WHATWG parser must agree that it stays on our origin.
  const base = 'http://local.invalid';
  try {
    const parsed = new URL(raw, base);
    if (parsed.origin !== base) return '/';
    // A Location header carries ASCII only: characters beyond it go out percent-encoded.
    return raw.replace(/[^\x21-\x7e]+/g, (run) => encodeURIComponent(run));
  } catch {
    return '/';
  }
}

function isLocalPath(path: string): boolean {
  return (
    path.startsWith('/') &&
    !path.startsWith('//') &&
    !path.includes('\\') &&
    !/[\u0000-\u001f\u007f\s]/.test(path) &&
    !hasDotSegment(path)
  );
}

/** A `.` or `..` segment in the path part (before `?` or `#`): a browser would resolve it away. */
function hasDotSegment(path: string): boolean {
  const end = path.search(/[?#]/);
  return (end < 0 ? path : path.slice(0, end)).split('/').some((segment) => segment === '.' || segment === '..');
}

/** Appends a query parameter to a local path, keeping any fragment last. */
export function withQueryParam(path: string, key: string, value: string): string {
  const hash = path.indexOf('#');
  const [base, fragment] = hash === -1 ? [path, ''] : [path.slice(0, hash), path.slice(hash)];
  return `${base}${base.includes('?') ? '&' : '?'}${encodeURIComponent(key)}=${encodeURIComponent(value)}${fragment}`;
}
