import { createHash } from 'node:crypto';

/** Recomputes the JS-SDK signature independently of the service's code. */
export function expectedSignature(ticket: string, nonceStr: string, timestamp: number, url: string): string {
  const string1 = ['jsapi_ticket=' + ticket, 'noncestr=' + nonceStr, 'timestamp=' + timestamp, 'url=' + url].join('&');
  return createHash('sha1').update(string1, 'utf8').digest('hex');
}
