/**
 * Parses a WeChat JSON body. WeChat has sent raw control characters inside strings, which
 * JSON.parse rejects; those are escaped and the parse retried. Returns undefined for a
 * body that is not a JSON object.
 */
export function parseWechatJson(text: string): Record<string, unknown> | undefined {
  const attempt = (s: string) => {
    try {
      const value: unknown = JSON.parse(s);
      return value !== null && typeof value === 'object' && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : undefined;
    } catch {
      return undefined;
    }
  };
  const direct = attempt(text);
  if (direct || !/[\u0000-\u001f]/.test(text)) return direct;
  return attempt(escapeControlCharsInStrings(text));
}

function escapeControlCharsInStrings(text: string): string {
  let out = '';
  let inString = false;
  let escaped = false;
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (inString && code < 0x20) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
      escaped = false;
      continue;
    }
    out += ch;
    if (escaped) escaped = false;
    else if (ch === '\\') escaped = inString;
    else if (ch === '"') inString = !inString;
  }
  return out;
}
