// Query parameters whose values are credentials, single-use secrets or private identifiers.
export const SECRET_PARAMS: ReadonlySet<string> = new Set([
  'secret',
  'appsecret',
  'access_token',
  'refresh_token',
  'ticket',
  'jsapi_ticket',
  'code',
  'state',
  'media_id',
  'returnto',
  // a message push names its sender and echoes the url check's random string
  'openid',
  'echostr',
]);

/**
 * A url safe to log: the values of secret-bearing query parameters replaced by `***`. Names are
 * compared after percent-decoding (and case-folding), since `?%63ode=` is still `code` to the
 * route that reads it.
 */
export function redactUrl(url: string): string {
  const start = url.indexOf('?');
  if (start === -1) return url;
  const hash = url.indexOf('#', start);
  const end = hash === -1 ? url.length : hash;
  const query = url
    .slice(start + 1, end)
    .split('&')
    .map(redactPair)
    .join('&');
  return `${url.slice(0, start + 1)}${query}${url.slice(end)}`;
}

function redactPair(pair: string): string {
  const eq = pair.indexOf('=');
  const rawName = eq === -1 ? pair : pair.slice(0, eq);
  return SECRET_PARAMS.has(decodedName(rawName)) ? `${rawName}=***` : pair;
}

function decodedName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).trim().toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}

/**
 * What a request line shows of the url: for a route with path parameters (a media id), the
 * route's pattern instead of the values; the query redacted.
 */
export function loggableUrl(url: string, routePattern: string | undefined): string {
  if (routePattern === undefined || !routePattern.includes(':')) return redactUrl(url);
  const query = url.indexOf('?');
  return redactUrl(query === -1 ? routePattern : routePattern + url.slice(query));
}

/**
 * Text safe to print when it may hold urls with credentials (`redis://user:password@host`,
 * `http://user:password@proxy`): whatever stands between `scheme://` and `@` is replaced by `***`,
 * also in a url too broken to parse.
 */
export function redactUrlCredentials(text: string): string {
  return text.replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#\s"@]*@/g, '$1***@');
}
