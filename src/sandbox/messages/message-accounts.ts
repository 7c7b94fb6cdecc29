import type { SandboxAccount } from '../default-account.js';

/** WeChat: the Token of 服务器配置 is 3–32 letters or digits. */
const MESSAGE_TOKEN = /^[A-Za-z0-9]{3,32}$/;
/** WeChat generates 43 letters and digits. */
const MESSAGE_AES_KEY = /^[A-Za-z0-9]{43}$/;
const ORIGINAL_ID = /^gh_[A-Za-z0-9]{1,32}$/;

/** Why an account's message settings are wrong, or undefined (never echoes a token or key). */
export function messageSettingsProblem(account: SandboxAccount): string | undefined {
  const { appId, messageToken, messageAesKey, originalId } = account;
  if (messageToken !== undefined && (typeof messageToken !== 'string' || !MESSAGE_TOKEN.test(messageToken))) {
    return `account ${appId}: messageToken must be 3-32 letters or digits`;
  }
  if (messageAesKey !== undefined) {
    if (typeof messageAesKey !== 'string' || !MESSAGE_AES_KEY.test(messageAesKey)) {
      return `account ${appId}: messageAesKey must be 43 letters or digits`;
    }
    if (messageToken === undefined) return `account ${appId}: messageAesKey needs a messageToken`;
  }
  if (originalId !== undefined && (typeof originalId !== 'string' || !ORIGINAL_ID.test(originalId))) {
    return `account ${appId}: originalId must look like gh_0123456789ab`;
  }
  return undefined;
}
