import fc from 'fast-check';
import type { SandboxServer } from '../../src/sandbox/index.js';
import { PLATFORMS } from '../support/app.js';
import { type FuzzWorld, startFuzzWorld } from '../support/fuzz-world.js';
import { expectedSignature } from '../support/signature-check.js';
import { type Answer, expectWellFormed, parseJson, seen, send } from '../support/fuzz-http.js';
import {
  ACCOUNT,
  BODY_LIMIT,
  COOKIE,
  type ConfigCase,
  EXACT_HOST,
  KNOWN_KEYS,
  TIMEOUT,
  allowedOutcomes,
  anyUrl,
  apiName,
  configBody,
  configCase,
  decodeQueryValue,
  goodUrl,
  hasPoisonKey,
  hostFocusedUrl,
  looseEncode,
  maySign,
  oddAccept,
  queryCandidates,
  randomHeaderValue,
  sha1,
  strictEncode,
  tagName,
  tagged,
  unknownKey,
  urlOnlyCase,
} from '../support/fuzz-inputs.js';

/*
 * Property-based fuzzing over HTTP of the signing routes and of what any route gets (raw bodies, methods,
 * headers): every property states what must hold for any input, so a failure prints fast-check's seed and
 * the shrunk input.
 */
describe.each(PLATFORMS)('fuzzing the signing routes and raw HTTP (one service, one sandbox, real Redis), on %s', (platform) => {
  let world: FuzzWorld;
  let sandbox: SandboxServer;

  beforeAll(async () => {
    world = await startFuzzWorld(platform);
    ({ sandbox } = world);
  });
  afterAll(() => world?.close());

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
