// RSS of one instance while it saves a media far larger than any stream buffer (200 MiB), sampled
// every ~50 ms from its own /metrics: it must stay flat, the file is never held in memory.
// Also runnable on its own: node bench/media-memory.mjs
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startSandbox } from '../dist/sandbox/index.js';
import { serviceEnv, startService, uniquePrefix } from './lib.mjs';

const MiB = 1024 * 1024;
const SAMPLE_MS = 50;

async function rssMb(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('wechat_h5_process_resident_memory_bytes '));
  return Number(line.split(' ')[1]) / MiB;
}

/** Just enough of a cookie jar for the login redirects (bench-only; the tests have CookieClient). */
function cookieJar() {
  const jar = new Map();
  return {
    header: () => [...jar].map(([name, value]) => `${name}=${value}`).join('; '),
    take(response) {
      for (const header of response.headers.getSetCookie()) {
        const pair = header.split(';')[0];
        const eq = pair.indexOf('=');
        jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
      }
    },
  };
}

/** The OAuth login through the sandbox's consent, without a page: returns the session cookie jar. */
async function logIn(url, sandbox) {
  const jar = cookieJar();
  const login = await fetch(`${url}/wechat/oauth/login`, { redirect: 'manual' });
  jar.take(login);
  const callback = new URL(sandbox.sandbox.authorize(login.headers.get('location')));
  const done = await fetch(`${url}${callback.pathname}${callback.search}`, {
    redirect: 'manual',
    headers: { cookie: jar.header() },
  });
  jar.take(done);
  if (done.status !== 302) throw new Error(`login failed: ${done.status} ${await done.text()}`);
  return jar;
}

async function saveMedia(url, jar, mediaId) {
  const response = await fetch(`${url}/wechat/media/${mediaId}`, { method: 'POST', headers: { cookie: jar.header() } });
  return { status: response.status, json: await response.json() };
}

/** Samples RSS until stop() is called; resolves to the samples. */
function sampleRss(url) {
  const samples = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      samples.push(await rssMb(url));
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return samples;
    },
  };
}

export async function mediaMemory({ sizeMb = 200 } = {}) {
  const sandbox = await startSandbox();
  const mediaDir = await mkdtemp(join(tmpdir(), 'bench-media-'));
  const service = await startService(
    serviceEnv(sandbox, {
      CACHE_KEY_PREFIX: uniquePrefix('media'),
      WECHAT_OPEN_BASE_URL: sandbox.url,
      MEDIA_DIR: mediaDir,
      MEDIA_MAX_BYTES: String((sizeMb + 56) * MiB),
    }),
  );
  try {
    const appId = sandbox.sandbox.accounts[0].appId;
    const jar = await logIn(service.url, sandbox);
    // warm up on a 20 MiB media first: code paths, token, and V8's young generation, which grows
    // once under any streaming load (a fixed ~30 MB, whatever the file size)
    const warm = await saveMedia(service.url, jar, sandbox.sandbox.registerMedia(appId, { type: 'voice', size: 20 * MiB }));
    if (warm.status !== 201) throw new Error(`warm-up save failed: ${JSON.stringify(warm)}`);
    const mediaId = sandbox.sandbox.registerMedia(appId, { type: 'image', size: sizeMb * MiB });
    const before = [];
    for (let i = 0; i < 5; i++) before.push(await rssMb(service.url));
    const sampler = sampleRss(service.url);
    const started = performance.now();
    const saved = await saveMedia(service.url, jar, mediaId);
    const seconds = (performance.now() - started) / 1000;
    const during = await sampler.stop();
    if (saved.status !== 201 || saved.json.sha256 !== sandbox.sandbox.mediaSha256(mediaId)) {
      throw new Error(`the large save failed: ${JSON.stringify(saved)}`);
    }
    const baselineRssMb = Math.max(...before);
    const peakRssMb = Math.max(...during, ...before);
    return { sizeMb, baselineRssMb, peakRssMb, growthMb: peakRssMb - baselineRssMb, seconds };
  } finally {
    await service.stop();
    await sandbox.close();
    await rm(mediaDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await mediaMemory()));
}
