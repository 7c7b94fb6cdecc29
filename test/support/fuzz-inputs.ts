import { createHash } from 'node:crypto';
import { unescape } from 'node:querystring';
import fc from 'fast-check';

/** The fuzzing suites' fixed world and their oracles and input generators, written from the documented rules independently of src/. */

export const ACCOUNT = { appId: 'wx5555aaaa6666bbbb', appSecret: 'fuzz-e2e-secret-0123456789' };
export const PUBLIC = 'http://h5.test';
export const EXACT_HOST = 'h5.example.com';
export const WILDCARD_BASE = 'shop.example.com';
export const EXCHANGE = 'sns/oauth2/access_token';
export const COOKIE = 'wechat_sid';
export const MAX_URL = 4096;
export const BODY_LIMIT = 64 * 1024;
export const TIMEOUT = 60_000;

// Oracles, written from the documented rules independently of src/.

export const FORBIDDEN_CHAR = /[\s\p{Cc}]/u;
export const WILDCARD_SUFFIX = `.${WILDCARD_BASE}`;

/** `h5.example.com` exactly, or a subdomain of shop.example.com: one or more non-empty labels before it. */
export function hostIsAllowed(host: string): boolean {
  if (host === EXACT_HOST) return true;
  if (!host.endsWith(WILDCARD_SUFFIX)) return false;
  return host
    .slice(0, -WILDCARD_SUFFIX.length)
    .split('.')
    .every((label) => label.length > 0);
}

export function whatwg(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** INVALID_URL by the documented rule whatever else is true of the request. */
export function isMalformedUrl(url: unknown): boolean {
  if (typeof url !== 'string' || url.length === 0) return true;
  if ([...url].length > MAX_URL || FORBIDDEN_CHAR.test(url)) return true;
  const parsed = whatwg(url);
  return !parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:');
}

/** May this url be signed at all: well-formed, and both it and what WeChat checks sit on an allowed host. */
export function maySign(url: unknown): url is string {
  if (typeof url !== 'string' || isMalformedUrl(url)) return false;
  const page = whatwg(url);
  const signed = whatwg(url.split('#')[0]);
  return !!page && !!signed && hostIsAllowed(page.hostname.toLowerCase()) && hostIsAllowed(signed.hostname.toLowerCase());
}

export const sha1 = (s: string) => createHash('sha1').update(s, 'utf8').digest('hex');

/** A local path to land on: one leading `/`, no `//`, no backslash, no scheme, same origin, also once decoded. */
export function isLocalLocation(location: string): boolean {
  if (!location.startsWith('/') || location.startsWith('//') || location.includes('\\')) return false;
  if (FORBIDDEN_CHAR.test(location)) return false;
  let origin: string;
  try {
    origin = new URL(location, PUBLIC).origin;
  } catch {
    return false;
  }
  if (origin !== PUBLIC) return false;
  // the path a browser lands on after resolving dot segments must not be //host either
  if (new URL(location, PUBLIC).pathname.startsWith('//')) return false;
  let decoded = location;
  for (let i = 0; i < 3; i++) {
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      break;
    }
    if (next === decoded) break;
    if (next.startsWith('//') || next.includes('\\') || !next.startsWith('/')) return false;
    decoded = next;
  }
  return true;
}

/** What the server receives for a string sent percent-encoded as UTF-8 (lone surrogates become U+FFFD). */
export const asReceived = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

