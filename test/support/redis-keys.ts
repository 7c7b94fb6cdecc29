import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';

/** The Redis the tests use: REDIS_URL from the environment, else the local one. */
export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379/0';
export const REDIS_HOST = new URL(REDIS_URL).hostname;
export const REDIS_PORT = Number(new URL(REDIS_URL).port || 6379);

/** A key prefix of its own for each test file (and run), so tests never see each other's keys. */
export function uniquePrefix(name: string): string {
  return `test:${name}:${randomBytes(4).toString('hex')}:`;
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(prefix: string): Promise<void> {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  try {
    const keys: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) keys.push(...batch);
    if (keys.length) await client.del(keys);
  } finally {
    await client.quit();
  }
}

/** The keys under `prefix`, for assertions. */
export async function listKeys(prefix: string): Promise<string[]> {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  try {
    const keys: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) keys.push(...batch);
    return keys.sort();
  } finally {
    await client.quit();
  }
}
