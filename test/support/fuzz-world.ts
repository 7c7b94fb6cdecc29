import { startSandbox, type SandboxServer } from '../../src/sandbox/index.js';
import { type Platform, type RunningApp, serviceEnv, startApp } from './app.js';
import { closeConnections, send, useBase } from './fuzz-http.js';
import { ACCOUNT, EXACT_HOST, PUBLIC, WILDCARD_BASE } from './fuzz-inputs.js';
import { deleteKeys, uniquePrefix } from './redis-keys.js';

/** One sandbox and one service for a fuzzing suite, its tickets warmed; `close()` removes it all. */
export interface FuzzWorld {
  sandbox: SandboxServer;
  svc: RunningApp;
  close(): Promise<void>;
}

export async function startFuzzWorld(platform: Platform): Promise<FuzzWorld> {
  const prefix = uniquePrefix('fuzz');
  const sandbox = await startSandbox({ accounts: [ACCOUNT] });
  const svc = await startApp(
    serviceEnv(sandbox.url, ACCOUNT, {
      CACHE_KEY_PREFIX: prefix,
      PUBLIC_BASE_URL: PUBLIC,
      WECHAT_JS_DOMAINS: `${EXACT_HOST},*.${WILDCARD_BASE}`,
      // thousands of requests from one address: the abuse limits have tests of their own
      RATE_LIMIT_PER_MINUTE: '0',
    }),
    platform,
  );
  useBase(svc.url, { escapeHash: platform === 'express' });
  // warm the tickets once, so every later signature is checked against a known ticket
  for (const [path, body] of [
    ['/wechat/jssdk/config', JSON.stringify({ url: `https://${EXACT_HOST}/` })],
    ['/wechat/jssdk/card-config', '{}'],
  ] as const) {
    const warm = await send({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body });
    if (warm.status !== 200) throw new Error(`warming ${path} answered ${warm.status}`);
  }
  return {
    sandbox,
    svc,
    close: async () => {
      closeConnections();
      await svc.close();
      await sandbox.close();
      await deleteKeys(prefix);
    },
  };
}
