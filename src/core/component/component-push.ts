import { checkPushQuery, openPushBody } from '../messages/inbound-message.js';
import type { MessageCipher } from '../messages/message-cipher.js';
import { MessageSignatureError, MessageXmlError } from '../messages/message-errors.js';
import { nonEmptyString } from '../text.js';

/** What the third-party platform's event url (授权事件接收 URL) receives, once verified and decrypted. */
export type ComponentEvent =
  | { type: 'component_verify_ticket'; ticket: string; createTime: number }
  | { type: 'authorized' | 'updateauthorized'; authorizerAppId: string; authorizationCode: string; createTime: number }
  | { type: 'unauthorized'; authorizerAppId: string; createTime: number }
  /** an InfoType of another product (fast registration, ...): acknowledged, not acted on */
  | { type: 'other'; infoType: string };

export interface ComponentPushKeys {
  componentAppId: string;
  /** the platform's message Token */
  token: string;
  /** the platform's EncodingAESKey, for its appId */
  cipher: MessageCipher;
}

function required(fields: Record<string, unknown>, name: string): string {
  const value = nonEmptyString(fields[name]);
  if (value === undefined) throw new MessageXmlError(`the component event has no ${name}`);
  return value;
}

/**
 * The event of one push: the URL signature and the msg_signature over Encrypt are checked (component
 * pushes are always encrypted: a push without `encrypt_type=aes` is refused like a wrong signature),
 * the body decrypted with the platform's key (its appId is the trailing id) and read.
 */
export function readComponentPush(
  body: string | Buffer,
  query: Record<string, unknown>,
  keys: ComponentPushKeys,
): ComponentEvent {
  const checked = checkPushQuery(query, keys.token);
  if (!checked.ok || checked.mode !== 'aes') throw new MessageSignatureError();
  const { message } = openPushBody(body, { mode: 'aes', query, token: keys.token, cipher: keys.cipher });
  if (nonEmptyString(message.AppId) !== keys.componentAppId) throw new MessageXmlError('the event is for another platform');
  const infoType = required(message, 'InfoType');
  const createTime = Number(nonEmptyString(message.CreateTime) ?? NaN);
  if (!Number.isSafeInteger(createTime) || createTime < 0) throw new MessageXmlError('the component event has no CreateTime');
  switch (infoType) {
    case 'component_verify_ticket':
      return { type: infoType, ticket: required(message, 'ComponentVerifyTicket'), createTime };
    case 'authorized':
    case 'updateauthorized':
      return {
        type: infoType,
        authorizerAppId: required(message, 'AuthorizerAppid'),
        authorizationCode: required(message, 'AuthorizationCode'),
        createTime,
      };
    case 'unauthorized':
      return { type: infoType, authorizerAppId: required(message, 'AuthorizerAppid'), createTime };
    default:
      return { type: 'other', infoType };
  }
}
