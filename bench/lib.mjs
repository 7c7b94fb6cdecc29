import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

// On a 2-core machine the load generator and the server fight for CPU; pinning the server to the
// last core and this process (autocannon) to the first keeps runs comparable side by side.
const CORES = os.cpus().length;
const HAS_TASKSET = CORES >= 2 && spawnSync('taskset', ['-V']).status === 0;
if (HAS_TASKSET) spawnSync('taskset', ['-cp', '0', String(process.pid)]);
function pinned(argv) {
  return HAS_TASKSET ? ['taskset', ['-c', String(CORES - 1), ...argv]] : [argv[0], argv.slice(1)];
}
// Helpers that must not compete with the server under test share the load generator's core.
function unpinned(argv) {
  return HAS_TASKSET ? ['taskset', ['-c', '0', ...argv]] : [argv[0], argv.slice(1)];
}
export const pinning = HAS_TASKSET ? `server pinned to core ${CORES - 1}, load generator to core 0` : 'no CPU pinning';
export const REDIS_URL = 'redis://127.0.0.1:6379/0';
const LISTENING = /listening on http:\/\/[^\s]+:(\d+)/;

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

// The service runs with the node flags of `npm start` (read from package.json, so they stay in step).
const START = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).scripts.start.split(/\s+/);
export const NODE_FLAGS = START.slice(1, START.indexOf('dist/service/main.js'));

/** Starts the built service as `npm start` does, on a free port, and resolves once /health answers. */
export async function startService(env) {
  const port = await freePort();
  return startProcess('dist/service/main.js', { ...env, PORT: String(port) }, port, [], true, NODE_FLAGS);
}

/** Starts a node script as its own process; resolves once it logs "listening on" (or answers on `port`). */
export async function startProcess(script, env = {}, knownPort, extraArgs = [], pin = true, nodeFlags = []) {
  const argv = [process.execPath, ...nodeFlags, script, ...extraArgs];
  const [command, args] = pin ? pinned(argv) : unpinned(argv);
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let head = '';
  const port = await new Promise((resolve, reject) => {
    // one that does not start in time is stopped, never left running behind the bench
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`${script} did not start:\n${head}`));
    }, 20_000);
    const onData = (chunk) => {
      if (head.length < 20_000) head += chunk;
      const match = LISTENING.exec(head);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}:\n${head}`)));
    if (knownPort) {
      const poll = async () => {
        try {
          await fetch(`http://127.0.0.1:${knownPort}/health`);
          clearTimeout(timer);
          resolve(knownPort);
        } catch {
          setTimeout(poll, 50);
        }
      };
      void poll();
    }
  });
  // Keep draining its output (request logs) so the pipe never blocks it.
  child.stdout.resume();
  child.stderr.resume();
  return {
    url: `http://127.0.0.1:${port}`,
    // the node process itself (taskset execs into it, keeping the pid)
    childPid: child.pid,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Runs a node script to its end on the server's core (a floor measured in a process of its own, or a
 * loop of the core's own code); resolves with the JSON object its last line of output holds.
 */
export async function runPinned(script, args = []) {
  const [command, argv] = pinned([process.execPath, script, ...args]);
  const child = spawn(command, argv, { cwd: ROOT, env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  const [code] = await once(child, 'close');
  if (code !== 0) throw new Error(`${script} exited with ${code}`);
  return JSON.parse(out.trim().split('\n').pop());
}

/** The simulator as its own process (pinned with the load generator), driven over its control API. */
export async function startSandboxProcess(options = {}) {
  const proc = await startProcess('bench/sandbox-server.mjs', {}, undefined, [JSON.stringify(options)], false);
  return {
    url: proc.url,
    account: { appId: 'wx5a0d8b0c1e2f3a4b', appSecret: 'sandbox-secret-0123456789abcdef' },
    calls: async () => await (await fetch(`${proc.url}/__sandbox/calls`)).json(),
    resetCalls: () => fetch(`${proc.url}/__sandbox/reset-calls`, { method: 'POST' }),
    stop: proc.stop,
  };
}

export function serviceEnv(sandbox, extra = {}) {
  const account = sandbox.account ?? sandbox.sandbox.accounts[0];
  return {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    WECHAT_SANDBOX: 'false',
    WECHAT_APP_ID: account.appId,
    WECHAT_APP_SECRET: account.appSecret,
    WECHAT_API_BASE_URL: sandbox.url,
    WECHAT_JS_DOMAINS: 'h5.example.com',
    REDIS_URL,
    SESSION_SECRET: 'bench-session-secret-0123456789-abcdef',
    ...extra,
  };
}

export const SIGN_BODY = JSON.stringify({ url: 'https://h5.example.com/pay/order?id=42&from=timeline#/detail' });

/**
 * Sustained load with autocannon against POST /wechat/jssdk/config. autocannon's own percentiles
 * are whole milliseconds; with `precise`, p50/p99 come from every response time (fractional ms).
 */
export async function cannon(url, { duration = 5, connections = 50, amount, precise = false, bodies } = {}) {
  const times = [];
  const result = await new Promise((resolve, reject) => {
    const tracker = autocannon(
      {
        url: `${url}/wechat/jssdk/config`,
        method: 'POST',
        connections,
        pipelining: 1,
        ...(amount ? { amount } : { duration }),
        headers: { 'content-type': 'application/json' },
        body: SIGN_BODY,
        // several bodies: each connection cycles through them
        ...(bodies ? { requests: bodies.map((body) => ({ method: 'POST', body })) } : {}),
      },
      (error, r) => (error ? reject(error) : resolve(r)),
    );
    if (precise)
      tracker.on('response', (_client, statusCode, _bytes, responseTime) => {
        if (statusCode < 300) times.push(responseTime);
      });
  });
  return {
    rps: result.requests.average,
    total: result.requests.total,
    p50: precise ? round2(percentile(times, 50)) : result.latency.p50,
    p99: precise ? round2(percentile(times, 99)) : result.latency.p99,
    non2xx: result.non2xx + result.errors + result.timeouts,
  };
}
const round2 = (n) => Math.round(n * 100) / 100;

export async function post(url, body) {
  const response = await fetch(`${url}/wechat/jssdk/config`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** CPU time a process has used so far, ns: every thread's run time from /proc (Linux). */
export function cpuNs(pid) {
  return readdirSync(`/proc/${pid}/task`).reduce((sum, tid) => {
    try {
      return sum + Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      return sum; // a thread that ended meanwhile
    }
  }, 0);
}

/** Resident memory of a process, MB (Linux /proc). */
export function rssMb(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]) / 1024;
}

export const fmt = (n, digits = 1) => (typeof n === 'number' ? n.toFixed(digits) : String(n));
export const uniquePrefix = (name) => `bench:${name}:${process.pid}:${Date.now()}:`;
