/** Field rules and formats shared by the order and refund endpoints. */

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const BEIJING_OFFSET_MS = 8 * 3600_000;

/**
 * notify_url: https without a query string, at most 255 characters. The sandbox also takes plain http to a
 * loopback host, because tests and `npm start` receive notifications on 127.0.0.1; WeChat Pay would not.
 */
export function notifyUrlProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 255) return '长度应在1到255之间';
  if (value.includes('?')) return '通知地址不能携带参数';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return '不是合法的URL';
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) return undefined;
  return '通知地址必须为https';
}

/** Milliseconds of an RFC 3339 date-time such as `2018-06-08T10:34:56+08:00`; undefined when malformed. */
export function rfc3339Millis(value: unknown): number | undefined {
  if (typeof value !== 'string' || !RFC3339.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** WeChat Pay writes times in Beijing time, seconds precision: `2018-06-08T10:34:56+08:00`. */
export function wechatPayTime(ms: number): string {
  return new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 19) + '+08:00';
}

/** `yyyyMMddHHmmss` in Beijing time, as ids begin. */
export function wechatPayStamp(ms: number): string {
  return wechatPayTime(ms).slice(0, 19).replace(/[-:T]/g, '');
}

/** JSON with sorted keys: two requests with the same fields in another order are the same request. */
export function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${sortedJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export const isJsonObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export const isIntegerFen = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;

/** Length in characters (code points), as the documents count string(n). */
export const codePointLength = (s: string) => Array.from(s).length;
