import { diagnose, type DiagnoseInput, type DiagnosisTickets, FINDING_CODES, type FindingCode } from './diagnosis.js';
import { jsapiSignature } from './signature.js';

const NOW = 1_800_000_000;
const CURRENT = 'TICKET_current_0123456789abcdef';
const PREVIOUS = 'TICKET_previous_0123456789abcdef';
const OTHER = 'TICKET_other_account_0123456789ab';
const IOS = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 MicroMessenger/8.0.49 NetType/WIFI';
const ANDROID =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36 MicroMessenger/8.0.49';
const ENTRY = 'https://h5.example.com/shop/?from=timeline';
const AFTER_PUSH = 'https://h5.example.com/shop/cart?id=7#top';

const tickets: DiagnosisTickets = {
  appId: 'wxaaaa',
  jsDomains: ['h5.example.com'],
  current: CURRENT,
  previous: PREVIOUS,
  others: [{ appId: 'wxbbbb', ticket: OTHER }, { appId: 'wxcccc' }],
  knows: (appId) => ['wxaaaa', 'wxbbbb', 'wxcccc'].includes(appId),
};

/** What a page sends: the signature of `signed` with `ticket`, and what it saw. */
function page(signed: string, extra: Partial<DiagnoseInput> = {}, ticket = CURRENT, timestamp = NOW - 5): DiagnoseInput {
  const nonceStr = 'nonce0123456789a';
  return { url: signed, timestamp, nonceStr, signature: jsapiSignature({ ticket, nonceStr, timestamp, url: signed }), ...extra };
}
const codes = (input: DiagnoseInput, t = tickets) => diagnose(input, t, NOW).findings.map((f) => f.code);

