/**
 * A minimal cookie-keeping HTTP client for driving redirect flows without a real browser:
 * never follows redirects, remembers Set-Cookie, sends Cookie.
 */
export class CookieClient {
  readonly cookies = new Map<string, string>();
  readonly setCookieHeaders: string[] = [];

  constructor(private readonly base: string) {}

  async get(path: string, accept = 'text/html', headers: Record<string, string> = {}) {
    return this.request('GET', path, undefined, { accept, ...headers });
  }

  async post(path: string, body?: unknown, headers: Record<string, string> = {}) {
    return this.request('POST', path, body, { accept: 'application/json', ...headers });
  }

  async request(method: string, path: string, body: unknown, headers: Record<string, string>) {
    const url = path.startsWith('http') ? path : `${this.base}${path}`;
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const header of response.headers.getSetCookie()) {
      this.setCookieHeaders.push(header);
      const [pair, ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a) || /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await response.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return {
      status: response.status,
      location: response.headers.get('location') ?? undefined,
      text,
      json,
      headers: response.headers,
    };
  }
}

/** The path and query of an absolute url (to replay a WeChat redirect against the test service). */
export function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}
