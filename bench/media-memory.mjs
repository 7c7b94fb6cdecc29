// RSS of one instance while it saves a media far larger than any stream buffer (200 MiB), to disk
// or to an S3-compatible server (s3rver, as in the tests), and while ffmpeg makes the mp3 of a
// 20 MiB voice; sampled every ~50 ms from its own /metrics: it must stay flat, no file is ever
// held in memory. Also runnable on its own: node bench/media-memory.mjs
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import S3rver from 's3rver';
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

/** s3rver on a free loopback port with one bucket; the service's S3_* environment. */
async function startS3(directory) {
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: [{ name: 'bench' }] });
  const { port } = await server.run();
  const env = {
    MEDIA_STORAGE: 's3',
    S3_ENDPOINT: `http://127.0.0.1:${port}`,
    S3_BUCKET: 'bench',
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
    S3_FORCE_PATH_STYLE: 'true',
  };
  return { env, close: () => server.close() };
}

/** A sandbox and one service storing media on `storage`; stop() removes it all. */
async function mediaWorld(storage, maxBytes) {
  const sandbox = await startSandbox();
  const dir = await mkdtemp(join(tmpdir(), 'bench-media-'));
  const s3 = storage === 's3' ? await startS3(dir) : undefined;
  const service = await startService(
    serviceEnv(sandbox, {
      CACHE_KEY_PREFIX: uniquePrefix('media'),
      WECHAT_OPEN_BASE_URL: sandbox.url,
      MEDIA_DIR: dir,
      MEDIA_MAX_BYTES: String(maxBytes),
      MEDIA_TRANSCODE_TIMEOUT_MS: '900000',
      ...s3?.env,
    }),
  );
  return {
    sandbox,
    service,
    stop: async () => {
      await service.stop();
      await sandbox.close();
      await s3?.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** RSS of the service while `work` runs, against its settled level before. */
async function rssDuring(url, work) {
  const before = [];
  for (let i = 0; i < 5; i++) before.push(await rssMb(url));
  const sampler = sampleRss(url);
  const started = performance.now();
  const result = await work();
  const seconds = (performance.now() - started) / 1000;
  const during = await sampler.stop();
  const baselineRssMb = Math.max(...before);
  const peakRssMb = Math.max(...during, ...before);
  return { result, baselineRssMb, peakRssMb, growthMb: peakRssMb - baselineRssMb, seconds };
}

/** RSS while ffmpeg makes the mp3 of a `sizeMb` AMR voice (hours of sound) and it is streamed back. */
export async function transcodeMemory({ sizeMb = 20, storage = 'disk' } = {}) {
  // 12.2 kbit/s AMR becomes 32 kbit/s mp3: the rendition is some 2.6 times the voice
  const { sandbox, service, stop } = await mediaWorld(storage, 4 * (sizeMb + 8) * MiB);
  try {
    const appId = sandbox.sandbox.accounts[0].appId;
    const jar = await logIn(service.url, sandbox);
    // warm up on a 4 MiB voice saved and transcoded (a few seconds of ffmpeg): code paths, and V8's young
    // generation, which grows once under any streaming load, as for the save above
    const warm = sandbox.sandbox.registerMedia(appId, { type: 'voice', size: 4 * MiB });
    if ((await saveMedia(service.url, jar, warm)).status !== 201) throw new Error('warm-up save failed');
    await readMp3(service.url, jar, warm);
    const mediaId = sandbox.sandbox.registerMedia(appId, { type: 'voice', size: sizeMb * MiB });
    if ((await saveMedia(service.url, jar, mediaId)).status !== 201) throw new Error('the voice was not saved');
    const measured = await rssDuring(service.url, () => readMp3(service.url, jar, mediaId));
    if (measured.result.status !== 200) throw new Error(`the mp3 failed: ${measured.result.status}`);
    const { result, ...rss } = measured;
    return { storage, sizeMb, mp3Mb: result.bytes / MiB, ...rss };
  } finally {
    await stop();
  }
}

async function readMp3(url, jar, mediaId) {
  const response = await fetch(`${url}/wechat/media/${mediaId}?format=mp3`, { headers: { cookie: jar.header() } });
  let bytes = 0;
  for await (const chunk of response.body) bytes += chunk.length;
  return { status: response.status, bytes };
}

export async function mediaMemory({ sizeMb = 200, storage = 'disk' } = {}) {
  const { sandbox, service, stop } = await mediaWorld(storage, (sizeMb + 56) * MiB);
  try {
    const appId = sandbox.sandbox.accounts[0].appId;
    const jar = await logIn(service.url, sandbox);
    // warm up on a 20 MiB media first: code paths, token, and V8's young generation, which grows
    // once under any streaming load (a fixed ~30 MB, whatever the file size)
    const warm = await saveMedia(service.url, jar, sandbox.sandbox.registerMedia(appId, { type: 'voice', size: 20 * MiB }));
    if (warm.status !== 201) throw new Error(`warm-up save failed: ${JSON.stringify(warm)}`);
    const mediaId = sandbox.sandbox.registerMedia(appId, { type: 'image', size: sizeMb * MiB });
    const { result: saved, ...rss } = await rssDuring(service.url, () => saveMedia(service.url, jar, mediaId));
    if (saved.status !== 201 || saved.json.sha256 !== sandbox.sandbox.mediaSha256(mediaId)) {
      throw new Error(`the large save failed: ${JSON.stringify(saved)}`);
    }
    return { storage, sizeMb, ...rss };
  } finally {
    await stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const storage = process.argv[2] === 's3' ? 's3' : 'disk';
  console.log(JSON.stringify(await mediaMemory({ storage })));
  console.log(JSON.stringify(await transcodeMemory({ storage })));
}
