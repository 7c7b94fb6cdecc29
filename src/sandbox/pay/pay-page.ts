import type { KeyObject } from 'node:crypto';
import { verifySha256Rsa } from './pay-crypto.js';

/** What a page hands to `getBrandWCPayRequest` (or `wx.chooseWXPay`, there with `timestamp`). */
export interface SandboxPaySignParams {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  paySign: string;
  signType?: string;
}

/** paySign = SHA256withRSA over `appId\ntimeStamp\nnonceStr\npackage\n` with the merchant key; signType is not signed. */
export function paySignMatches(params: SandboxPaySignParams, merchantPublicKey: KeyObject): boolean {
  const { appId, timeStamp, nonceStr, package: pkg, paySign } = params;
  const fields = [appId, timeStamp, nonceStr, pkg, paySign];
  if (!fields.every((f) => typeof f === 'string' && f !== '')) return false;
  if (params.signType !== undefined && params.signType !== 'RSA') return false;
  return verifySha256Rsa(`${appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`, paySign, merchantPublicKey);
}

/**
 * A page may pay when it lies under a registered JSAPI pay directory: same scheme and host, the directory's
 * port if it names one (any port otherwise, for local servers), and a path inside the directory.
 */
export function urlUnderDirectories(pageUrl: string, directories: readonly string[]): boolean {
  let page: URL;
  try {
    page = new URL(pageUrl);
  } catch {
    return false;
  }
  return directories.some((dir) => {
    const d = new URL(dir);
    const dirPath = d.pathname.endsWith('/') ? d.pathname : `${d.pathname}/`;
    return (
      d.protocol === page.protocol &&
      d.hostname === page.hostname &&
      (d.port === '' || d.port === page.port) &&
      page.pathname.startsWith(dirPath)
    );
  });
}
