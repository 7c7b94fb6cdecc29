import { createHash } from 'node:crypto';
import type { WechatAccounts } from '../accounts/wechat-accounts.js';
import type { MediaOwner } from './media-record.js';
import type { MediaStorage } from './media-storage.js';

/**
 * Where a media id lives: an account's storage, or inside it one user's own space (for an id
 * someone else saved first). Its names key the cross-instance locks and this process's flights.
 */
export interface MediaPlace {
  appId: string;
  storage: MediaStorage;
  /** the media's name in the shared store's keys (beside the account): the id, then the owner space */
  name(mediaId: string): string;
  /** its name among the work in flight in this process (every account's) */
  flight(mediaId: string): string;
}

/** The account's place (its own storage when the storage tells accounts apart); none given: the default account's. */
export function accountPlace(accounts: WechatAccounts, storage: MediaStorage, appId: string | undefined): MediaPlace {
  const account = accounts.get(appId);
  const own = account === accounts.default ? storage : (storage.forAccount?.(account.appId) ?? storage);
  return {
    appId: account.appId,
    storage: own,
    name: (mediaId) => mediaId,
    flight: (mediaId) => `${account.appId}/${mediaId}`,
  };
}

/**
 * The user's own space inside an account's place, where their copy of an id someone else saved
 * first is kept; undefined when the storage has no such spaces.
 */
export function ownerPlace(place: MediaPlace, owner: MediaOwner): MediaPlace | undefined {
  const key = ownerSpaceKey(owner);
  const storage = place.storage.forOwner?.(key);
  if (!storage) return undefined;
  return {
    appId: place.appId,
    storage,
    name: (mediaId) => `${mediaId}:${key}`,
    flight: (mediaId) => `${place.appId}/${mediaId}/${key}`,
  };
}

/** A user's space is named by a hash of account and openid: fixed length, nothing of the user in storage paths. */
export function ownerSpaceKey(owner: MediaOwner): string {
  return createHash('sha256').update(`${owner.appId}\n${owner.openid}`).digest('hex').slice(0, 32);
}
