/** The account and user a saved media belongs to. */
export interface MediaOwner {
  appId: string;
  openid: string;
}

/** What is kept about a saved media, beside its bytes: the answer to a save, its owner and file name. */
export interface MediaRecord {
  mediaId: string;
  /** as WeChat sent it, e.g. image/jpeg, audio/amr, voice/speex */
  contentType: string;
  /** bytes */
  size: number;
  /** lower-case hex sha256 of the bytes */
  sha256: string;
  /** ISO 8601 time the save completed */
  savedAt: string;
  /** the name in WeChat's Content-disposition, when it gave one */
  filename?: string;
  /** who saved it (absent on media saved by server-side code without a user) */
  owner?: MediaOwner;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** True for a well-formed record (a sidecar read back from storage is untrusted input). */
export function isMediaRecord(value: unknown): value is MediaRecord {
  const r = value as MediaRecord;
  return (
    !!r &&
    typeof r === 'object' &&
    typeof r.mediaId === 'string' &&
    typeof r.contentType === 'string' &&
    r.contentType.length > 0 &&
    Number.isSafeInteger(r.size) &&
    r.size >= 0 &&
    typeof r.sha256 === 'string' &&
    SHA256_HEX.test(r.sha256) &&
    typeof r.savedAt === 'string' &&
    !Number.isNaN(Date.parse(r.savedAt)) &&
    (r.filename === undefined || typeof r.filename === 'string') &&
    (r.owner === undefined || isOwner(r.owner))
  );
}

function isOwner(value: unknown): value is MediaOwner {
  const o = value as MediaOwner;
  return !!o && typeof o === 'object' && typeof o.appId === 'string' && typeof o.openid === 'string';
}