describe('diagnose: why wx.config says invalid signature', () => {
  it('SIGNATURE_VALID for the url WeChat checks, signed with the current ticket', () => {
    const result = diagnose(page('https://h5.example.com/a?b=1', { userAgent: ANDROID }), tickets, NOW);
    expect(result).toEqual({ ok: true, findings: [{ code: 'SIGNATURE_VALID', message: expect.any(String) }] });
  });

  it('FRAGMENT_SIGNED when the #fragment was signed', () => {
    expect(codes(page('https://h5.example.com/a#/detail'))).toEqual(['FRAGMENT_SIGNED']);
  });

  it('IOS_ENTRY_URL when iOS WeChat entered on one url and the page signed the url after pushState', () => {
    const input = page(AFTER_PUSH.split('#')[0]!, { url: AFTER_PUSH, entryUrl: ENTRY, userAgent: IOS });
    expect(codes(input)).toEqual(['IOS_ENTRY_URL']);
    // the same page signing the entry url on iOS is right; on Android it is the mistake
    expect(codes(page(ENTRY, { url: AFTER_PUSH, entryUrl: ENTRY, userAgent: IOS }))).toEqual(['SIGNATURE_VALID']);
    expect(codes(page(ENTRY, { url: AFTER_PUSH, entryUrl: ENTRY, userAgent: ANDROID }))).toEqual(['URL_MISMATCH']);
  });

  it('ENCODED_TWICE when the url was encoded before it was sent', () => {
    const url = 'https://h5.example.com/s?q=%E4%B8%AD&x=1';
    expect(codes(page(encodeURIComponent(url), { url }))).toEqual(['ENCODED_TWICE']);
    expect(codes(page(encodeURI(url), { url }))).toEqual(['ENCODED_TWICE']);
  });

  it('DECODED_BEFORE_SIGNING when the url was decoded before signing', () => {
    const url = 'https://h5.example.com/s?q=%E4%B8%AD';
    expect(codes(page(decodeURIComponent(url), { url }))).toEqual(['DECODED_BEFORE_SIGNING']);
  });

  it('URL_MISMATCH when the signed url is another one the page named', () => {
    const url = 'https://h5.example.com/b';
    const signedUrl = 'https://h5.example.com/a';
    expect(codes(page(signedUrl, { url, signedUrl }))).toEqual(['URL_MISMATCH']);
  });

  it('HOST_NOT_ALLOWED when the page is not on a JS domain of the account', () => {
    expect(codes(page('https://evil.example.net/a'))).toEqual(['HOST_NOT_ALLOWED', 'SIGNATURE_VALID']);
    expect(diagnose(page('https://evil.example.net/a'), tickets, NOW).ok).toBe(false);
  });

  it('STALE_TICKET when the previous ticket signed it, even for a mistaken url', () => {
    expect(codes(page('https://h5.example.com/a', {}, PREVIOUS))).toEqual(['STALE_TICKET']);
    expect(codes(page('https://h5.example.com/a#x', {}, PREVIOUS))).toEqual(['STALE_TICKET']);
    expect(codes(page('https://h5.example.com/a', {}, PREVIOUS), { ...tickets, previous: undefined })).toEqual([
      'NOT_SIGNED_HERE',
    ]);
  });

  it('WRONG_APP_ID: another account signed it, or wx.config named an account this service does not have', () => {
    expect(codes(page('https://h5.example.com/a', {}, OTHER))).toEqual(['WRONG_APP_ID']);
    const unknown = diagnose(page('https://h5.example.com/a', { appId: 'wxzzzz' }), tickets, NOW);
    expect(unknown.findings.map((f) => f.code)).toEqual(['WRONG_APP_ID', 'SIGNATURE_VALID']);
    expect(unknown.findings[0]!.message).toContain('not an account of this service');
    expect(unknown.ok).toBe(false);
    expect(codes(page('https://h5.example.com/a', { appId: 'wxbbbb' }))[0]).toBe('WRONG_APP_ID');
  });

  it('SIGNATURE_REUSED when the signature is older than 10 minutes', () => {
    const old = diagnose(page('https://h5.example.com/a', {}, CURRENT, NOW - 601), tickets, NOW);
    expect(old.findings.map((f) => f.code)).toEqual(['SIGNATURE_VALID', 'SIGNATURE_REUSED']);
    expect(old.ok).toBe(false);
    expect(codes(page('https://h5.example.com/a', {}, CURRENT, NOW - 600))).toEqual(['SIGNATURE_VALID']);
  });

  it('NOT_SIGNED_HERE when no ticket here makes that signature, or none is held yet', () => {
    expect(codes(page('https://h5.example.com/a', {}, 'TICKET_of_another_server_0123456'))).toEqual(['NOT_SIGNED_HERE']);
    expect(codes(page('https://h5.example.com/a'), { ...tickets, current: undefined })).toEqual(['NOT_SIGNED_HERE']);
  });

  it('without a signature: judges the url the page asked to sign', () => {
    const url = 'https://h5.example.com/a?b=1#frag';
    const at = (signedUrl: string, extra: Partial<DiagnoseInput> = {}) => codes({ url, signedUrl, ...extra });
    expect(at('https://h5.example.com/a?b=1')).toEqual([]);
    expect(diagnose({ url, signedUrl: 'https://h5.example.com/a?b=1' }, tickets, NOW).ok).toBe(true);
    expect(at(url)).toEqual(['FRAGMENT_SIGNED']);
    expect(at(encodeURIComponent('https://h5.example.com/a?b=1'))).toEqual(['ENCODED_TWICE']);
    expect(at('https://h5.example.com/a?b=2')).toEqual(['URL_MISMATCH']);
    const escaped = 'https://h5.example.com/s?q=%E4%B8%AD';
    expect(codes({ url: escaped, signedUrl: decodeURIComponent(escaped) })).toEqual(['DECODED_BEFORE_SIGNING']);
    expect(codes({ url: AFTER_PUSH, entryUrl: ENTRY, userAgent: IOS, signedUrl: AFTER_PUSH.split('#')[0] })).toEqual([
      'IOS_ENTRY_URL',
    ]);
  });

  it('covers every finding code, and no message carries a ticket', () => {
    const seen = new Set<FindingCode>();
    const inputs = [
      page('https://h5.example.com/a'),
      page('https://h5.example.com/a#x'),
      page(AFTER_PUSH.split('#')[0]!, { url: AFTER_PUSH, entryUrl: ENTRY, userAgent: IOS }),
      page(encodeURIComponent('https://h5.example.com/a'), { url: 'https://h5.example.com/a' }),
      page(decodeURIComponent('https://h5.example.com/%7Ea'), { url: 'https://h5.example.com/%7Ea' }),
      page('https://h5.example.com/x', { url: 'https://h5.example.com/y', signedUrl: 'https://h5.example.com/x' }),
      page('https://evil.example.net/a'),
      page('https://h5.example.com/a', {}, PREVIOUS),
      page('https://h5.example.com/a', {}, OTHER),
      page('https://h5.example.com/a', {}, CURRENT, NOW - 3600),
      page('https://h5.example.com/a', {}, 'TICKET_elsewhere_0123456789abcd'),
    ];
    for (const input of inputs) {
      const { findings } = diagnose(input, tickets, NOW);
      for (const f of findings) {
        seen.add(f.code);
        for (const secret of [CURRENT, PREVIOUS, OTHER]) expect(f.message).not.toContain(secret);
      }
    }
    expect([...seen].sort()).toEqual([...FINDING_CODES].sort());
  });
});
