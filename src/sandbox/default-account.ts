import { createHash } from 'node:crypto';

export interface SandboxAccount {
  appId: string;
  appSecret: string;
  /** the account's JS safe domains, as the simulated wx.config checks them (`*.` for subdomains); none: any host */
  jsDomains?: readonly string[];
  /** 服务器配置 Token (3–32 letters or digits): signs the message pushes; none: the account gets no pushes */
  messageToken?: string;
  /** EncodingAESKey (43 letters or digits) of the compatible and safe modes */
  messageAesKey?: string;
  /** the account's original id, the pushes' ToUserName; default: sandboxOriginalId(appId) */
  originalId?: string;
}

/** `gh_` + 12 hex chars derived from the appId: stable, different per account. */
export function sandboxOriginalId(appId: string): string {
  return 'gh_' + createHash('sha256').update(`original-id\0${appId}`).digest('hex').slice(0, 12);
}

const DEFAULT_APP_ID = 'wx5a0d8b0c1e2f3a4b';

/** Kept apart from sandbox.options.ts so test-users.ts can use it without an import cycle. */
export const SANDBOX_DEFAULT_ACCOUNT: Readonly<SandboxAccount> = Object.freeze({
  appId: DEFAULT_APP_ID,
  appSecret: 'sandbox-secret-0123456789abcdef',
  // test values, public on purpose: the demo's message url works in every mode
  messageToken: 'SandboxTestMessageToken',
  messageAesKey: 'SandboxTestAesKeyNotSecret0123456789abcdefg',
  originalId: sandboxOriginalId(DEFAULT_APP_ID),
});

/** An Open Platform website application (网站应用): its own appId and secret, QR login only. */
export interface SandboxWebsiteApp {
  appId: string;
  appSecret: string;
}

/** The website application of the sandbox, bound to the same open platform as the default account (one unionid per user). */
export const SANDBOX_WEBSITE_APP: Readonly<SandboxWebsiteApp> = Object.freeze({
  appId: 'wx7eb0c1d2e3f4a5b6',
  appSecret: 'sandbox-website-secret-0123456789',
});
