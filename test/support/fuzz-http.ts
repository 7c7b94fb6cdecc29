import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';

/** The service's session cookie. */
const COOKIE = 'wechat_sid';

/** Plain HTTP for the fuzzing suites: requests go out exactly as built (raw query strings, invalid encodings, odd headers, chunked bodies). */

// ---------------------------------------------------------------------------------------------
// HTTP: node:http instead of fetch, so the request line, headers and body go out exactly as built
// (raw query strings, invalid percent-encodings, odd headers, chunked bodies).

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: any;
}

export interface RequestSpec {
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
export function resetConnections(): void {
  keepAlive.destroy();
  keepAlive = new Agent({ keepAlive: true, maxSockets: 4 });
}
let base = '';
let escapeHash = false;

/**
 * Where the requests go: the service under test. `escapeHash` sends a `#` in a path as `%23`: a `#` is not
 * valid in a request target, and platforms differ on it (Fastify keeps it, Express cuts the query there);
 * real clients never send one, and `%23` is what the oracles assume the server receives.
 */
export function useBase(url: string, options: { escapeHash?: boolean } = {}): void {
  base = url;
  escapeHash = options.escapeHash ?? false;
}

/** Drops the pooled connections (after the suite). */
export function closeConnections(): void {
  keepAlive.destroy();
}
/** Every body, Location and Set-Cookie seen, scanned for WeChat secrets at the end. */
export const seen: string[] = [];

export function send(spec: RequestSpec): Promise<Answer> {
  const url = new URL(base);
  return new Promise<Answer>((resolve, reject) => {
    const headers: Record<string, string | string[]> = { ...spec.headers };
    if (spec.body !== undefined && !spec.chunked) headers['content-length'] = String(Buffer.byteLength(spec.body));
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: spec.method ?? 'GET',
        path: escapeHash ? spec.path.replace(/#/g, '%23') : spec.path,
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

export function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Never a 5xx; every 4xx is JSON `{statusCode, code, message}` with the HTTP status. */
export function expectWellFormed(r: Answer, what: string): void {
  try {
    checkWellFormed(r, what);
  } catch (error) {
    resetConnections();
    throw error;
  }
}

export function checkWellFormed(r: Answer, what: string): void {
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
export class Browser {
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