/** Percent-encodes what cannot go raw on a request line (outside 0x21-0x7e), keeping the rest as is. */
export function looseEncode(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (code >= 0x21 && code <= 0x7e) out += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** encodeURIComponent that survives lone surrogates (sent as U+FFFD, as a browser would). */
export function strictEncode(s: string): string {
  return encodeURIComponent(asReceived(s));
}

/** What a query-string parser may have made of a raw value: decoded, or left raw if undecodable. */
export function queryCandidates(raw: string): string[] {
  const plus = raw.replace(/\+/g, ' ');
  const out = new Set([raw, plus]);
  for (const v of [plus, raw]) {
    try {
      out.add(decodeURIComponent(v));
    } catch {
      // invalid percent-encoding: a parser keeps it raw, or decodes what it can (byte by byte, or whole runs)
      out.add(lenientDecode(v));
      // node:querystring (Express's query parser) decodes byte runs and turns a broken sequence into U+FFFD
      out.add(unescape(v));
      out.add(
        v.replace(/%[0-9A-Fa-f]{2}/g, (m) => {
          try {
            return decodeURIComponent(m);
          } catch {
            return m;
          }
        }),
      );
    }
  }
  return [...out];
}

/** Decodes every well-formed run of percent-escapes, leaves the rest: compares two spellings of one path. */
export function lenientDecode(s: string): string {
  return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

export function decodeQueryValue(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Arbitraries.

export const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?$/).filter((l) => !l.startsWith('xn--'));
export const caseVariant = fc.constantFrom(
  (s: string) => s,
  (s: string) => s.toUpperCase(),
  (s: string) => s[0].toUpperCase() + s.slice(1),
);

/** Hosts the rules allow here. */
export const allowedHost = fc
  .tuple(
    fc.oneof(
      fc.constant(EXACT_HOST),
      fc.array(label, { minLength: 1, maxLength: 3 }).map((ls) => `${ls.join('.')}${WILDCARD_SUFFIX}`),
    ),
    caseVariant,
  )
  .map(([host, variant]) => variant(host));

export const unicodeText = fc.string({
  unit: fc.constantFrom('你', '好', 'é', 'ü', '€', '😀', 'ß', 'я', '名', '值'),
  maxLength: 6,
});
export const safeQuery = fc.oneof(
  fc.webQueryParameters(),
  fc.tuple(fc.stringMatching(/^[a-z]{1,5}$/), unicodeText).map(([k, v]) => `${k}=${v}`),
);

/** Urls that must be signed (when the other fields are fine). */
export const goodUrl = fc
  .tuple(
    fc.constantFrom('http', 'https', 'HTTPS', 'Http'),
    allowedHost,
    fc.option(
      fc.integer({ min: 1, max: 65535 }).map((p) => `:${p}`),
      { nil: '' },
    ),
    fc.webPath(),
    fc.option(
      safeQuery.map((q) => `?${q}`),
      { nil: '' },
    ),
    fc.option(
      fc.oneof(
        fc.webFragments().map((f) => `#${f}`),
        fc.constantFrom('#', '#/detail?id=1#x', '#https://evil.com/'),
      ),
      { nil: '' },
    ),
  )
  .map(([scheme, host, port, path, query, fragment]) => `${scheme}://${host}${port}${path}${query}${fragment}`);

/** Good urls padded to lengths around the 4096 limit (ASCII, so length and characters agree). */
export const nearLimitUrl = fc
  .tuple(
    goodUrl.map((u) => u.split('#')[0]),
    fc.integer({ min: MAX_URL - 8, max: MAX_URL + 8 }),
  )
  .map(([u, length]) => {
    const head = `${u}${u.includes('?') ? '&' : '?'}pad=`;
    return head + 'a'.repeat(Math.max(0, length - head.length));
  });

/** Whitespace and control characters of every kind, put anywhere in a good url: INVALID_URL. */
export const forbiddenChar = fc.oneof(
  fc.integer({ min: 0, max: 0x20 }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x7f, max: 0x9f }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('\u00a0', '\u1680', '\u2000', '\u2009', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff'),
);
export const urlWithForbiddenChar = fc
  .tuple(goodUrl, forbiddenChar, fc.nat())
  .map(([u, ch, at]) => u.slice(0, at % (u.length + 1)) + ch + u.slice(at % (u.length + 1)));
export const tooLongUrl = fc
  .tuple(
    goodUrl.map((u) => u.split('#')[0]),
    fc.integer({ min: MAX_URL + 1, max: MAX_URL + 3000 }),
  )
  .map(([u, length]) => `${u}${u.includes('?') ? '&' : '?'}${'b'.repeat(length)}`.slice(0, length));

/** Host forms that parsers disagree on or that only look allowed. */
export const trickyHost = fc.oneof(
  allowedHost,
  fc.constantFrom(
    'evil.com',
    'h5.example.com.evil.com',
    'evilh5.example.com',
    'h5.example.com.',
    'shop.example.com',
    '.shop.example.com',
    '..shop.example.com',
    'a..shop.example.com',
    'xshop.example.com',
    'x.shop.example.com.',
    'h5.example.co',
    'example.com',
    'h5%2Eexample.com',
    '%68%35.example.com',
    'H5.EXAMPLE.COM',
    'h5\u3002example\u3002com',
    '\uff48\uff15.example.com',
    'xn--h5-0ba.example.com',
    'h5.ex\u00e4mple.com',
    'xn--',
    'xn--zz.shop.example.com',
    '[::1]',
    '[::ffff:7f00:1]',
    '[fe80::1%25eth0]',
    '127.0.0.1',
    '0x7f.1',
    '2130706433',
    'localhost',
    'h5.example.com%00',
    'h5.example.com%2F',
    'h5.example.com%40evil.com',
    'h5.example.com:80@evil.com',
    'a*.shop.example.com',
    'a_b.shop.example.com',
    '%2e.shop.example.com',
    '\u00e9.shop.example.com',
    '\u4f60.shop.example.com',
    'h5.example.com\\@evil.com',
    'evil.com\\@h5.example.com',
    'h5.example.com#@evil.com',
  ),
  fc
    .array(fc.oneof(label, fc.constantFrom('', '*', '%2e', '-', '_', 'a!b', '\u00e9', 'xn--a')), { minLength: 0, maxLength: 4 })
    .map((ls) => [...ls, WILDCARD_BASE].join('.')),
  fc.domain(),
  fc.ipV4(),
  fc.ipV6().map((ip) => `[${ip}]`),
  fc.string({ unit: 'binary', maxLength: 16 }),
);

export const trickyUrl = fc
  .tuple(
    fc.constantFrom(
      'https://',
      'http://',
      'HTTPS://',
      'hTTp://',
      'https:/',
      'https:',
      'https:\\\\',
      'https:/\\',
      'https:///',
      '//',
      '',
      'ftp://',
      'javascript://',
      'ws://',
      'file://',
      'https://@',
      ' https://',
      'blob:https://',
      'https%3A%2F%2F',
    ),
    fc.constantFrom(
      '',
      '',
      '',
      'h5.example.com@',
      'user:pass@',
      'evil.com@',
      'a@b@',
      ':@',
      'h5.example.com%40',
      'x.shop.example.com:443@',
    ),
    trickyHost,
    fc.oneof(
      fc.constant(''),
      fc.constant(''),
      fc.integer({ min: 0, max: 70_000 }).map((p) => `:${p}`),
      fc.constantFrom(':', ':x', ':-1', ':443@evil.com'),
    ),
    fc.oneof(
      fc.constant(''),
      fc.webPath(),
      fc.constantFrom(
        '\\',
        '\\@evil.com',
        '@evil.com',
        '#@evil.com',
        '?@evil.com',
        '/..',
        '/%2e%2e/',
        '%2F@evil.com',
        '#',
        '?',
        '/%',
        '/%zz',
        '/%E4%BD',
      ),
      fc.string({ unit: 'binary', maxLength: 24 }),
    ),
  )
  .map((parts) => parts.join(''));

/** A well-formed scheme and an odd host: where a signature for the wrong host would come from. */
export const hostFocusedUrl = fc
  .tuple(
    fc.constantFrom('https://', 'http://', 'HTTPS://'),
    fc.constantFrom('', '', '', 'u:p@', `${EXACT_HOST}@`),
    trickyHost,
    fc.option(
      fc.integer({ min: 1, max: 65535 }).map((p) => `:${p}`),
      { nil: '' },
    ),
    fc.oneof(fc.constant(''), fc.webPath(), fc.constantFrom('/', '?x=1', '#/a', '\\x')),
  )
  .map((parts) => parts.join(''));

export const anyUrl = fc.oneof(
  { weight: 3, arbitrary: hostFocusedUrl },
  { weight: 3, arbitrary: trickyUrl },
  fc.webUrl({
    validSchemes: ['http', 'https', 'ftp'],
    withFragments: true,
    withQueryParameters: true,
    authoritySettings: { withIPv4: true, withIPv6: true, withIPv4Extended: true, withPort: true, withUserInfo: true },
  }),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({ unit: 'grapheme', maxLength: 64 }),
  fc
    .tuple(goodUrl, unicodeText, fc.nat())
    .map(([u, s, at]) => u.slice(0, at % (u.length + 1)) + s + u.slice(at % (u.length + 1))),
  fc
    .tuple(goodUrl, fc.string({ unit: 'binary', maxLength: 8 }), fc.integer({ min: MAX_URL - 10, max: MAX_URL + 10 }))
    .map(([u, s, length]) => `${u.split('#')[0]}?${s}`.padEnd(length, '\u00e9')),
);

export type UrlCase =
  { kind: 'good'; value: string } | { kind: 'malformed'; value: unknown } | { kind: 'missing' } | { kind: 'any'; value: string };

export const urlCase: fc.Arbitrary<UrlCase> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .oneof(
        goodUrl,
        nearLimitUrl.filter((u) => u.length <= MAX_URL),
      )
      .map((value) => ({ kind: 'good' as const, value })),
  },
  {
    weight: 3,
    arbitrary: fc
      .oneof(
        urlWithForbiddenChar,
        tooLongUrl,
        nearLimitUrl.filter((u) => u.length > MAX_URL),
        fc.oneof(
          fc.integer(),
          fc.double(),
          fc.boolean(),
          fc.constant(null),
          fc.array(goodUrl, { maxLength: 2 }),
          fc.dictionary(fc.string(), goodUrl),
        ),
        fc.constantFrom(
          '',
          '/page',
          'h5.example.com/page',
          'ftp://h5.example.com/',
          'javascript:alert(1)',
          'https://',
          'https:///x',
          'http://[::1/',
        ),
      )
      .map((value) => ({ kind: 'malformed' as const, value })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'missing' as const }) },
  { weight: 8, arbitrary: anyUrl.map((value) => ({ kind: 'any' as const, value })) },
);

