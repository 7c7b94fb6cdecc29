import fc from 'fast-check';
import type { SandboxServer } from '../../src/sandbox/index.js';
import { PLATFORMS } from '../support/app.js';
import { type FuzzWorld, startFuzzWorld } from '../support/fuzz-world.js';
import { Browser, expectWellFormed, seen, send } from '../support/fuzz-http.js';
import {
  ACCOUNT,
  COOKIE,
  EXCHANGE,
  PUBLIC,
  TIMEOUT,
  asReceived,
  decodeQueryValue,
  isLocalLocation,
  lenientDecode,
  looseEncode,
  oddAccept,
  strictEncode,
} from '../support/fuzz-inputs.js';

/*
 * Property-based fuzzing over HTTP of the login routes: returnTo tricks, scopes, states and codes, Accept
 * headers; every property states what must hold for any input.
 */
describe.each(PLATFORMS)('fuzzing the OAuth routes (one service, one sandbox, real Redis), on %s', (platform) => {
  let world: FuzzWorld;
  let sandbox: SandboxServer;

  beforeAll(async () => {
    world = await startFuzzWorld(platform);
    ({ sandbox } = world);
  });
  afterAll(() => world?.close());

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
