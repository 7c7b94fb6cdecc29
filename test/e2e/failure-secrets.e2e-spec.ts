import { startSandbox, type SandboxFault, type SandboxServer } from '../../src/sandbox/index.js';
import { postJson } from '../support/app.js';
import { CookieClient, pathOf } from '../support/browser-client.js';
import { loggedInClient } from '../support/media-client.js';
import { type ServiceProcess, startServiceProcess } from '../support/processes.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../support/redis-keys.js';

const ACCOUNT = { appId: 'wx2b2b3c3c4d4d5e5e', appSecret: 'failure-secrets-e2e-appsecret-0123' };

interface Outcome {
  name: string;
  statuses: number[];
  bodies: string;
  logs: string;
  secrets: string[];
}

type Mode = 'stable' | 'classic';
type Drive = (svc: ServiceProcess, sandbox: SandboxServer) => Promise<{ status: number; text: string }[]>;

const sign = async (svc: ServiceProcess) => [
  await postJson(`${svc.url}/wechat/jssdk/config`, { url: 'https://h5.example.com/' }),
];
const faulty =
  (endpoint: string, fault: SandboxFault, times = 3): Drive =>
  async (svc, sandbox) => {
    sandbox.sandbox.injectFault(endpoint, fault, times);
    return sign(svc);
  };
const tokenEndpoint = (mode: Mode) => (mode === 'stable' ? 'cgi-bin/stable_token' : 'cgi-bin/token');

/** A login whose code exchange (secret in the query) meets `fault`. */
const failingLogin =
  (fault: SandboxFault): Drive =>
  async (svc, sandbox) => {
    const client = new CookieClient(svc.url);
    const login = await client.get('/wechat/oauth/login', 'application/json');
    sandbox.sandbox.injectFault('sns/oauth2/access_token', fault, 3);
    return [login, await client.get(pathOf(sandbox.sandbox.authorize(login.location!)), 'application/json')];
  };

/** A media save (access_token in the query) whose download meets `fault`. */
const failingDownload =
  (fault: SandboxFault): Drive =>
  async (svc, sandbox) => {
    const client = await loggedInClient(svc.url, sandbox.sandbox);
    const mediaId = sandbox.sandbox.registerMedia(ACCOUNT.appId, { type: 'image', size: 1000 });
    await sign(svc);
    sandbox.sandbox.injectFault('cgi-bin/media/get', fault, 3);
    return [await client.post(`/wechat/media/${mediaId}`)];
  };

/** A login whose callback path is made malformed (`%ff`), the real code in its query. */
const malformedCallback: Drive = async (svc, sandbox) => {
  const client = new CookieClient(svc.url);
  const login = await client.get('/wechat/oauth/login', 'application/json');
  const callback = pathOf(sandbox.sandbox.authorize(login.location!)).replace('/callback?', '/callback%ff?');
  return [login, await client.get(callback, 'application/json')];
};

const SCENARIOS: [string, Mode, (mode: Mode) => Drive][] = [
  ['a malformed callback url carrying a real login code', 'stable', () => malformedCallback],
  [
    'WeChat down',
    'stable',
    () => async (svc, sandbox) => {
      await sandbox.stop();
      return sign(svc);
    },
  ],
  [
    'WeChat down',
    'classic',
    () => async (svc, sandbox) => {
      await sandbox.stop();
      return sign(svc);
    },
  ],
  ['the token call refused (40164)', 'stable', (m) => faulty(tokenEndpoint(m), { kind: 'errcode', errcode: 40164 }, 1)],
  ['the token call refused (40164)', 'classic', (m) => faulty(tokenEndpoint(m), { kind: 'errcode', errcode: 40164 }, 1)],
  ['garbage answers', 'stable', (m) => faulty(tokenEndpoint(m), { kind: 'garbage' })],
  ['HTTP 500 answers', 'classic', (m) => faulty(tokenEndpoint(m), { kind: 'http', status: 500 })],
  ['answers past the timeout', 'stable', (m) => faulty(tokenEndpoint(m), { kind: 'slow', delayMs: 1500 })],
  ['dropped connections', 'classic', (m) => faulty(tokenEndpoint(m), { kind: 'drop' })],
  ['the ticket call refused (45009)', 'stable', () => faulty('cgi-bin/ticket/getticket', { kind: 'errcode', errcode: 45009 }, 1)],
  ['a login whose code exchange drops', 'stable', () => failingLogin({ kind: 'drop' })],
  ['a login whose code exchange times out', 'stable', () => failingLogin({ kind: 'slow', delayMs: 1500 })],
  ['a login whose code exchange is refused (40125)', 'stable', () => failingLogin({ kind: 'errcode', errcode: 40125 })],
  ['a media download that drops', 'stable', () => failingDownload({ kind: 'drop' })],
  ['a media download answering garbage', 'classic', () => failingDownload({ kind: 'http', status: 502 })],
];

const ACCOUNT_ENV = { WECHAT_APP_ID: ACCOUNT.appId, WECHAT_APP_SECRET: ACCOUNT.appSecret };

/** One scenario in a sandbox and a service process of its own; everything they said is kept. */
async function run(name: string, mode: Mode, drive: Drive): Promise<Outcome> {
  const prefix = uniquePrefix('failsecret');
  const sandbox = await startSandbox({ accounts: [ACCOUNT] });
  const svc = await startServiceProcess({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PORT: '0',
    WECHAT_SANDBOX: 'false',
    ...ACCOUNT_ENV,
    WECHAT_TOKEN_MODE: mode,
    WECHAT_API_BASE_URL: sandbox.url,
    WECHAT_OPEN_BASE_URL: sandbox.url,
    WECHAT_HTTP_TIMEOUT_MS: '500',
    REDIS_URL,
    CACHE_KEY_PREFIX: prefix,
    PUBLIC_BASE_URL: 'http://h5.test',
    SESSION_SECRET: 'failure-secrets-session-secret-0123456789',
  });
  let answers: { status: number; text: string }[] = [];
  try {
    answers = await drive(svc, sandbox);
  } finally {
    await svc.stop();
    await sandbox.close();
    await deleteKeys(prefix);
  }
  return {
    name: `${name} (${mode})`,
    statuses: answers.map((a) => a.status),
    bodies: answers.map((a) => a.text).join('\n'),
    logs: svc.output(),
    secrets: sandbox.sandbox.issuedSecrets(),
  };
}

describe('no failure path leaks the AppSecret, a token or a ticket, in the answer or in the log', () => {
  const outcomes: Outcome[] = [];
  beforeAll(async () => {
    // four at a time: each runs its own sandbox and service process
    for (let i = 0; i < SCENARIOS.length; i += 4) {
      const batch = SCENARIOS.slice(i, i + 4).map(([name, mode, drive]) => run(name, mode, drive(mode)));
      outcomes.push(...(await Promise.all(batch)));
    }
  }, 120_000);

  it.each(SCENARIOS.map(([name, mode]) => `${name} (${mode})`))('%s', (name) => {
    const outcome = outcomes.find((o) => o.name === name)!;
    // the failure really happened, and was answered in the JSON shape
    expect(outcome.statuses.some((s) => s >= 400)).toBe(true);
    expect(outcome.statuses.every((s) => s !== 500)).toBe(true);
    expect(outcome.logs).toMatch(/"msg":"request"/);
    const secrets = [ACCOUNT.appSecret, ...outcome.secrets];
    for (const secret of secrets) {
      expect(outcome.bodies.includes(secret)).toBe(false);
      expect(outcome.logs.includes(secret)).toBe(false);
    }
  });
});