export type Field = { kind: 'valid' | 'invalid' | 'unknown'; value: unknown } | undefined;
export const tagged = (kind: 'valid' | 'invalid' | 'unknown') => (value: unknown) => ({ kind, value });

export const apiName = fc.constantFrom(
  'updateAppMessageShareData',
  'updateTimelineShareData',
  'chooseImage',
  'uploadImage',
  'scanQRCode',
  'getLocation',
  'openLocation',
  'chooseWXPay',
  'startRecord',
  'translateVoice',
);
export const tagName = fc.constantFrom('wx-open-launch-weapp', 'wx-open-launch-app', 'wx-open-subscribe', 'wx-open-audio');
export const notAnArray = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
);
export const arrayWithNonString = fc
  .tuple(
    fc.array(fc.string(), { maxLength: 2 }),
    fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.object({ maxDepth: 1 })),
  )
  .map(([strings, odd]) => [...strings, odd]);
export const markup = fc.constantFrom(['<script>'], ['"><img src=x>'], ['a', '<b>']);

// mostly valid, so that most requests reach the url rules
export const listField = (names: fc.Arbitrary<string>): fc.Arbitrary<Field> =>
  fc.option(
    fc.oneof(
      { weight: 6, arbitrary: fc.array(names, { maxLength: 6 }).map(tagged('valid')) },
      { weight: 1, arbitrary: fc.oneof(notAnArray, arrayWithNonString, markup).map(tagged('invalid')) },
      {
        weight: 1,
        arbitrary: fc
          .oneof(fc.jsonValue({ maxDepth: 2 }), fc.array(fc.string({ unit: 'binary' }), { maxLength: 3 }))
          .map(tagged('unknown')),
      },
    ),
    { nil: undefined, freq: 2 },
  );

