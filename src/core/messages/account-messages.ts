import type { AccountTokens } from '../credentials/account-tokens.js';
import type { Transport } from '../ports.js';
import { customerServiceBody } from './customer-service-message.js';
import { checkReply, type MessageReply } from './passive-reply.js';

/** One account's outgoing messages (`accounts.get(appId).messages`). */
export class AccountMessages {
  constructor(
    readonly appId: string,
    private readonly tokens: AccountTokens,
    private readonly transport: Transport,
  ) {}

  /**
   * Sends `reply` to a user as a customer-service message (客服消息): allowed within 48 hours of the
   * user's last message or event; WeChat refuses with 45015 after that, 45047 past its count.
   */
  async send(openid: string, reply: MessageReply): Promise<void> {
    const body = customerServiceBody(openid, checkReply(reply));
    await this.tokens.withAccessToken((token) =>
      // a message repeated after a timeout could reach the user twice
      this.transport.post('cgi-bin/message/custom/send', body, { access_token: token }, { appId: this.appId, repeatable: false }),
    );
  }
}
