/** The proxy as axios takes it. */
export interface ProxySettings {
  protocol: string;
  host: string;
  port: number;
  auth?: { username: string; password: string };
}

/** `http://user:password@host:port` as axios's proxy setting; the message never repeats the url. */
export function proxySettings(raw: string): ProxySettings {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('httpProxy must be a url such as http://egress.internal:3128');
  }
  if (!/^https?:$/.test(url.protocol) || !url.hostname || url.pathname.length > 1 || url.search || url.hash)
    throw new Error('httpProxy must be http(s)://[user:password@]host:port, nothing more');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const auth = url.username
    ? { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) }
    : undefined;
  return { protocol: url.protocol.slice(0, -1), host: url.hostname.replace(/^\[|\]$/g, ''), port, auth };
}
