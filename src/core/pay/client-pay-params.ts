import type { KeyObject } from 'node:crypto';
import { rsaSign } from './pay-crypto.js';

/** For `WeixinJSBridge.invoke('getBrandWCPayRequest', …)`: `timeStamp`, a string of seconds. */
export interface BridgeConfig {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: 'RSA';
  paySign: string;
}

/** For `wx.chooseWXPay(…)`: the same values, with WeChat's other key name `timestamp`. */
export interface SdkConfig {
  timestamp: string;
  nonceStr: string;
  package: string;
  signType: 'RSA';
  paySign: string;
}

/** Four lines, each ending in a newline: appId, timeStamp, nonceStr, package. `signType` is not signed. */
export function paySignMessage(appId: string, timeStamp: string, nonceStr: string, pkg: string): string {
  return `${appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`;
}

/**
 * The page's pay parameters for a prepay_id, in both shapes. The appId must be the order's own (the
 * account whose user pays), the time is in seconds and travels as a string.
 */
export function clientPayParams(
  appId: string,
  prepayId: string,
  nowMs: number,
  nonceStr: string,
  key: KeyObject,
): { bridgeConfig: BridgeConfig; sdkConfig: SdkConfig } {
  const timeStamp = String(Math.floor(nowMs / 1000));
  const pkg = `prepay_id=${prepayId}`;
  const paySign = rsaSign(paySignMessage(appId, timeStamp, nonceStr, pkg), key);
  return {
    bridgeConfig: { appId, timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign },
    sdkConfig: { timestamp: timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign },
  };
}
