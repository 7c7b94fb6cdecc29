export interface SandboxAccount {
  appId: string;
  appSecret: string;
  /** the account's JS safe domains, as the simulated wx.config checks them (`*.` for subdomains); none: any host */
  jsDomains?: readonly string[];
}

/** Kept apart from sandbox.options.ts so test-users.ts can use it without an import cycle. */
export const SANDBOX_DEFAULT_ACCOUNT: Readonly<SandboxAccount> = Object.freeze({
  appId: 'wx5a0d8b0c1e2f3a4b',
  appSecret: 'sandbox-secret-0123456789abcdef',
});