export const debugField: fc.Arbitrary<Field> = fc.option(
  fc.oneof(
    { weight: 6, arbitrary: fc.boolean().map(tagged('valid')) },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          fc.constantFrom('yes', 'true', 'false', '1', ''),
          fc.integer(),
          fc.array(fc.boolean(), { maxLength: 2 }),
          fc.object({ maxDepth: 1 }),
        )
        .map(tagged('invalid')),
    },
    { weight: 1, arbitrary: fc.constant(null).map(tagged('unknown')) },
  ),
  { nil: undefined, freq: 2 },
);

export const KNOWN_KEYS = new Set(['url', 'jsApiList', 'openTagList', 'debug']);
/** Unknown property names, those of Object.prototype included (a mapper may skip them silently). */
export const unknownKey = (known: Set<string>) =>
  fc
    .oneof(
      fc.string(),
      fc.constantFrom(
        'valueOf',
        'toString',
        'hasOwnProperty',
        'constructor',
        'prototype',
        'isPrototypeOf',
        '__defineGetter__',
        'name',
        'then',
      ),
    )
    .filter((k) => !known.has(k) && k !== '__proto__');
export const extraKeys = fc.oneof(
  { weight: 7, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.dictionary(unknownKey(KNOWN_KEYS), fc.jsonValue({ maxDepth: 1 }), { minKeys: 1, maxKeys: 2 }) },
);

