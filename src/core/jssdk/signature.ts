import { hash } from 'node:crypto';

export interface JsapiSignInput {
  ticket: string;
  nonceStr: string;
  timestamp: number;
  /** the page url, fragment already removed, otherwise exactly as the page has it */
  url: string;
}

/** JS-SDK signature (appendix 1): sha1 over the four raw key=value pairs in ASCII key order. */
export function jsapiSignature({ ticket, nonceStr, timestamp, url }: JsapiSignInput): string {
  // crypto.hash: one call, no Hash object (a measurable share of a signing request). UTF-8, as update().
  return hash('sha1', `jsapi_ticket=${ticket}&noncestr=${nonceStr}&timestamp=${timestamp}&url=${url}`, 'hex');
}

/** Card signature: the non-empty values sorted as strings, concatenated without separator, sha1. */
export function cardSignature(values: ReadonlyArray<string | number | undefined | null>): string {
  const parts = values
    .filter((v): v is string | number => v !== undefined && v !== null && v !== '')
    .map(String)
    .sort();
  return hash('sha1', parts.join(''), 'hex');
}

/** The url a page signs: everything before the first `#`, byte for byte. */
export function withoutFragment(url: string): string {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}
