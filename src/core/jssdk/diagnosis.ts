import { isHostAllowed } from './page-url.js';
import { jsapiSignature, withoutFragment } from './signature.js';

/** What a page saw when `wx.config` failed (or what it is about to do): the body of POST /diagnose. */
export interface DiagnoseInput {
  /** the page's location.href when wx.config ran */
  url: string;
  /** the url the page asked to have signed */
  signedUrl?: string;
  /** the appId passed to wx.config */
  appId?: string;
  timestamp?: number;
  nonceStr?: string;
  signature?: string;
  /** the url the page was first entered with (iOS WeChat checks this one after pushState) */
  entryUrl?: string;
  userAgent?: string;
}

export const FINDING_CODES = [
  'SIGNATURE_VALID',
  'FRAGMENT_SIGNED',
  'URL_MISMATCH',
  'ENCODED_TWICE',
  'DECODED_BEFORE_SIGNING',
  'IOS_ENTRY_URL',
  'HOST_NOT_ALLOWED',
  'STALE_TICKET',
  'WRONG_APP_ID',
  'SIGNATURE_REUSED',
  'NOT_SIGNED_HERE',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

export interface Finding {
  code: FindingCode;
  message: string;
}

export interface Diagnosis {
  /** true when the signature is one WeChat accepts for this page (or, without one, nothing is wrong with the urls) */
  ok: boolean;
  findings: Finding[];
}

/** The tickets the diagnosis may compare with; they never leave this module. */
export interface DiagnosisTickets {
  /** the account that signs this page */
  appId: string;
  jsDomains: readonly string[];
  current?: string;
  /** the one before the current, while this instance remembers it */
  previous?: string;
  /** the current tickets of the other configured accounts */
  others: readonly { appId: string; ticket?: string }[];
  /** whether `appId` is an account this service signs for */
  knows(appId: string): boolean;
}

/** A signature older than this was kept somewhere (a CDN, a service worker, the page's own cache). */
export const REUSE_AFTER_SEC = 600;

const IOS_WECHAT = (userAgent: string | undefined) =>
  !!userAgent && /MicroMessenger/i.test(userAgent) && /iPhone|iPad|iPod/i.test(userAgent);

function decodedOnce(url: string): string | undefined {
  try {
    return decodeURIComponent(url);
  } catch {
    return undefined;
  }
}

/**
 * Why a `wx.config` signature fails, told from what the page saw, by recomputing the signatures this
 * service could have made (with the current ticket, the previous one, other accounts' tickets) for
 * the urls a page typically signs by mistake. Calls nothing; reveals no ticket.
 */
export function diagnose(input: DiagnoseInput, tickets: DiagnosisTickets, nowSec: number): Diagnosis {
  const findings: Finding[] = [];
  const add = (code: FindingCode, message: string) => findings.push({ code, message });
  const ios = IOS_WECHAT(input.userAgent);
  const entry = input.entryUrl && input.entryUrl !== input.url ? input.entryUrl : undefined;
  // the url WeChat itself checks: on iOS the one the page was entered with, elsewhere the current one
  const checkedRaw = ios && entry ? entry : input.url;
  const checked = withoutFragment(checkedRaw);
  accountFindings(input, tickets, checked, add);

  const { signature, nonceStr, timestamp } = input;
  if (signature === undefined || nonceStr === undefined || timestamp === undefined) {
    urlFindings(input, checked, ios, entry, add);
    return { ok: findings.length === 0, findings };
  }
  const mistakes = likelyMistakes(input, checkedRaw, checked, ios, entry);
  const valid = signatureFindings({ signature, nonceStr, timestamp }, tickets, checked, mistakes, add);
  if (nowSec - timestamp > REUSE_AFTER_SEC) {
    add(
      'SIGNATURE_REUSED',
      `the signature is ${Math.floor((nowSec - timestamp) / 60)} minutes old: a cache handed it out again; never cache /wechat/jssdk/config`,
    );
  }
  return { ok: valid && nowSec - timestamp <= REUSE_AFTER_SEC && findings.every((f) => f.code === 'SIGNATURE_VALID'), findings };
}

type AddFinding = (code: FindingCode, message: string) => void;

/** The page's appId and host against the account that signs it. */
function accountFindings(input: DiagnoseInput, tickets: DiagnosisTickets, checked: string, add: AddFinding): void {
  if (input.appId !== undefined && input.appId !== tickets.appId) {
    add(
      'WRONG_APP_ID',
      tickets.knows(input.appId)
        ? `wx.config used appId ${input.appId}, but this page's host belongs to ${tickets.appId}: sign and configure with the same account`
        : `wx.config used appId ${input.appId}, which is not an account of this service`,
    );
  }
  const host = hostOf(checked);
  if (host !== undefined && !isHostAllowed(host, tickets.jsDomains)) {
    add(
      'HOST_NOT_ALLOWED',
      `${host} is not a JS safe domain of ${tickets.appId}: add it in the account's settings and to jsDomains`,
    );
  }
}

/**
 * Which signature the page holds: the right one (true), one made here for a url signed by mistake, one
 * made with the previous ticket, with another account's ticket, or none this service made.
 */
function signatureFindings(
  signed: { signature: string; nonceStr: string; timestamp: number },
  tickets: DiagnosisTickets,
  checked: string,
  mistakes: Mistake[],
  add: AddFinding,
): boolean {
  const { signature, nonceStr, timestamp } = signed;
  const sign = (ticket: string, url: string) => jsapiSignature({ ticket, nonceStr, timestamp, url });
  if (tickets.current !== undefined && sign(tickets.current, checked) === signature) {
    add('SIGNATURE_VALID', 'the signature is right for the url WeChat checks, with the current ticket');
    return true;
  }
  const made = tickets.current === undefined ? undefined : mistakes.find((m) => sign(tickets.current!, m.url) === signature);
  if (made) return (void add(made.code, made.message), false);
  const { previous } = tickets;
  if (previous !== undefined && [checked, ...mistakes.map((m) => m.url)].some((u) => sign(previous, u) === signature)) {
    add(
      'STALE_TICKET',
      'signed with the previous jsapi_ticket: a copy of the ticket outlived its refresh (another cache, or a signature kept)',
    );
    return false;
  }
  const other = tickets.others.find((o) => o.ticket !== undefined && sign(o.ticket, checked) === signature);
  if (other) add('WRONG_APP_ID', `signed with the ticket of ${other.appId}, while WeChat checks it against ${tickets.appId}'s`);
  else
    add(
      'NOT_SIGNED_HERE',
      'this service made no such signature for these urls: another server signed it, or the parameters were changed on the way',
    );
  return false;
}

interface Mistake {
  code: FindingCode;
  url: string;
  message: string;
}

/** The urls pages sign by mistake, each with what it means. */
function likelyMistakes(
  input: DiagnoseInput,
  checkedRaw: string,
  checked: string,
  ios: boolean,
  entry: string | undefined,
): Mistake[] {
  const mistakes: Mistake[] = [];
  const push = (code: FindingCode, url: string | undefined, message: string) => {
    if (url !== undefined && url !== checked && !mistakes.some((m) => m.url === url)) mistakes.push({ code, url, message });
  };
  push('FRAGMENT_SIGNED', checkedRaw, 'the signed url kept its #fragment: sign location.href.split("#")[0]');
  if (ios && entry) {
    push(
      'IOS_ENTRY_URL',
      withoutFragment(input.url),
      'iOS WeChat checks the url the page was entered with, not the one after pushState: sign the entry url on iOS',
    );
    push('FRAGMENT_SIGNED', input.url, 'the signed url kept its #fragment: sign location.href.split("#")[0]');
  } else if (entry) {
    push('URL_MISMATCH', withoutFragment(entry), 'the entry url was signed, but WeChat on this device checks the current url');
  }
  push('ENCODED_TWICE', encodeURIComponent(checked), 'the url was encoded before it was sent: send it as it is in a JSON body');
  push('ENCODED_TWICE', encodeURI(checked), 'the url was encoded once more than the page has it');
  push(
    'DECODED_BEFORE_SIGNING',
    decodedOnce(checked),
    'the url was decoded before signing: sign it exactly as location.href has it',
  );
  if (input.signedUrl !== undefined)
    push('URL_MISMATCH', withoutFragment(input.signedUrl), 'the signed url is not the url WeChat checks');
  return mistakes;
}

/** Without a signature: what is wrong with the url the page asked to sign, compared with the one WeChat checks. */
function urlFindings(
  input: DiagnoseInput,
  checked: string,
  ios: boolean,
  entry: string | undefined,
  add: (code: FindingCode, message: string) => void,
): void {
  const signed = input.signedUrl;
  if (signed === undefined || signed === checked) return;
  if (signed.includes('#') && withoutFragment(signed) === checked)
    add('FRAGMENT_SIGNED', 'the url to sign keeps its #fragment: send location.href.split("#")[0]');
  else if (signed === encodeURIComponent(checked) || signed === encodeURI(checked))
    add('ENCODED_TWICE', 'the url to sign is encoded: send it as it is in a JSON body');
  else if (signed === decodedOnce(checked))
    add('DECODED_BEFORE_SIGNING', 'the url to sign was decoded: send it exactly as location.href has it');
  else if (ios && entry && withoutFragment(signed) === withoutFragment(input.url))
    add(
      'IOS_ENTRY_URL',
      'iOS WeChat checks the url the page was entered with, not the one after pushState: sign the entry url on iOS',
    );
  else add('URL_MISMATCH', 'the url to sign is not the url WeChat checks on this device');
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}
