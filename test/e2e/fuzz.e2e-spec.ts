import { createHash } from 'node:crypto';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import fc from 'fast-check';
import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { type RunningApp, serviceEnv, startApp } from '../support/app.js';
import { deleteKeys, uniquePrefix } from '../support/redis-keys.js';
import { expectedSignature } from '../support/signature-check.js';

/*
 * Property-based fuzzing over HTTP of the signing and OAuth routes (issue 5, item 3).
 * One service, one sandbox, thousands of generated requests; every property states what must
 * hold for any input, so a failure prints fast-check's seed and the shrunk input.
 */

const ACCOUNT = { appId: 'wx5555aaaa6666bbbb', appSecret: 'fuzz-e2e-secret-0123456789' };
const PUBLIC = 'http://h5.test';
const EXACT_HOST = 'h5.example.com';
const WILDCARD_BASE = 'shop.example.com';
const EXCHANGE = 'sns/oauth2/access_token';
const COOKIE = 'wechat_sid';
const MAX_URL = 4096;
const BODY_LIMIT = 64 * 1024;
const TIMEOUT = 60_000;

// ---------------------------------------------------------------------------------------------
// HTTP: node:http instead of fetch, so the request line, headers and body go out exactly as built
// (raw query strings, invalid percent-encodings, odd headers, chunked bodies).

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: any;
}

interface RequestSpec {
  method?: string;
  path: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  /** send the body chunked instead of with a content-length */
  chunked?: boolean;
  /** a connection of its own (for answers after which the server may close it) */
  fresh?: boolean;
}

let keepAlive = new Agent({ keepAlive: true, maxSockets: 4 });

/**
 * After a failure the server may have closed a pooled socket without saying so; fresh sockets keep
 * that from failing the next requests too, so fast-check shrinks towards the real culprit.
 */
function resetConnections(): void {
  keepAlive.destroy();
  keepAlive = new Agent({ keepAlive: true, maxSockets: 4 });
}
let base = '';
/** Every body, Location and Set-Cookie seen, scanned for WeChat secrets at the end. */
const seen: string[] = [];

