import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Sandbox, type SandboxServer, startSandbox } from '../../src/sandbox/index.js';
import { type Platform, type RunningApp, serviceEnv, startApp } from './app.js';
import { CookieClient, pathOf } from './browser-client.js';
import { deleteKeys, uniquePrefix } from './redis-keys.js';
import { type S3Server, startS3 } from './s3-server.js';

/** A CookieClient logged in through the sandbox's consent (as `user`, by default alice). */
export async function loggedInClient(serviceUrl: string, sandbox: Sandbox, user = 'alice'): Promise<CookieClient> {
  const client = new CookieClient(serviceUrl);
  const login = await client.get('/wechat/oauth/login');
  if (login.status !== 302 || !login.location) throw new Error(`login answered ${login.status}`);
  const callback = await client.get(pathOf(sandbox.authorize(login.location, { user })));
  if (callback.status !== 302) throw new Error(`callback answered ${callback.status}: ${callback.text}`);
  return client;
}

export const cookieHeader = (client: CookieClient) => [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

/** GET a saved media: status, headers, and the sha256 and length of the body (never kept whole). */
export async function readMedia(base: string, client: CookieClient, mediaId: string) {
  const response = await fetch(`${base}/wechat/media/${mediaId}`, { headers: { cookie: cookieHeader(client) } });
  const hash = createHash('sha256');
  let length = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    length += chunk.length;
  }
  return { status: response.status, headers: response.headers, sha256: hash.digest('hex'), length };
}

/** A request with the path sent exactly as written (fetch would resolve `..` and re-encode). */
export function rawRequest(base: string, method: string, path: string, headers: Record<string, string> = {}) {
  const { hostname, port } = new URL(base);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: hostname, port, method, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Every entry of a directory (temp files included); none when it does not exist. */
export async function listDir(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).sort();
}

export type MediaStorageKind = 'disk' | 's3';

export interface MediaWorld {
  sandbox: SandboxServer;
  apps: RunningApp[];
  /** the disk storage's directory (unused with s3) */
  mediaDir: string;
  prefix: string;
  storage: MediaStorageKind;
  /** the s3rver of an s3 world */
  s3?: S3Server;
  /** every name the storage holds at its top level: `<id>.media`, `<id>.json` (and dot-named temp files or directories) */
  stored(): Promise<string[]>;
  /** what saves left behind: temp files, or objects under .uploads/ */
  leftovers(): Promise<string[]>;
  /** every name kept for the mp3 renditions (temp files and uploads included) */
  renditions(): Promise<string[]>;
  close(): Promise<void>;
}

const S3_PREFIX = 'media/';

/** The storage's top-level names, whatever it is. */
async function storedNames(storage: MediaStorageKind, mediaDir: string, s3?: S3Server): Promise<string[]> {
  if (storage === 'disk') return listDir(mediaDir);
  const keys = (await s3!.keys()).filter((k) => k.startsWith(S3_PREFIX)).map((k) => k.slice(S3_PREFIX.length));
  return [...new Set(keys.map((k) => k.split('/')[0]))].sort();
}

async function leftoverNames(storage: MediaStorageKind, mediaDir: string, s3?: S3Server): Promise<string[]> {
  if (storage === 'disk') return (await listDir(mediaDir)).filter((name) => name.endsWith('.part'));
  return (await s3!.keys()).filter((k) => k.startsWith(`${S3_PREFIX}.uploads/`));
}

/** A sandbox, `instances` services sharing Redis and a temporary MEDIA_DIR; close() removes it all. */
export async function startMediaWorld(
  name: string,
  account: { appId: string; appSecret: string },
  opts: { instances?: number; env?: Record<string, string>; storage?: MediaStorageKind; platform?: Platform } = {},
): Promise<MediaWorld> {
  const storage = opts.storage ?? 'disk';
  const mediaDir = await mkdtemp(join(tmpdir(), `${name}-`));
  const s3 = storage === 's3' ? await startS3() : undefined;
  const prefix = uniquePrefix(name);
  const sandbox = await startSandbox({ accounts: [account] });
  const env = serviceEnv(sandbox.url, account, {
    CACHE_KEY_PREFIX: prefix,
    PUBLIC_BASE_URL: 'http://h5.test',
    MEDIA_DIR: mediaDir,
    ...s3?.env,
    ...opts.env,
  });
  const apps = await Promise.all(Array.from({ length: opts.instances ?? 1 }, () => startApp(env, opts.platform)));
  return {
    sandbox,
    apps,
    mediaDir,
    prefix,
    storage,
    s3,
    stored: () => storedNames(storage, mediaDir, s3),
    leftovers: () => leftoverNames(storage, mediaDir, s3),
    renditions: async () =>
      storage === 'disk'
        ? listDir(join(mediaDir, '.mp3'))
        : (await s3!.keys()).filter((k) => k.startsWith(`${S3_PREFIX}.mp3/`)).map((k) => k.slice(`${S3_PREFIX}.mp3/`.length)),
    close: async () => {
      await Promise.all(apps.map((app) => app.close()));
      await sandbox.close();
      await s3?.close();
      await deleteKeys(prefix);
      await rm(mediaDir, { recursive: true, force: true });
    },
  };
}