export interface ConfigCase {
  url: UrlCase;
  jsApiList: Field;
  openTagList: Field;
  debug: Field;
  extra: Record<string, unknown> | undefined;
}

export const configCase: fc.Arbitrary<ConfigCase> = fc.record({
  url: urlCase,
  jsApiList: listField(apiName),
  openTagList: listField(tagName),
  debug: debugField,
  extra: extraKeys,
});
/** Only the url varies: the host rules are checked apart from the other fields' validation. */
export const urlOnlyCase: fc.Arbitrary<ConfigCase> = fc.record({
  url: urlCase,
  jsApiList: fc.option(fc.array(apiName, { maxLength: 4 }).map(tagged('valid')), { nil: undefined }),
  openTagList: fc.option(fc.array(tagName, { maxLength: 2 }).map(tagged('valid')), { nil: undefined }),
  debug: fc.option(fc.boolean().map(tagged('valid')), { nil: undefined }),
  extra: fc.constant(undefined),
});

export function configBody(c: ConfigCase): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (c.url.kind !== 'missing') body.url = c.url.value;
  if (c.jsApiList) body.jsApiList = c.jsApiList.value;
  if (c.openTagList) body.openTagList = c.openTagList.value;
  if (c.debug) body.debug = c.debug.value;
  for (const [k, v] of Object.entries(c.extra ?? {}))
    Object.defineProperty(body, k, { value: v, enumerable: true, configurable: true, writable: true });
  return body;
}

/** The answers the rules allow for a config request: 'ok' and/or error codes. */
export function allowedOutcomes(c: ConfigCase): Set<string> {
  const fields = [c.jsApiList, c.openTagList, c.debug].filter((f): f is NonNullable<Field> => f !== undefined);
  const fieldsMayPass = fields.every((f) => f.kind !== 'invalid') && c.extra === undefined;
  const fieldsMayFail = fields.some((f) => f.kind !== 'valid') || c.extra !== undefined;
  let url: string[];
  if (c.url.kind === 'good') url = ['ok'];
  else if (c.url.kind === 'malformed' || c.url.kind === 'missing') url = ['INVALID_URL'];
  else if (isMalformedUrl(c.url.value)) url = ['INVALID_URL'];
  // the service may be stricter than WHATWG (e.g. `https:h5.example.com`), never looser
  else url = maySign(c.url.value) ? ['ok', 'INVALID_URL', 'DOMAIN_NOT_ALLOWED'] : ['INVALID_URL', 'DOMAIN_NOT_ALLOWED'];
  const out = new Set<string>();
  if (fieldsMayPass) url.forEach((u) => out.add(u));
  if (fieldsMayFail) {
    out.add('VALIDATION_FAILED');
    url.filter((u) => u !== 'ok').forEach((u) => out.add(u)); // which error wins is not specified
  }
  return out;
}

export const hasPoisonKey = (text: string) => /"(__proto__|constructor)"\s*:/.test(text);

export const randomHeaderValue = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 120,
});
export const oddAccept = fc.oneof(
  fc.constantFrom(
    '*/*',
    'text/html',
    'TEXT/HTML',
    'text/html;q=0',
    'application/json',
    'application/json, text/html',
    'application/xhtml+xml',
    '',
    ',,,',
    'text/*',
    'image/webp',
    '\u00ff\u00fe',
    'application/json;q=0.9, text/html;q=1',
    'application/problem+json',
    ';;;;',
    '*',
  ),
  randomHeaderValue,
  fc.integer({ min: 1000, max: 8000 }).map((n) => `application/json, ${'x/y, '.repeat(n / 6)}`),
);