function send(spec: RequestSpec): Promise<Answer> {
  const url = new URL(base);
  return new Promise<Answer>((resolve, reject) => {
    const headers: Record<string, string | string[]> = { ...spec.headers };
    if (spec.body !== undefined && !spec.chunked) headers['content-length'] = String(Buffer.byteLength(spec.body));
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: spec.method ?? 'GET',
        path: spec.path,
        headers,
        agent: spec.fresh ? false : keepAlive,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          seen.push(text, String(res.headers.location ?? ''), (res.headers['set-cookie'] ?? []).join('\n'));
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: parseJson(text) });
        });
      },
    );
    // bounded: a hung request fails the property instead of the whole run
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer in 10 s: ${spec.method ?? 'GET'} ${spec.path.slice(0, 200)}`)));
    req.on('error', (error) => {
      resetConnections();
      reject(new Error(`connection failed (${error.message}): ${spec.method ?? 'GET'} ${spec.path.slice(0, 200)}`));
    });
    if (spec.body !== undefined && spec.chunked) {
      const body = Buffer.from(spec.body);
      // a few chunks, so the server sees a real streamed body
      for (let i = 0; i < body.length; i += 16_384) req.write(body.subarray(i, i + 16_384));
      req.end();
    } else {
      req.end(spec.body);
    }
  });
}

function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Never a 5xx; every 4xx is JSON `{statusCode, code, message}` with the HTTP status. */
function expectWellFormed(r: Answer, what: string): void {
  try {
    checkWellFormed(r, what);
  } catch (error) {
    resetConnections();
    throw error;
  }
}

function checkWellFormed(r: Answer, what: string): void {
  const context = `${what} -> ${r.status} ${r.text.slice(0, 300)}`;
  if (r.status >= 500 || r.status < 100) throw new Error(`server error: ${context}`);
  if (r.status >= 400) {
    if (!/^application\/json\b/.test(String(r.headers['content-type']))) throw new Error(`non-JSON error: ${context}`);
    const j = r.json;
    const ok =
      j !== null &&
      typeof j === 'object' &&
      j.statusCode === r.status &&
      typeof j.code === 'string' &&
      j.code.length > 0 &&
      typeof j.message === 'string';
    if (!ok) throw new Error(`error body not in the error shape: ${context}`);
  }
}

/** A browser's cookie jar, reduced to what the service sets: the session cookie. */
class Browser {
  cookie: string | undefined;

  async get(path: string, accept = 'text/html'): Promise<Answer> {
    const r = await send({ path, headers: { accept, ...(this.cookie ? { cookie: this.cookie } : {}) } });
    for (const header of r.headers['set-cookie'] ?? []) {
      const pair = header.split(';')[0];
      if (!pair.startsWith(`${COOKIE}=`)) continue;
      const expired = /expires=Thu, 01 Jan 1970|max-age=0(;|$)/i.test(header) || pair === `${COOKIE}=`;
      this.cookie = expired ? undefined : pair;
    }
    return r;
  }
}

// ---------------------------------------------------------------------------------------------
// Oracles, written from the documented rules independently of src/.

const FORBIDDEN_CHAR = /[\s\p{Cc}]/u;
const WILDCARD_SUFFIX = `.${WILDCARD_BASE}`;

/** `h5.example.com` exactly, or a subdomain of shop.example.com: one or more non-empty labels before it. */
function hostIsAllowed(host: string): boolean {
  if (host === EXACT_HOST) return true;
  if (!host.endsWith(WILDCARD_SUFFIX)) return false;
  return host
    .slice(0, -WILDCARD_SUFFIX.length)
    .split('.')
    .every((label) => label.length > 0);
}

function whatwg(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** INVALID_URL by the documented rule whatever else is true of the request. */
function isMalformedUrl(url: unknown): boolean {
  if (typeof url !== 'string' || url.length === 0) return true;
  if ([...url].length > MAX_URL || FORBIDDEN_CHAR.test(url)) return true;
  const parsed = whatwg(url);
  return !parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:');
}

/** May this url be signed at all: well-formed, and both it and what WeChat checks sit on an allowed host. */
function maySign(url: unknown): url is string {
  if (typeof url !== 'string' || isMalformedUrl(url)) return false;
  const page = whatwg(url);
  const signed = whatwg(url.split('#')[0]);
  return !!page && !!signed && hostIsAllowed(page.hostname.toLowerCase()) && hostIsAllowed(signed.hostname.toLowerCase());
}

const sha1 = (s: string) => createHash('sha1').update(s, 'utf8').digest('hex');

/** A local path to land on: one leading `/`, no `//`, no backslash, no scheme, same origin, also once decoded. */
function isLocalLocation(location: string): boolean {
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
const asReceived = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

/** Percent-encodes what cannot go raw on a request line (outside 0x21-0x7e), keeping the rest as is. */
function looseEncode(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (code >= 0x21 && code <= 0x7e) out += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** encodeURIComponent that survives lone surrogates (sent as U+FFFD, as a browser would). */
function strictEncode(s: string): string {
  return encodeURIComponent(asReceived(s));
}

/** What a query-string parser may have made of a raw value: decoded, or left raw if undecodable. */
function queryCandidates(raw: string): string[] {
  const plus = raw.replace(/\+/g, ' ');
  const out = new Set([raw, plus]);
  for (const v of [plus, raw]) {
    try {
      out.add(decodeURIComponent(v));
    } catch {
      // invalid percent-encoding: a parser keeps it raw or decodes what it can
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
function lenientDecode(s: string): string {
  return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

function decodeQueryValue(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Arbitraries.

const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?$/).filter((l) => !l.startsWith('xn--'));
const caseVariant = fc.constantFrom(
  (s: string) => s,
  (s: string) => s.toUpperCase(),
  (s: string) => s[0].toUpperCase() + s.slice(1),
);

/** Hosts the rules allow here. */
const allowedHost = fc
  .tuple(
    fc.oneof(
      fc.constant(EXACT_HOST),
      fc.array(label, { minLength: 1, maxLength: 3 }).map((ls) => `${ls.join('.')}${WILDCARD_SUFFIX}`),
    ),
    caseVariant,
  )
  .map(([host, variant]) => variant(host));

const unicodeText = fc.string({ unit: fc.constantFrom('你', '好', 'é', 'ü', '€', '😀', 'ß', 'я', '名', '值'), maxLength: 6 });
const safeQuery = fc.oneof(
  fc.webQueryParameters(),
  fc.tuple(fc.stringMatching(/^[a-z]{1,5}$/), unicodeText).map(([k, v]) => `${k}=${v}`),
);

/** Urls that must be signed (when the other fields are fine). */
const goodUrl = fc
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
const nearLimitUrl = fc
  .tuple(
    goodUrl.map((u) => u.split('#')[0]),
    fc.integer({ min: MAX_URL - 8, max: MAX_URL + 8 }),
  )
  .map(([u, length]) => {
    const head = `${u}${u.includes('?') ? '&' : '?'}pad=`;
    return head + 'a'.repeat(Math.max(0, length - head.length));
  });

/** Whitespace and control characters of every kind, put anywhere in a good url: INVALID_URL. */
const forbiddenChar = fc.oneof(
  fc.integer({ min: 0, max: 0x20 }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x7f, max: 0x9f }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('\u00a0', '\u1680', '\u2000', '\u2009', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff'),
);
const urlWithForbiddenChar = fc
  .tuple(goodUrl, forbiddenChar, fc.nat())
  .map(([u, ch, at]) => u.slice(0, at % (u.length + 1)) + ch + u.slice(at % (u.length + 1)));
const tooLongUrl = fc
  .tuple(
    goodUrl.map((u) => u.split('#')[0]),
    fc.integer({ min: MAX_URL + 1, max: MAX_URL + 3000 }),
  )
  .map(([u, length]) => `${u}${u.includes('?') ? '&' : '?'}${'b'.repeat(length)}`.slice(0, length));

/** Host forms that parsers disagree on or that only look allowed. */
const trickyHost = fc.oneof(
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

const trickyUrl = fc
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
const hostFocusedUrl = fc
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

const anyUrl = fc.oneof(
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

type UrlCase =
  { kind: 'good'; value: string } | { kind: 'malformed'; value: unknown } | { kind: 'missing' } | { kind: 'any'; value: string };

const urlCase: fc.Arbitrary<UrlCase> = fc.oneof(
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

type Field = { kind: 'valid' | 'invalid' | 'unknown'; value: unknown } | undefined;
const tagged = (kind: 'valid' | 'invalid' | 'unknown') => (value: unknown) => ({ kind, value });

const apiName = fc.constantFrom(
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
const tagName = fc.constantFrom('wx-open-launch-weapp', 'wx-open-launch-app', 'wx-open-subscribe', 'wx-open-audio');
const notAnArray = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }));
const arrayWithNonString = fc
  .tuple(
    fc.array(fc.string(), { maxLength: 2 }),
    fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.object({ maxDepth: 1 })),
  )
  .map(([strings, odd]) => [...strings, odd]);
const markup = fc.constantFrom(['<script>'], ['"><img src=x>'], ['a', '<b>']);

// mostly valid, so that most requests reach the url rules
const listField = (names: fc.Arbitrary<string>): fc.Arbitrary<Field> =>
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

const debugField: fc.Arbitrary<Field> = fc.option(
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

const KNOWN_KEYS = new Set(['url', 'jsApiList', 'openTagList', 'debug']);
/** Unknown property names, those of Object.prototype included (a mapper may skip them silently). */
const unknownKey = (known: Set<string>) =>
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
const extraKeys = fc.oneof(
  { weight: 7, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.dictionary(unknownKey(KNOWN_KEYS), fc.jsonValue({ maxDepth: 1 }), { minKeys: 1, maxKeys: 2 }) },
);

interface ConfigCase {
  url: UrlCase;
  jsApiList: Field;
  openTagList: Field;
  debug: Field;
  extra: Record<string, unknown> | undefined;
}

const configCase: fc.Arbitrary<ConfigCase> = fc.record({
  url: urlCase,
  jsApiList: listField(apiName),
  openTagList: listField(tagName),
  debug: debugField,
  extra: extraKeys,
});
/** Only the url varies: the host rules are checked apart from the other fields' validation. */
const urlOnlyCase: fc.Arbitrary<ConfigCase> = fc.record({
  url: urlCase,
  jsApiList: fc.option(fc.array(apiName, { maxLength: 4 }).map(tagged('valid')), { nil: undefined }),
  openTagList: fc.option(fc.array(tagName, { maxLength: 2 }).map(tagged('valid')), { nil: undefined }),
  debug: fc.option(fc.boolean().map(tagged('valid')), { nil: undefined }),
  extra: fc.constant(undefined),
});

function configBody(c: ConfigCase): Record<string, unknown> {
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
function allowedOutcomes(c: ConfigCase): Set<string> {
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

const hasPoisonKey = (text: string) => /"(__proto__|constructor)"\s*:/.test(text);

const randomHeaderValue = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 120,
});
const oddAccept = fc.oneof(
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

// ---------------------------------------------------------------------------------------------

describe('fuzzing the signing and OAuth routes over HTTP (one service, one sandbox, real Redis)', () => {
  let sandbox: SandboxServer;
  let svc: RunningApp;
  const prefix = uniquePrefix('fuzz');

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: [ACCOUNT] });
    svc = await startApp(
      serviceEnv(sandbox.url, ACCOUNT, {
        CACHE_KEY_PREFIX: prefix,
        PUBLIC_BASE_URL: PUBLIC,
        WECHAT_JS_DOMAINS: `${EXACT_HOST},*.${WILDCARD_BASE}`,
        // thousands of requests from one address: the abuse limits have tests of their own
        RATE_LIMIT_PER_MINUTE: '0',
      }),
    );
    base = svc.url;
    // warm the tickets once, so every later signature is checked against a known ticket
    expect(
      (
        await send({
          method: 'POST',
          path: '/wechat/jssdk/config',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ url: `https://${EXACT_HOST}/` }),
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await send({
          method: 'POST',
          path: '/wechat/jssdk/card-config',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        })
      ).status,
    ).toBe(200);
  });
  afterAll(async () => {
    keepAlive.destroy();
    await svc?.close();
    await sandbox?.close();
    await deleteKeys(prefix);
  });

  const jsapiTicket = () => sandbox.sandbox.currentTicket(ACCOUNT.appId, 'jsapi')!;
  const cardTicket = () => sandbox.sandbox.currentTicket(ACCOUNT.appId, 'wx_card')!;

  /** A 200 of the config routes: the documented fields, and a signature that recomputes over `signed`. */
  function expectSignedConfig(r: Answer, signed: string, what: string): void {
    const j = r.json;
    expect(Object.keys(j).sort()).toEqual(['appId', 'debug', 'jsApiList', 'nonceStr', 'openTagList', 'signature', 'timestamp']);
    expect(j.appId).toBe(ACCOUNT.appId);
    expect(Number.isInteger(j.timestamp) && Math.abs(j.timestamp - Date.now() / 1000) < 60).toBe(true);
    expect(j.nonceStr).toMatch(/^[A-Za-z0-9]{16,}$/);
    if (j.signature !== expectedSignature(jsapiTicket(), j.nonceStr, j.timestamp, signed)) {
      throw new Error(`signature is not over ${JSON.stringify(signed)}: ${what}`);
    }
  }

  /** One POST config request checked against the signing rules. */
  async function checkConfigCase(c: ConfigCase): Promise<void> {
    const text = JSON.stringify(configBody(c));
    const r = await send({
      method: 'POST',
      path: '/wechat/jssdk/config',
      headers: { 'content-type': 'application/json' },
      body: text,
    });
    expectWellFormed(r, text.slice(0, 300));
    const allowed = allowedOutcomes(c);
    if (r.status === 200) {
      const sentBody = JSON.parse(text) as Record<string, unknown>;
      if (!allowed.has('ok') || !maySign(sentBody.url))
        throw new Error(`signed a request the rules refuse (${[...allowed]}): ${text.slice(0, 300)}`);
      expectSignedConfig(r, (sentBody.url as string).split('#')[0], text.slice(0, 300));
      // echoed as sent, defaults otherwise
      expect(r.json.jsApiList).toEqual(Array.isArray(sentBody.jsApiList) ? sentBody.jsApiList : []);
      expect(r.json.openTagList).toEqual(Array.isArray(sentBody.openTagList) ? sentBody.openTagList : []);
      expect(r.json.debug).toBe(typeof sentBody.debug === 'boolean' ? sentBody.debug : false);
    } else {
      expect(r.status).toBe(400);
      if (!allowed.has(r.json.code) && !hasPoisonKey(text))
        throw new Error(`${r.json.code} is not one of ${[...allowed]} for ${text.slice(0, 300)}`);
    }
  }

  it(
    'POST /wechat/jssdk/config: 200 only for an allowed host, signed over url.split("#")[0]; else INVALID_URL or DOMAIN_NOT_ALLOWED',
    async () => {
      await fc.assert(fc.asyncProperty(urlOnlyCase, checkConfigCase), { numRuns: 1000 });
    },
    TIMEOUT,
  );

  it(
    'POST /wechat/jssdk/config with valid and invalid fields mixed: VALIDATION_FAILED for bad or unknown fields, never a 200',
    async () => {
      await fc.assert(fc.asyncProperty(configCase, checkConfigCase), { numRuns: 600 });
    },
    TIMEOUT,
  );

  it(
    'POST /wechat/jssdk/config with any JSON value as body: 200 only with a signable url',
    async () => {
      const body = fc.oneof(
        fc.jsonValue({ maxDepth: 3 }),
        fc.object({ maxDepth: 2 }),
        fc.string({ unit: 'binary' }),
        fc.array(goodUrl, { maxLength: 2 }),
      );
      await fc.assert(
        fc.asyncProperty(body, async (value) => {
          const text = JSON.stringify(value) ?? 'null';
          const r = await send({
            method: 'POST',
            path: '/wechat/jssdk/config',
            headers: { 'content-type': 'application/json' },
            body: text,
          });
          expectWellFormed(r, text.slice(0, 300));
          if (r.status === 200) {
            const parsed = JSON.parse(text) as { url?: unknown };
            if (!maySign(parsed.url)) throw new Error(`signed a url that may not be signed: ${text.slice(0, 300)}`);
            expectSignedConfig(r, (parsed.url as string).split('#')[0], text);
          } else {
            expect(r.status).toBe(400);
            if (!hasPoisonKey(text)) expect(['INVALID_URL', 'VALIDATION_FAILED', 'DOMAIN_NOT_ALLOWED']).toContain(r.json.code);
          }
        }),
        { numRuns: 300 },
      );
    },
    TIMEOUT,
  );

  it(
    'GET /wechat/jssdk/config with raw query strings: duplicated keys, arrays, invalid percent-encodings',
    async () => {
      const key = fc.oneof(
        { weight: 6, arbitrary: fc.constant('url') },
        { weight: 3, arbitrary: fc.constantFrom('jsApiList', 'openTagList', 'debug') },
        {
          weight: 2,
          arbitrary: fc.constantFrom(
            'url[]',
            'url[0]',
            'URL',
            'u%72l',
            'url%00',
            '__proto__',
            'constructor',
            'toString',
            'hasOwnProperty',
            '',
            'url.x',
            'x',
          ),
        },
        { weight: 1, arbitrary: fc.string({ maxLength: 8 }).map(looseEncode) },
      );
      const value = fc.oneof(
        goodUrl.map(strictEncode),
        goodUrl.map(strictEncode),
        hostFocusedUrl.map(strictEncode),
        anyUrl.map(strictEncode),
        anyUrl.map(looseEncode),
        goodUrl.map(looseEncode),
        fc.constantFrom(
          '',
          '%',
          '%G1',
          '%E4%BD',
          '%ZZ',
          '%%',
          '%25',
          '%00',
          '%0A',
          'a+b',
          'true',
          'false',
          'yes',
          'chooseImage,scanQRCode',
          ',,',
          'a,%3Cb%3E',
        ),
        fc.string({ unit: 'binary', maxLength: 20 }).map(looseEncode),
      );
      const pair = fc.tuple(key, fc.option(value, { nil: undefined }));
      const query = fc.tuple(fc.array(pair, { minLength: 0, maxLength: 5 }), fc.constantFrom('&', '&', '&', ';', '&&'));
      await fc.assert(
        fc.asyncProperty(query, async ([pairs, separator]) => {
          const qs = pairs.map(([k, v]) => (v === undefined ? k : `${k}=${v}`)).join(separator);
          // past 16 KiB of request line Node answers 431 itself: that is the next property's business
          fc.pre(qs.length < 12_000);
          const r = await send({ path: `/wechat/jssdk/config?${qs}` });
          expectWellFormed(r, qs.slice(0, 300));
          if (r.status === 200) {
            // only known parameters (unknown ones are rejected), exactly one url, and the signature
            // is over what a parser made of it: never a disallowed host
            const pieces = qs.split('&').filter((p) => p !== '');
            const unknown = pieces.map((p) => decodeQueryValue(p.split('=')[0])).filter((k) => !KNOWN_KEYS.has(k ?? ''));
            if (unknown.length) throw new Error(`200 despite unknown parameters ${JSON.stringify(unknown)}: ${qs.slice(0, 300)}`);
            const urls = pieces.filter((p) => p.includes('=') && decodeQueryValue(p.slice(0, p.indexOf('='))) === 'url');
            expect(urls).toHaveLength(1);
            const candidates = queryCandidates(urls[0].slice(urls[0].indexOf('=') + 1)).filter((u) => maySign(u));
            const j = r.json;
            const match = candidates.find(
              (u) => j.signature === expectedSignature(jsapiTicket(), j.nonceStr, j.timestamp, u.split('#')[0]),
            );
            if (!match)
              throw new Error(`200 for a url that may not be signed, or signed over something else: ${qs.slice(0, 300)}`);
            expectSignedConfig(r, match.split('#')[0], qs);
          } else {
            expect(r.status).toBe(400);
            expect(['INVALID_URL', 'DOMAIN_NOT_ALLOWED', 'VALIDATION_FAILED']).toContain(r.json.code);
          }
        }),
        { numRuns: 600 },
      );
    },
    TIMEOUT,
  );

  it(
    'GET /wechat/jssdk/config with one well-formed url and valid options always signs it',
    async () => {
      const options = fc.record(
        {
          jsApiList: fc.array(apiName, { minLength: 1, maxLength: 4 }),
          openTagList: fc.array(tagName, { minLength: 1, maxLength: 2 }),
          debug: fc.boolean(),
        },
        { requiredKeys: [] },
      );
      await fc.assert(
        fc.asyncProperty(goodUrl, options, fc.boolean(), async (url, given, urlLast) => {
          const params = Object.entries(given).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`);
          if (urlLast) params.push(`url=${strictEncode(url)}`);
          else params.unshift(`url=${strictEncode(url)}`);
          const r = await send({ path: `/wechat/jssdk/config?${params.join('&')}` });
          expectWellFormed(r, url);
          expect(r.status).toBe(200);
          expectSignedConfig(r, url.split('#')[0], url);
          expect(r.json).toMatchObject({
            jsApiList: given.jsApiList ?? [],
            openTagList: given.openTagList ?? [],
            debug: given.debug ?? false,
          });
        }),
        { numRuns: 200 },
      );
    },
    TIMEOUT,
  );

  it(
    'POST /wechat/jssdk/card-config with arbitrary bodies: 200 only for string filters, cardSign recomputes',
    async () => {
      const cardValue = fc.option(
        fc.oneof(
          {
            weight: 6,
            arbitrary: fc
              .oneof(
                fc.stringMatching(/^[A-Za-z0-9_-]{0,32}$/),
                fc.constantFrom('GROUPON', 'CASH', 'DISCOUNT', 'GIFT', 'GENERAL_COUPON'),
              )
              .map(tagged('valid')),
          },
          {
            weight: 1,
            arbitrary: fc
              .oneof(fc.integer(), fc.boolean(), fc.object({ maxDepth: 1 }), fc.array(fc.string(), { maxLength: 2 }))
              .map(tagged('invalid')),
          },
          {
            weight: 2,
            arbitrary: fc
              .oneof(fc.constant(null), fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ minLength: 60, maxLength: 90 }))
              .map(tagged('unknown')),
          },
        ),
        { nil: undefined, freq: 3 },
      );
      const cardKeys = new Set(['shopId', 'cardType', 'cardId']);
      const card = fc.oneof(
        {
          weight: 4,
          arbitrary: fc.record({
            shopId: cardValue,
            cardType: cardValue,
            cardId: cardValue,
            extra: fc.oneof(
              { weight: 6, arbitrary: fc.constant(undefined) },
              {
                weight: 1,
                arbitrary: fc.dictionary(unknownKey(cardKeys), fc.jsonValue({ maxDepth: 1 }), { minKeys: 1, maxKeys: 2 }),
              },
            ),
          }),
        },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((raw) => ({ raw })) },
      );
      await fc.assert(
        fc.asyncProperty(card, async (c) => {
          let body: unknown;
          let mustPass = false;
          let mayPass = true;
          if ('raw' in c) {
            body = c.raw;
            mayPass =
              body === null ||
              (typeof body === 'object' &&
                !Array.isArray(body) &&
                Object.entries(body as object).every(([k, v]) => cardKeys.has(k) && (typeof v === 'string' || v === null)));
          } else {
            const fields = { shopId: c.shopId, cardType: c.cardType, cardId: c.cardId };
            const obj: Record<string, unknown> = {};
            for (const [k, f] of Object.entries(fields)) if (f) obj[k] = f.value;
            for (const [k, v] of Object.entries(c.extra ?? {}))
              Object.defineProperty(obj, k, { value: v, enumerable: true, configurable: true, writable: true });
            body = obj;
            const given = Object.values(fields).filter((f) => f !== undefined);
            mustPass = given.every((f) => f.kind === 'valid') && c.extra === undefined;
            mayPass = given.every((f) => f.kind !== 'invalid') && c.extra === undefined;
          }
          const text = JSON.stringify(body) ?? 'null';
          const r = await send({
            method: 'POST',
            path: '/wechat/jssdk/card-config',
            headers: { 'content-type': 'application/json' },
            body: text,
          });
          expectWellFormed(r, text.slice(0, 300));
          if (mustPass) expect(r.status).toBe(200);
          if (r.status !== 200) {
            expect(r.status).toBe(400);
            if (!hasPoisonKey(text)) expect(r.json.code).toBe('VALIDATION_FAILED');
            return;
          }
          if (!mayPass) throw new Error(`200 for a body the rules refuse: ${text.slice(0, 300)}`);
          const sentBody = (JSON.parse(text) ?? {}) as Record<string, unknown>;
          const j = r.json;
          expect(Object.keys(j).sort()).toEqual([
            'cardId',
            'cardSign',
            'cardType',
            'nonceStr',
            'shopId',
            'signType',
            'timestamp',
          ]);
          const str = (v: unknown) => (typeof v === 'string' ? v : '');
          expect(j).toMatchObject({
            shopId: str(sentBody.shopId),
            cardType: str(sentBody.cardType),
            cardId: str(sentBody.cardId),
            signType: 'SHA1',
          });
          expect(j.nonceStr).toMatch(/^[A-Za-z0-9]{16,}$/);
          const values = [cardTicket(), ACCOUNT.appId, j.shopId, String(j.timestamp), j.nonceStr, j.cardId, j.cardType]
            .filter((v) => v !== '')
            .sort();
          expect(j.cardSign).toBe(sha1(values.join('')));
        }),
        { numRuns: 400 },
      );
    },
    TIMEOUT,
  );

  it(
    'raw bodies: any content-type and bytes give a JSON 4xx (or a 200 that the body justifies), never a 5xx',
    async () => {
      const contentType = fc.option(
        fc.oneof(
          fc.constantFrom(
            'application/json',
            'application/json; charset=utf-8',
            'Application/JSON',
            'application/vnd.api+json',
            'text/json',
            'application/json; charset=latin1',
            'application/json; charset=nope',
            'application/json;',
            'application/json, text/plain',
            'text/plain',
            'text/html',
            'application/x-www-form-urlencoded',
            'multipart/form-data; boundary=----x',
            'multipart/form-data',
            'application/xml',
            'application/octet-stream',
            '*/*',
            '',
            ';',
            'application/',
            '/json',
          ),
          randomHeaderValue,
        ),
        { nil: undefined },
      );
      const token = fc.constantFrom(
        '{',
        '}',
        '[',
        ']',
        ',',
        ':',
        '"url"',
        `"https://${EXACT_HOST}/"`,
        '"https://evil.com/"',
        'null',
        'true',
        '1e999',
        '-',
        '"\\u0000"',
        '"\\ud800"',
        '\ufeff',
        '"__proto__"',
        '"constructor"',
        '{"prototype":{}}',
        '"jsApiList"',
        '"',
        '\\',
        'url=',
        '&',
        '%zz',
        '\u0000',
      );
      const bytes = fc.oneof(
        fc.uint8Array({ maxLength: 2048 }).map((a) => Buffer.from(a)),
        fc.array(token, { maxLength: 20 }).map((t) => Buffer.from(t.join(''))),
        fc.tuple(configCase, fc.string({ maxLength: 5 })).map(([c, junk]) => Buffer.from(JSON.stringify(configBody(c)) + junk)),
        goodUrl.map((u) => Buffer.from(`url=${encodeURIComponent(u)}`)),
        fc.constant(Buffer.alloc(0)),
      );
      const route = fc.constantFrom('/wechat/jssdk/config', '/wechat/jssdk/card-config');
      await fc.assert(
        fc.asyncProperty(route, contentType, bytes, fc.boolean(), async (path, type, body, chunked) => {
          const r = await send({
            method: 'POST',
            path,
            headers: type === undefined ? {} : { 'content-type': type },
            body,
            chunked,
          });
          const what = `${path} ${JSON.stringify(type)} ${JSON.stringify(body.toString('utf8').slice(0, 200))}`;
          expectWellFormed(r, what);
          expect([200, 400, 413, 415]).toContain(r.status);
          if (r.status !== 200 || path !== '/wechat/jssdk/config') return;
          // a 200 must be explained by some reading of the body, with a url that may be signed
          const text = body.toString('utf8').replace(/^\ufeff/, '');
          const readings: unknown[] = [parseJson(text), Object.fromEntries(new URLSearchParams(text))];
          const j = r.json;
          const ok = readings.some((b) => {
            const url = (b as { url?: unknown } | undefined)?.url;
            return maySign(url) && j.signature === expectedSignature(jsapiTicket(), j.nonceStr, j.timestamp, url.split('#')[0]);
          });
          if (!ok) throw new Error(`200 not justified by the body: ${what}`);
        }),
        { numRuns: 400 },
      );
    },
    TIMEOUT,
  );

  it(
    'bodies over the 64 KiB limit give 413 JSON; at or under it the body is read',
    async () => {
      const size = fc.oneof(fc.integer({ min: BODY_LIMIT - 6, max: BODY_LIMIT + 6 }), fc.integer({ min: 40_000, max: 300_000 }));
      const type = fc.constantFrom(
        'application/json',
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/octet-stream',
      );
      await fc.assert(
        fc.asyncProperty(size, type, fc.boolean(), async (bytes, contentType, chunked) => {
          const head = `{"url":"https://${EXACT_HOST}/?`;
          const body = `${head}${'a'.repeat(Math.max(0, bytes - head.length - 2))}"}`;
          const r = await send({
            method: 'POST',
            path: '/wechat/jssdk/config',
            headers: { 'content-type': contentType },
            body,
            chunked,
            fresh: true,
          });
          expectWellFormed(r, `${bytes} bytes ${contentType} chunked=${chunked}`);
          // a type nobody parses may be refused before its size is looked at
          if (contentType === 'application/octet-stream') expect([413, 415]).toContain(r.status);
          else if (Buffer.byteLength(body) > BODY_LIMIT)
            expect(r).toMatchObject({ status: 413, json: { code: 'PAYLOAD_TOO_LARGE' } });
          else if (contentType === 'text/plain')
            expect(r).toMatchObject({ status: 400, json: { code: 'VALIDATION_FAILED' } }); // a string, not an object
          else expect(r).toMatchObject({ status: 400, json: { code: 'INVALID_URL' } });
        }),
        { numRuns: 40 },
      );
    },
    TIMEOUT,
  );

  it(
    'any method on any path answers, and its 4xx are JSON',
    async () => {
      const path = fc.oneof(
        fc.constantFrom(
          '/wechat/jssdk/config',
          '/wechat/jssdk/card-config',
          '/wechat/oauth/login',
          '/wechat/oauth/callback',
          '/wechat/oauth/me',
          '/wechat/oauth/logout',
          '/health',
          '/wechat/jssdk/',
          '/wechat/jssdk/config/',
          '/WECHAT/JSSDK/CONFIG',
          '/wechat//jssdk/config',
          '/wechat/jssdk/config%2F',
          '/wechat/%6Assdk/config',
          '/%',
          '/%zz',
          '/..%2f',
          '/wechat/oauth/me/..',
          '/wechat/oauth/me;x',
        ),
        fc.webPath().map((p) => p || '/'),
        fc.string({ unit: 'binary', maxLength: 30 }).map((s) => `/${looseEncode(s)}`),
      );
      const method = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS');
      await fc.assert(
        fc.asyncProperty(method, path, oddAccept, async (m, p, accept) => {
          const r = await send({ method: m, path: p, headers: { accept } });
          expectWellFormed(r, `${m} ${p}`);
        }),
        { numRuns: 300 },
      );
    },
    TIMEOUT,
  );

  it(
    'random headers and odd Accept values change nothing that matters',
    async () => {
      const FRAMING = new Set([
        'host',
        'content-length',
        'transfer-encoding',
        'connection',
        'expect',
        'upgrade',
        'te',
        'trailer',
        'keep-alive',
        'proxy-connection',
        'content-type',
        'content-encoding',
        'accept',
        'cookie',
      ]);
      const name = fc
        .oneof(
          fc.stringMatching(/^[a-z][a-z0-9-]{0,24}$/),
          fc.constantFrom(
            'x-forwarded-for',
            'x-forwarded-proto',
            'x-forwarded-host',
            'origin',
            'referer',
            'user-agent',
            'authorization',
            'x-http-method-override',
            'if-none-match',
            'range',
            'accept-encoding',
            'accept-language',
            'forwarded',
            'x-real-ip',
          ),
        )
        .filter((n) => !FRAMING.has(n));
      const value = fc.oneof(
        randomHeaderValue,
        fc.integer({ min: 500, max: 4000 }).map((n) => 'v'.repeat(n)),
        fc.constantFrom('', ' ', '\u00e9\u00ff', 'gzip, br', 'bytes=0-1'),
      );
      const headers = fc
        .tuple(
          fc.dictionary(name, value, { maxKeys: 6 }),
          oddAccept,
          fc.option(
            fc.string({ maxLength: 60 }).map((s) => `${COOKIE}=${looseEncode(s)}`),
            { nil: undefined },
          ),
        )
        .filter(
          ([h, a, c]) => Object.entries(h).reduce((n, [k, v]) => n + k.length + v.length, a.length + (c?.length ?? 0)) < 12_000,
        );
      const target = fc.constantFrom('health', 'get-config', 'post-config', 'me', 'login');
      await fc.assert(
        fc.asyncProperty(target, headers, goodUrl, async (t, [extra, accept, cookie], url) => {
          const h: Record<string, string> = { ...extra, accept, ...(cookie ? { cookie } : {}) };
          const what = `${t} ${JSON.stringify(h).slice(0, 300)}`;
          if (t === 'health') {
            const r = await send({ path: '/health', headers: h });
            expectWellFormed(r, what);
            expect(r.status).toBe(200);
          } else if (t === 'get-config' || t === 'post-config') {
            const r =
              t === 'get-config'
                ? await send({ path: `/wechat/jssdk/config?url=${strictEncode(url)}`, headers: h })
                : await send({
                    method: 'POST',
                    path: '/wechat/jssdk/config',
                    headers: { ...h, 'content-type': 'application/json' },
                    body: JSON.stringify({ url }),
                  });
            expectWellFormed(r, what);
            expect(r.status).toBe(200);
            expectSignedConfig(r, url.split('#')[0], what);
          } else if (t === 'me') {
            const r = await send({ path: '/wechat/oauth/me', headers: h });
            expectWellFormed(r, what);
            expect([302, 401]).toContain(r.status);
          } else {
            const r = await send({ path: '/wechat/oauth/login?returnTo=%2Fx', headers: h });
            expectWellFormed(r, what);
            expect(r.status).toBe(302);
            expect(String(r.headers.location)).toContain(`${sandbox.url}/connect/oauth2/authorize?`);
          }
        }),
        { numRuns: 400 },
      );
    },
    TIMEOUT,
  );

  it(
    'headers over the server limit get a JSON 431 in SPEC’s shape and a closed connection, not a bare reset',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 17_000, max: 60_000 }),
          fc.constantFrom('/health', '/wechat/jssdk/config', '/wechat/oauth/me'),
          async (n, path) => {
            const r = await send({ path, headers: { 'x-long': 'z'.repeat(n) }, fresh: true });
            expect(r.status).toBe(431);
            expectWellFormed(r, `${n}-byte header on ${path}`);
            // the server closes after this answer: it must say so, or a keep-alive client reuses a dead socket
            expect(String(r.headers.connection).toLowerCase()).toBe('close');
          },
        ),
        { numRuns: 10 },
      );
      expect((await send({ path: '/health' })).status).toBe(200);
    },
    TIMEOUT,
  );

  // -------------------------------------------------------------------------------------------
  // OAuth

  const AUTHORIZE = (scope: string) =>
    new RegExp(
      `^${sandbox.url.replace(/[.]/g, '\\.')}/connect/oauth2/authorize\\?appid=${ACCOUNT.appId}` +
        `&redirect_uri=${encodeURIComponent(`${PUBLIC}/wechat/oauth/callback`).replace(/[.]/g, '\\.')}` +
        `&response_type=code&scope=${scope}&state=([A-Za-z0-9]{16,128})#wechat_redirect$`,
    );

  /** returnTo values: open-redirect tricks, encoded forms, unicode, plain local paths. */
  const trickyReturnTo = fc.oneof(
    fc.constantFrom(
      'https://evil.com',
      '//evil.com',
      '/\\evil.com',
      '\\\\evil.com',
      '/\\/evil.com',
      'javascript:alert(1)',
      '%2F%2Fevil.com',
      '/%2F%2Fevil.com',
      '/%5Cevil.com',
      '/%255Cevil.com',
      '/%25255C',
      '/%2f%2fevil.com',
      '/\t/evil.com',
      '/\n/evil.com',
      '/ /evil.com',
      '///evil.com',
      '/.//evil.com',
      'http:evil.com',
      '/http://evil.com',
      'evil.com',
      '',
      ' /',
      '/%0d%0aSet-Cookie:x=1',
      '/\r\nSet-Cookie: x=1',
      '/%E4%BD%A0',
      '/\u4f60\u597d',
      '/\u00e9',
      '/\ud83d\ude00',
      '/\u2028',
      '/\u00a0',
      '/a#//evil.com',
      '/?//evil.com',
      '/%',
      '/%zz',
      '/%C0%AF',
      '/%c0%ae%c0%ae/',
      '/..%2f..%2f',
      '/../..//evil.com',
      '/./..//evil.com',
      '/a/../..//evil.com',
      '/%2e%2e//evil.com',
      '/%2E%2E/%2F/evil.com',
      '//%09/evil.com',
      '/\u3002evil.com',
      '/\uff0f\uff0fevil.com',
      `/${'x'.repeat(3000)}`,
      '/\ud800',
      '/wechat/oauth/login',
      '/a?b=\u00fc#x',
      '/orders?x=1',
    ),
    fc.webUrl({ withFragments: true, withQueryParameters: true }),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc
      .tuple(
        fc.constantFrom('/', '//', '/\\', '\\', '', '/%2F', '/%5C', 'https:', '/%2F%2F', '/.', '%2F', '/%252F'),
        fc.oneof(fc.webPath(), fc.string({ unit: 'binary', maxLength: 12 })),
      )
      .map(([a, b]) => a + b),
    fc
      .tuple(
        fc.constantFrom('//evil.com', '/\\evil.com', 'https://evil.com', '/ok'),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
      )
      .map(([s, times, slash]) => {
        let out: string = s;
        for (let i = 0; i < times; i++) out = encodeURIComponent(out);
        return slash ? `/${out}` : out;
      }),
  );
  /** Plain local paths that must come back exactly. */
  const plainPath = fc
    .tuple(
      fc.array(fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/), { maxLength: 4 }),
      fc.option(
        fc.array(fc.tuple(fc.stringMatching(/^[a-z]{1,4}$/), fc.stringMatching(/^[A-Za-z0-9_-]{0,6}$/)), {
          minLength: 1,
          maxLength: 3,
        }),
        { nil: undefined },
      ),
      fc.option(fc.stringMatching(/^[A-Za-z0-9/_-]{0,10}$/), { nil: undefined }),
    )
    .map(
      ([segments, query, fragment]) =>
        `/${segments.join('/')}${query ? `?${query.map(([k, v]) => `${k}=${v}`).join('&')}` : ''}${fragment !== undefined ? `#${fragment}` : ''}`,
    );

  const scopeParam = fc.oneof(
    { weight: 3, arbitrary: fc.constant<string[]>([]) },
    { weight: 4, arbitrary: fc.constantFrom('snsapi_base', 'snsapi_userinfo').map((s) => [s]) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          fc.constantFrom('snsapi_login', 'SNSAPI_BASE', 'snsapi_base ', 'snsapi_base,snsapi_userinfo', 'snsapi_%62ase'),
          fc.string({ unit: 'binary', maxLength: 12 }),
        )
        .map((s) => [looseEncode(s)]),
    },
    { weight: 1, arbitrary: fc.array(fc.constantFrom('snsapi_base', 'snsapi_userinfo', 'x'), { minLength: 2, maxLength: 3 }) },
    { weight: 1, arbitrary: fc.constant(['']) },
  );

  it(
    'GET /wechat/oauth/login: 302 to the sandbox authorize url in WeChat’s order, or 400 JSON for a bad scope',
    async () => {
      const returnTo = fc.array(
        fc.oneof(trickyReturnTo.map(strictEncode), trickyReturnTo.map(looseEncode), plainPath.map(strictEncode)),
        { maxLength: 2 },
      );
      const noise = fc.array(
        fc.tuple(
          fc.constantFrom('state', 'appid', 'redirect_uri', 'x', 'returnTo[]'),
          fc.string({ maxLength: 8 }).map(looseEncode),
        ),
        { maxLength: 2 },
      );
      await fc.assert(
        fc.asyncProperty(returnTo, scopeParam, noise, oddAccept, async (rts, scopes, extra, accept) => {
          const params = [
            ...rts.map((v) => `returnTo=${v}`),
            ...scopes.map((s) => `scope=${s}`),
            ...extra.map(([k, v]) => `${k}=${v}`),
          ];
          const path = `/wechat/oauth/login?${params.join('&')}`;
          const r = await send({ path, headers: { accept } });
          expectWellFormed(r, path.slice(0, 300));
          const decoded = scopes.map(decodeQueryValue);
          const valid = (s: string | undefined) => s === 'snsapi_base' || s === 'snsapi_userinfo';
          // absent or one valid scope must log in; an empty or repeated valid one may go either way
          const mustPass = scopes.length === 0 || (scopes.length === 1 && valid(decoded[0]));
          const mayPass = mustPass || decoded.every((s) => valid(s) || s === '');
          if (r.status === 400) {
            expect(mustPass).toBe(false);
            expect(r.json.code).toBe('VALIDATION_FAILED');
            return;
          }
          expect(r.status).toBe(302);
          expect(mayPass).toBe(true);
          const scope = scopes.length === 0 ? 'snsapi_userinfo' : mustPass ? decoded[0]! : '(?:snsapi_base|snsapi_userinfo)';
          expect(String(r.headers.location)).toMatch(AUTHORIZE(scope));
          // the session cookie carries the state; nothing of returnTo goes to WeChat
          expect((r.headers['set-cookie'] ?? []).some((c) => c.startsWith(`${COOKIE}=`))).toBe(true);
        }),
        { numRuns: 600 },
      );
    },
    TIMEOUT,
  );

  it(
    'a completed login (allowed or refused) always lands on a local path; plain paths come back exactly',
    async () => {
      const returnTo = fc.oneof(
        { weight: 3, arbitrary: trickyReturnTo.map((v) => ({ value: v, exact: false, raw: false })) },
        { weight: 1, arbitrary: trickyReturnTo.map((v) => ({ value: v, exact: false, raw: true })) },
        { weight: 2, arbitrary: plainPath.map((v) => ({ value: v, exact: true, raw: false })) },
      );
      const decision = fc.constantFrom<'allow' | 'deny'>('allow', 'allow', 'allow', 'deny');
      const scope = fc.constantFrom('snsapi_base', 'snsapi_userinfo');
      await fc.assert(
        fc.asyncProperty(returnTo, decision, scope, async (rt, choice, sc) => {
          const browser = new Browser();
          const encoded = rt.raw ? looseEncode(rt.value) : strictEncode(rt.value);
          const login = await browser.get(`/wechat/oauth/login?scope=${sc}&returnTo=${encoded}`);
          expectWellFormed(login, encoded);
          expect(login.status).toBe(302);
          const redirect = sandbox.sandbox.authorize(String(login.headers.location), { decision: choice });
          expect(redirect.startsWith(`${PUBLIC}/wechat/oauth/callback?`)).toBe(true);
          const u = new URL(redirect);
          const callback = await browser.get(`${u.pathname}${u.search}`);
          const what = `returnTo ${JSON.stringify(rt.value)} (${rt.raw ? 'raw' : 'encoded'}), ${choice}`;
          expectWellFormed(callback, what);
          expect(callback.status).toBe(302);
          const location = String(callback.headers.location);
          if (!isLocalLocation(location)) throw new Error(`not a local path: ${JSON.stringify(location)} for ${what}`);
          const landing = choice === 'allow' ? location : location.replace(/[?&]wechat_error=access_denied(?=#|$)/, '');
          if (choice === 'deny') expect(location).toContain('wechat_error=access_denied');
          if (!rt.raw && landing !== '/' && lenientDecode(landing) !== lenientDecode(asReceived(rt.value))) {
            throw new Error(`landed on ${JSON.stringify(landing)}, neither returnTo nor /: ${what}`);
          }
          if (rt.exact) expect(landing).toBe(rt.value);
        }),
        { numRuns: 300 },
      );
    },
    TIMEOUT,
  );

  it(
    'GET /wechat/oauth/callback with arbitrary code and state: 403 unless the state is this session’s, and WeChat is called only then',
    async () => {
      type StatePlan =
        | 'absent'
        | 'real'
        | 'empty'
        | 'random'
        | 'sameShape'
        | 'prefixed'
        | 'suffixed'
        | 'truncated'
        | 'swappedCase'
        | 'encodedReal'
        | 'dupReal'
        | 'dupMixed'
        | 'foreign';
      const statePlan = fc.constantFrom<StatePlan>(
        'absent',
        'real',
        'real',
        'real',
        'real',
        'real',
        'real',
        'empty',
        'random',
        'sameShape',
        'prefixed',
        'suffixed',
        'truncated',
        'swappedCase',
        'encodedReal',
        'dupReal',
        'dupMixed',
        'foreign',
      );
      const codePlan = fc.constantFrom('absent', 'empty', 'random', 'random', 'real', 'dup');
      const scenario = fc.constantFrom('noSession', 'garbageCookie', 'pending', 'pending', 'pending');
      const accept = fc.constantFrom('text/html', 'application/json', '*/*', '', 'application/json, text/html');
      const randomText = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });
      await fc.assert(
        fc.asyncProperty(
          scenario,
          statePlan,
          codePlan,
          accept,
          randomText,
          fc.stringMatching(/^[A-Za-z0-9]{32}$/),
          async (sc, sp, cp, acc, rnd, shape) => {
            const browser = new Browser();
            let state = '';
            let realCode = '';
            if (sc === 'garbageCookie') browser.cookie = `${COOKIE}=${strictEncode(rnd)}`;
            if (sc === 'pending') {
              const login = await browser.get('/wechat/oauth/login?returnTo=%2Fp');
              state = String(login.headers.location).match(/state=([A-Za-z0-9]+)/)![1];
              if (cp === 'real')
                realCode = new URL(sandbox.sandbox.authorize(String(login.headers.location))).searchParams.get('code')!;
            }
            let foreign = '';
            if (sp === 'foreign') {
              const other = await new Browser().get('/wechat/oauth/login');
              foreign = String(other.headers.location).match(/state=([A-Za-z0-9]+)/)![1];
            }
            const real = state || shape;
            const stateValues: Record<StatePlan, string[]> = {
              absent: [],
              real: [real],
              empty: [''],
              random: [strictEncode(rnd)],
              sameShape: [shape],
              prefixed: [`x${real}`],
              suffixed: [`${real}0`],
              truncated: [real.slice(0, -1)],
              swappedCase: [real.replace(/[a-zA-Z]/, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()))],
              encodedReal: [[...real].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('')],
              dupReal: [real, real],
              dupMixed: [real, shape],
              foreign: [foreign],
            };
            const codeValues: Record<string, string[]> = {
              absent: [],
              empty: [''],
              random: [strictEncode(rnd)],
              real: realCode ? [realCode] : [strictEncode(rnd)],
              dup: [strictEncode(rnd), realCode || 'x'],
            };
            const params = [...codeValues[cp].map((v) => `code=${v}`), ...stateValues[sp].map((v) => `state=${v}`)];
            const path = `/wechat/oauth/callback?${params.join('&')}`;
            const before = sandbox.sandbox.calls(EXCHANGE);
            const r = await browser.get(path, acc);
            const exchanges = sandbox.sandbox.calls(EXCHANGE) - before;
            const what = `${sc} ${sp} ${cp} accept=${JSON.stringify(acc)} ${path.slice(0, 200)}`;
            expectWellFormed(r, what);
            const stateValid = sc === 'pending' && stateValues[sp].length === 1 && decodeQueryValue(stateValues[sp][0]) === state;
            const maybeValid = sc === 'pending' && stateValues[sp].length > 1 && stateValues[sp].includes(state);
            if (!stateValid && !maybeValid) {
              if (r.status !== 403 || r.json.code !== 'INVALID_STATE')
                throw new Error(`expected 403 INVALID_STATE: ${what} -> ${r.status} ${r.text}`);
              expect(exchanges).toBe(0);
              return;
            }
            expect([302, 401, ...(maybeValid ? [403] : [])]).toContain(r.status);
            expect(exchanges).toBeLessThanOrEqual(1);
            const codes = codeValues[cp];
            if (!stateValid || codes.length > 1) return;
            if (codes.length === 0 || codes[0] === '') {
              // the user refused: nothing to exchange
              expect(exchanges).toBe(0);
              if (acc === 'text/html')
                expect(r).toMatchObject({ status: 302, headers: { location: '/p?wechat_error=access_denied' } });
              if (acc === 'application/json') expect(r).toMatchObject({ status: 401, json: { code: 'ACCESS_DENIED' } });
            } else if (codes[0] === realCode) {
              expect(exchanges).toBe(1);
              expect(r).toMatchObject({ status: 302, headers: { location: '/p' } });
            } else {
              expect(exchanges).toBe(1);
              expect(r).toMatchObject({ status: 401, json: { code: 'INVALID_CODE' } });
            }
          },
        ),
        { numRuns: 500 },
      );
    },
    TIMEOUT,
  );

  it(
    'GET /wechat/oauth/me without a user: 302 to login for an HTML navigation, else 401 JSON with loginUrl',
    async () => {
      const query = fc.option(fc.string({ unit: 'binary', maxLength: 30 }).map(looseEncode), { nil: undefined });
      const cookie = fc.option(
        fc
          .oneof(fc.string({ maxLength: 80 }), fc.stringMatching(/^s:[A-Za-z0-9_-]{20,40}\.[A-Za-z0-9/+]{10,43}$/))
          .map((s) => `${COOKIE}=${looseEncode(s)}`),
        { nil: undefined },
      );
      await fc.assert(
        fc.asyncProperty(oddAccept, query, cookie, async (accept, q, c) => {
          const path = `/wechat/oauth/me${q === undefined ? '' : `?${q}`}`;
          const r = await send({ path, headers: { accept, ...(c ? { cookie: c } : {}) } });
          const what = `${path} accept=${JSON.stringify(accept.slice(0, 100))} cookie=${JSON.stringify(c)}`;
          expectWellFormed(r, what);
          const loginUrl = `/wechat/oauth/login?returnTo=${encodeURIComponent(path)}`;
          const html = accept.includes('text/html');
          const maybeHtml = accept.toLowerCase().includes('text/html');
          if (r.status === 302) {
            expect(maybeHtml).toBe(true);
            expect(r.headers.location).toBe(loginUrl);
          } else {
            expect(html).toBe(false);
            expect(r.status).toBe(401);
            expect(r.json).toMatchObject({ statusCode: 401, code: 'NOT_AUTHENTICATED', loginUrl });
          }
        }),
        { numRuns: 500 },
      );
    },
    TIMEOUT,
  );

  it('after all of it: /health answers 200, and no response carried a WeChat secret', async () => {
    const health = await send({ path: '/health' });
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ status: 'ok', redis: 'up' });
    const secrets = sandbox.sandbox.issuedSecrets();
    expect(secrets.length).toBeGreaterThan(3);
    const everything = seen.join('\u0000');
    const leaked = secrets.filter((s) => everything.includes(s));
    expect(leaked).toEqual([]);
  });
});
