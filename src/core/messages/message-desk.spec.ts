import { jest } from '@jest/globals';
import { LocalStore } from '../../store/local-store.js';
import type { Clock } from '../ports.js';
import { Problem } from '../problem.js';
import { WechatApiError } from '../wechat-api.error.js';
import type { WechatStore } from '../wechat-store.js';
import { MessageCipher } from './message-cipher.js';
import { MessageDesk, type PushKeys, type WechatMessage, type WechatMessageHandler } from './message-desk.js';
import { MessageOnce } from './message-once.js';
import { messageSignature, urlSignature } from './message-signature.js';
import { readMessageXml } from './message-xml.js';
import { type MessageReply, replyXml } from './passive-reply.js';

const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const APP = 'wxdesk00000001';
const PLAIN_APP = 'wxdesk00000002';
const TOKEN = 'DeskToken0123';
const PLAIN_TOKEN = 'PlainToken456';
const cipher = new MessageCipher(AES_KEY, APP);
const KEYS: Record<string, PushKeys> = { [APP]: { token: TOKEN, cipher }, [PLAIN_APP]: { token: PLAIN_TOKEN } };

const OPENID = 'oUser-Openid-0123456789ab';
const CONTENT = 'my secret words 0451';
const ACCOUNT_ID = 'gh_0123456789ab';
const NOW = 1_700_000_123_456;
const fixedClock: Clock = () => NOW;

const TEXT = {
  ToUserName: ACCOUNT_ID,
  FromUserName: OPENID,
  CreateTime: '1700000000',
  MsgType: 'text',
  Content: CONTENT,
  MsgId: '24000000000000000001',
};
const SUBSCRIBE = {
  ToUserName: ACCOUNT_ID,
  FromUserName: OPENID,
  CreateTime: '1700000001',
  MsgType: 'event',
  Event: 'subscribe',
};
const REPLY: MessageReply = { type: 'text', content: 'a reply for you' };

// What no log line may ever hold: the content, the openid, and every Encrypt this file makes.
const unloggable = new Set([OPENID, CONTENT]);
const allLines: string[] = [];
afterEach(() => {
  for (const line of allLines.splice(0)) for (const secret of unloggable) expect(line).not.toContain(secret);
});

const xmlOf = (fields: Record<string, string>) =>
  `<xml>${Object.entries(fields)
    .map(([name, value]) => `<${name}><![CDATA[${value}]]></${name}>`)
    .join('')}</xml>`;

interface Push {
  query: Record<string, unknown>;
  body: string;
}

/** A push as WeChat sends it in the clear: signed over the token, timestamp and nonce. */
function plainPush(fields: Record<string, string>, token = TOKEN): Push {
  const timestamp = '1700000000';
  const nonce = '1357924680';
  return { query: { signature: urlSignature(token, timestamp, nonce), timestamp, nonce, openid: OPENID }, body: xmlOf(fields) };
}

/** A push in the safe mode: the message encrypted with the account's key, msg_signature over its Encrypt. */
function aesPush(fields: Record<string, string>, token = TOKEN, encryptFor = cipher): Push {
  const timestamp = '1700000002';
  const nonce = '2468013579';
  const encrypt = encryptFor.encrypt(xmlOf(fields));
  unloggable.add(encrypt);
  return {
    query: {
      signature: urlSignature(token, timestamp, nonce),
      timestamp,
      nonce,
      openid: OPENID,
      encrypt_type: 'aes',
      msg_signature: messageSignature(token, timestamp, nonce, encrypt),
    },
    body: `<xml><ToUserName><![CDATA[${ACCOUNT_ID}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
  };
}

type Reported = [appId: string, msgType: string, event: string, outcome: string];

interface WorldOptions {
  handler?: WechatMessageHandler;
  store?: WechatStore;
  sendLater?: (appId: string, openid: string, reply: MessageReply) => Promise<void>;
  replyTimeoutMs?: number;
  lateReplyLimitMs?: number;
  clock?: Clock;
}

function world(options: WorldOptions = {}) {
  const store = options.store ?? new LocalStore();
  const once = new MessageOnce(store, 'wx:');
  const events: Reported[] = [];
  const waiting: { outcome: string; resolve: () => void }[] = [];
  const logs = { log: [] as string[], warn: [] as string[], error: [] as string[] };
  const line = (level: keyof typeof logs) => (message: string) => {
    logs[level].push(message);
    allLines.push(message);
  };
  const sent: [string, string, MessageReply][] = [];
  const desk = new MessageDesk({
    keysOf: (appId) => KEYS[appId],
    handler: options.handler,
    once,
    sendLater:
      options.sendLater ??
      (async (appId, openid, reply) => {
        sent.push([appId, openid, reply]);
      }),
    replyTimeoutMs: options.replyTimeoutMs ?? 1000,
    lateReplyLimitMs: options.lateReplyLimitMs ?? 1000,
    clock: options.clock ?? (() => Date.now()),
    log: { log: line('log'), warn: line('warn'), error: line('error') },
    events: {
      message: (...reported) => {
        events.push(reported);
        for (const waiter of waiting.filter((w) => w.outcome === reported[3])) waiter.resolve();
      },
    },
  });
  return {
    desk,
    once,
    events,
    logs,
    sent,
    outcomes: () => events.map((event) => event[3]),
    /** Settles when an event of `outcome` is reported (at once if one was). */
    reported: (outcome: string) =>
      events.some((event) => event[3] === outcome)
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiting.push({ outcome, resolve })),
    /** The push admitted and answered, as the route does it. */
    answer: ({ query, body }: Push, appId = APP) => desk.answer(desk.admit(appId, query), body),
  };
}

/** A handler that waits for the test: `entered` when called, `release(reply)` to answer. */
function gated() {
  const calls: [WechatMessage, { appId: string }][] = [];
  let release!: (reply?: MessageReply | Error) => void;
  let entered!: () => void;
  const enteredOnce = new Promise<void>((resolve) => (entered = resolve));
  const answer = new Promise<MessageReply | Error | undefined>((resolve) => (release = resolve));
  const handler: WechatMessageHandler = async (message, context) => {
    calls.push([message, context]);
    entered();
    const reply = await answer;
    if (reply instanceof Error) throw reply;
    return reply;
  };
  return { handler, calls, release, entered: enteredOnce, answered: answer };
}

/** Lets every callback already due run (microtasks, then one macrotask turn): for asserting that nothing more happens. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

async function problemOf(work: () => unknown): Promise<Problem> {
  try {
    await work();
  } catch (error) {
    expect(error).toBeInstanceOf(Problem);
    return error as Problem;
  }
  throw new Error('expected a Problem');
}

/** A handler that counts its calls and answers `reply` ('none': no reply). */
const countingHandler = (reply: MessageReply | 'none' = REPLY) => {
  const calls: WechatMessage[] = [];
  const handler: WechatMessageHandler = (message) => {
    calls.push(message);
    return reply === 'none' ? undefined : reply;
  };
  return { handler, calls };
};

const success = { contentType: 'text/plain', body: 'success' };

describe('MessageDesk.echo', () => {
  it('answers the echostr of a url check signed with the token', () => {
    const { desk } = world();
    const { query } = plainPush(TEXT);
    expect(desk.echo(APP, { ...query, echostr: '8237416529876543210' })).toBe('8237416529876543210');
    const plain = plainPush(TEXT, PLAIN_TOKEN);
    expect(desk.echo(PLAIN_APP, { ...plain.query, echostr: 'abc' })).toBe('abc');
  });

  it.each([
    ['signed with another token', { ...plainPush(TEXT, PLAIN_TOKEN).query, echostr: 'e' }],
    ['without an echostr', plainPush(TEXT).query],
    ['without a signature', { ...plainPush(TEXT).query, signature: undefined, echostr: 'e' }],
  ])('refuses a url check %s with 401', async (_what, query) => {
    const problem = await problemOf(() => world().desk.echo(APP, query));
    expect(problem.body).toEqual({
      statusCode: 401,
      code: 'MESSAGE_SIGNATURE_INVALID',
      message: 'the signature does not match the message token',
    });
  });

  it('answers 404 MESSAGES_NOT_CONFIGURED for an account without messages', async () => {
    const problem = await problemOf(() => world().desk.echo('wxunknown', { ...plainPush(TEXT).query, echostr: 'e' }));
    expect(problem.body).toEqual({
      statusCode: 404,
      code: 'MESSAGES_NOT_CONFIGURED',
      message: 'messages are not configured for wxunknown',
    });
  });
});

describe('MessageDesk.admit', () => {
  it('admits a signed push in the clear or encrypted, with the keys of its account', () => {
    const { desk } = world();
    const plain = plainPush(TEXT);
    expect(desk.admit(APP, plain.query)).toEqual({ appId: APP, keys: KEYS[APP], mode: 'plain', query: plain.query });
    const aes = aesPush(TEXT);
    expect(desk.admit(APP, aes.query)).toEqual({ appId: APP, keys: KEYS[APP], mode: 'aes', query: aes.query });
    const other = plainPush(TEXT, PLAIN_TOKEN);
    expect(desk.admit(PLAIN_APP, other.query)).toMatchObject({ appId: PLAIN_APP, keys: { token: PLAIN_TOKEN }, mode: 'plain' });
  });

  it.each([
    ['signed with another token', plainPush(TEXT, PLAIN_TOKEN).query],
    ['encrypted without a msg_signature', { ...aesPush(TEXT).query, msg_signature: undefined }],
    ['with no timestamp', { ...plainPush(TEXT).query, timestamp: undefined }],
  ])('refuses a push %s with 401 before its body is read', async (_what, query) => {
    const problem = await problemOf(() => world().desk.admit(APP, query));
    expect(problem).toMatchObject({ statusCode: 401, code: 'MESSAGE_SIGNATURE_INVALID' });
  });

  it('answers 404 MESSAGES_NOT_CONFIGURED for an account without messages', async () => {
    const problem = await problemOf(() => world().desk.admit('wxunknown', plainPush(TEXT).query));
    expect(problem).toMatchObject({ statusCode: 404, code: 'MESSAGES_NOT_CONFIGURED' });
  });
});

describe('MessageDesk.answer in time', () => {
  it('without a handler answers success and reports nothing, every time, without the store', async () => {
    const lock = jest.fn<WechatStore['lock']>();
    const { answer, events } = world({ store: { lock } as unknown as WechatStore });
    await expect(answer(plainPush(TEXT))).resolves.toEqual(success);
    await expect(answer(plainPush(TEXT))).resolves.toEqual(success);
    expect(events).toEqual([
      [APP, 'text', '', 'nothing'],
      [APP, 'text', '', 'nothing'],
    ]);
    expect(lock).not.toHaveBeenCalled();
  });

  it('gives the handler the message and its account, and answers its reply as the passive reply XML', async () => {
    const calls: [WechatMessage, { appId: string }][] = [];
    const { answer, events } = world({
      clock: fixedClock,
      handler: (message, context) => {
        calls.push([message, context]);
        return REPLY;
      },
    });
    const answered = await answer(plainPush(TEXT));
    expect(calls).toEqual([[TEXT, { appId: APP }]]);
    expect(answered).toEqual({
      contentType: 'text/xml',
      body: replyXml(REPLY, { toUser: OPENID, fromUser: ACCOUNT_ID, createTime: 1_700_000_123 }),
    });
    expect(readMessageXml(answered.body)).toMatchObject({
      ToUserName: OPENID,
      FromUserName: ACCOUNT_ID,
      CreateTime: '1700000123',
    });
    expect(events).toEqual([[APP, 'text', '', 'replied']]);
  });

  it('reads a body given as bytes', async () => {
    const { desk } = world({ handler: () => REPLY });
    const { query, body } = plainPush(TEXT);
    const answered = await desk.answer(desk.admit(APP, query), Buffer.from(body, 'utf8'));
    expect(readMessageXml(answered.body)).toMatchObject({ Content: REPLY.content });
  });

  it('waits for a handler that takes a while within the reply timeout', async () => {
    const handler = () => new Promise<MessageReply>((resolve) => setTimeout(() => resolve(REPLY), 30));
    const { answer, outcomes, sent } = world({ handler, replyTimeoutMs: 2000 });
    const answered = await answer(plainPush(TEXT));
    expect(answered.contentType).toBe('text/xml');
    expect(outcomes()).toEqual(['replied']);
    expect(sent).toEqual([]);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
  ])('answers success when the handler answers %s', async (_what, reply) => {
    const { answer, events, once } = world({ handler: () => reply as undefined });
    await expect(answer(plainPush(TEXT))).resolves.toEqual(success);
    expect(events).toEqual([[APP, 'text', '', 'nothing']]);
    await expect(once.waitForFirst(APP, TEXT.MsgId, 0)).resolves.toEqual({});
  });

  it('records the reply for repeats, under the message key', async () => {
    const { answer, once } = world({ handler: () => ({ ...REPLY, unknown: 'dropped' }) as MessageReply });
    await answer(plainPush(TEXT));
    await expect(once.waitForFirst(APP, TEXT.MsgId, 0)).resolves.toStrictEqual({ reply: REPLY });
  });

  it('labels an event by its name, and an unknown event as other', async () => {
    const { answer, events } = world({ handler: () => undefined });
    await answer(plainPush(SUBSCRIBE));
    await answer(plainPush({ ...SUBSCRIBE, Event: 'user_enter_tempsession' }));
    await answer(plainPush({ ...TEXT, MsgType: 'miniprogrampage' }));
    expect(events).toEqual([
      [APP, 'event', 'subscribe', 'nothing'],
      [APP, 'event', 'other', 'nothing'],
      [APP, 'other', '', 'nothing'],
    ]);
  });

  it.each(['ToUserName', 'FromUserName', 'CreateTime', 'MsgType'])(
    'refuses a message without %s with 400, before the handler',
    async (name) => {
      const { handler, calls } = countingHandler();
      const { answer, events } = world({ handler });
      for (const fields of [Object.fromEntries(Object.entries(TEXT).filter(([key]) => key !== name)), { ...TEXT, [name]: '' }]) {
        const problem = await problemOf(() => answer(plainPush(fields)));
        expect(problem.body).toEqual({ statusCode: 400, code: 'MESSAGE_XML_INVALID', message: `the message has no ${name}` });
      }
      const nested = `<xml>${xmlOf(TEXT)
        .slice(5, -6)
        .replace(`<${name}><![CDATA[`, `<${name}><a><![CDATA[`)
        .replace(`]]></${name}>`, `]]></a></${name}>`)}</xml>`;
      const problem = await problemOf(() => answer({ query: plainPush(TEXT).query, body: nested }));
      expect(problem).toMatchObject({ code: 'MESSAGE_XML_INVALID', message: `the message has no ${name}` });
      expect(calls).toEqual([]);
      expect(events).toEqual([]);
    },
  );
});

describe('MessageDesk.answer in the safe mode', () => {
  it('encrypts the reply with the account cipher in a signed envelope', async () => {
    const calls: WechatMessage[] = [];
    const { answer, events } = world({ clock: fixedClock, handler: (message) => (calls.push(message), REPLY) });
    const answered = await answer(aesPush(TEXT));
    expect(calls).toEqual([TEXT]);
    expect(answered.contentType).toBe('text/xml');
    expect(answered.body).not.toContain(REPLY.content);
    const envelope = readMessageXml(answered.body) as Record<string, string>;
    expect(Object.keys(envelope)).toEqual(['Encrypt', 'MsgSignature', 'TimeStamp', 'Nonce']);
    const { Encrypt, MsgSignature, TimeStamp, Nonce } = envelope as Record<string, string>;
    unloggable.add(Encrypt!);
    expect(TimeStamp).toBe('1700000123');
    expect(Nonce).toMatch(/^[1-9]\d{9}$/);
    expect(MsgSignature).toBe(messageSignature(TOKEN, TimeStamp!, Nonce!, Encrypt!));
    expect(cipher.decrypt(Encrypt!)).toBe(replyXml(REPLY, { toUser: OPENID, fromUser: ACCOUNT_ID, createTime: 1_700_000_123 }));
    expect(events).toEqual([[APP, 'text', '', 'replied']]);
  });

  it('answers a plain success when there is no reply', async () => {
    const { answer } = world({ handler: () => undefined });
    await expect(answer(aesPush(TEXT))).resolves.toEqual(success);
  });

  it('refuses an encrypted push to an account without an EncodingAESKey, before the handler', async () => {
    const { handler, calls } = countingHandler();
    const { answer, events } = world({ handler });
    const push = aesPush(TEXT, PLAIN_TOKEN, new MessageCipher(AES_KEY, PLAIN_APP));
    const problem = await problemOf(() => answer(push, PLAIN_APP));
    expect(problem).toMatchObject({ statusCode: 400, code: 'MESSAGE_AES_KEY_MISSING' });
    expect(calls).toEqual([]);
    expect(events).toEqual([]);
  });

  it('refuses an Encrypt whose msg_signature does not match, before the handler', async () => {
    const { handler, calls } = countingHandler();
    const { answer } = world({ handler });
    const push = aesPush(TEXT);
    const problem = await problemOf(() => answer({ ...push, query: { ...push.query, msg_signature: 'f'.repeat(40) } }));
    expect(problem).toMatchObject({ statusCode: 401, code: 'MESSAGE_SIGNATURE_INVALID' });
    expect(calls).toEqual([]);
  });
});

describe('MessageDesk.answer when the handler fails', () => {
  it.each<[string, () => unknown, string]>([
    ['an Error', () => Promise.reject(new Error(`cannot answer ${CONTENT} for ${OPENID}`)), 'Error'],
    ['a TypeError thrown at once', () => (null as unknown as { x: () => void }).x(), 'TypeError'],
    [
      'a Problem',
      () => Promise.reject(new Problem(502, 'MESSAGE_WEBHOOK_FAILED', 'the message webhook answered HTTP 500')),
      'the message webhook answered HTTP 500',
    ],
    ['a string', () => Promise.reject(`${CONTENT}`), 'error'],
    ['null', () => Promise.reject(null), 'error'],
  ])('logs %s by its name only, reports failed, and answers success', async (_what, handler, what) => {
    const desk = world({ handler: handler as WechatMessageHandler });
    await expect(desk.answer(plainPush(TEXT))).resolves.toEqual(success);
    expect(desk.logs.error).toEqual([`the message handler failed for ${APP} (text): ${what}`]);
    expect(desk.events).toEqual([[APP, 'text', '', 'failed']]);
    await expect(desk.once.waitForFirst(APP, TEXT.MsgId, 0)).resolves.toEqual({});
  });

  it('names the event of a failed event message', async () => {
    const desk = world({ handler: () => Promise.reject(new RangeError('x')) });
    await desk.answer(aesPush(SUBSCRIBE));
    expect(desk.logs.error).toEqual([`the message handler failed for ${APP} (event/subscribe): RangeError`]);
    expect(desk.events).toEqual([[APP, 'event', 'subscribe', 'failed']]);
  });

  it.each<[string, unknown, string]>([
    ['an empty text', { type: 'text', content: '' }, 'reply.content must be a non-empty string'],
    ['an unknown type', { type: 'sticker' }, 'reply.type must be one of text, image, voice, video, music, news'],
    ['a bare string', CONTENT, 'reply must be an object'],
  ])('takes a reply of %s for no reply, logging why', async (_what, reply, why) => {
    const desk = world({ handler: () => reply as MessageReply });
    await expect(desk.answer(plainPush(TEXT))).resolves.toEqual(success);
    expect(desk.logs.error).toEqual([`the message handler failed for ${APP} (text): ${why}`]);
    expect(desk.outcomes()).toEqual(['failed']);
  });
});

describe('MessageDesk.answer handles a message once', () => {
  it('answers a repeat with the first reply, without calling the handler again', async () => {
    const { handler, calls } = countingHandler();
    const { answer, events } = world({ handler, clock: fixedClock });
    const first = await answer(plainPush(TEXT));
    const repeat = await answer(plainPush(TEXT));
    expect(repeat).toEqual(first);
    expect(repeat.contentType).toBe('text/xml');
    expect(calls).toHaveLength(1);
    expect(events).toEqual([
      [APP, 'text', '', 'replied'],
      [APP, 'text', '', 'repeat'],
    ]);
  });

  it('lets a repeat that arrives while the first still runs wait for its reply', async () => {
    const gate = gated();
    const desk = world({ handler: gate.handler });
    const first = desk.answer(plainPush(TEXT));
    await gate.entered;
    const repeat = desk.answer(plainPush(TEXT));
    await desk.reported('repeat');
    gate.release(REPLY);
    const [a, b] = await Promise.all([first, repeat]);
    for (const answered of [a, b]) {
      expect(answered.contentType).toBe('text/xml');
      expect(readMessageXml(answered.body)).toMatchObject({ ToUserName: OPENID, Content: REPLY.content });
    }
    expect(gate.calls).toHaveLength(1);
    expect(desk.outcomes()).toEqual(['repeat', 'replied']);
  });

  it('answers a repeat success when the first answered nothing', async () => {
    const { handler, calls } = countingHandler('none');
    const { answer, outcomes } = world({ handler });
    await answer(plainPush(SUBSCRIBE));
    await expect(answer(plainPush(SUBSCRIBE))).resolves.toEqual(success);
    expect(calls).toHaveLength(1);
    expect(outcomes()).toEqual(['nothing', 'repeat']);
  });

  it('gives a repeat success at its own reply timeout when the first never records an answer', async () => {
    const { handler, calls } = countingHandler();
    const desk = world({ handler, replyTimeoutMs: 60 });
    // another instance claimed the message and went away
    await desk.once.claim(APP, TEXT.MsgId);
    const started = Date.now();
    await expect(desk.answer(plainPush(TEXT))).resolves.toEqual(success);
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
    expect(calls).toEqual([]);
    expect(desk.outcomes()).toEqual(['repeat']);
  });

  it('tells events apart by user, time and event', async () => {
    const { handler, calls } = countingHandler('none');
    const { answer } = world({ handler });
    await answer(plainPush(SUBSCRIBE));
    await answer(plainPush(SUBSCRIBE));
    await answer(plainPush({ ...SUBSCRIBE, CreateTime: '1700000099' }));
    await answer(plainPush({ ...SUBSCRIBE, Event: 'unsubscribe' }));
    await answer(plainPush({ ...SUBSCRIBE, FromUserName: 'oAnother-user' }));
    expect(calls.map((m) => [m.FromUserName, m.CreateTime, m.Event])).toEqual([
      [OPENID, '1700000001', 'subscribe'],
      [OPENID, '1700000099', 'subscribe'],
      [OPENID, '1700000001', 'unsubscribe'],
      ['oAnother-user', '1700000001', 'subscribe'],
    ]);
  });

  it('handles the same MsgId once per account', async () => {
    const { handler, calls } = countingHandler();
    const { answer } = world({ handler });
    await answer(plainPush(TEXT));
    await answer(plainPush(TEXT, PLAIN_TOKEN), PLAIN_APP);
    await answer(plainPush(TEXT, PLAIN_TOKEN), PLAIN_APP);
    expect(calls).toHaveLength(2);
  });

  it('handles a message without a key every time, without the store', async () => {
    const { handler, calls } = countingHandler();
    const store = { lock: jest.fn(), set: jest.fn(), get: jest.fn() };
    const { answer, outcomes, logs } = world({ handler, store: store as unknown as WechatStore });
    const keyless = { ...TEXT, MsgId: '' };
    for (let i = 0; i < 2; i++) {
      const answered = await answer(plainPush(keyless));
      expect(answered.contentType).toBe('text/xml');
    }
    expect(calls).toHaveLength(2);
    expect(outcomes()).toEqual(['replied', 'replied']);
    expect(store.lock).not.toHaveBeenCalled();
    expect(store.set).not.toHaveBeenCalled();
    expect(logs).toEqual({ log: [], warn: [], error: [] });
  });
});

/** A LocalStore whose operations fail while their flag is set. */
function failingStore(fail: { lock?: boolean; set?: boolean; get?: boolean }) {
  const store = new LocalStore();
  const down = () => Promise.reject(new Problem(503, 'STORE_UNAVAILABLE', 'the store did not answer'));
  return {
    kind: 'memory',
    lock: (key: string, ttl: number) => (fail.lock ? down() : store.lock(key, ttl)),
    set: (key: string, value: unknown, ttl: number) => (fail.set ? down() : store.set(key, value, ttl)),
    get: (key: string) => (fail.get ? down() : store.get(key)),
  } as unknown as WechatStore;
}

describe('MessageDesk.answer when the shared store fails', () => {
  it('still handles a message it cannot claim, every time, and says repeats may reach the handler', async () => {
    const { handler, calls } = countingHandler();
    const desk = world({ handler, store: failingStore({ lock: true }) });
    for (let i = 0; i < 2; i++) expect((await desk.answer(plainPush(TEXT))).contentType).toBe('text/xml');
    expect(calls).toHaveLength(2);
    expect(desk.outcomes()).toEqual(['replied', 'replied']);
    expect(desk.logs.warn).toEqual([
      'the shared store failed to claim a message; repeats may reach the handler again',
      'the shared store failed to claim a message; repeats may reach the handler again',
    ]);
  });

  it('still answers a reply it cannot record', async () => {
    const desk = world({ handler: () => REPLY, store: failingStore({ set: true }) });
    expect(readMessageXml((await desk.answer(aesPush(TEXT))).body)).toHaveProperty('Encrypt');
    expect(desk.outcomes()).toEqual(['replied']);
    expect(desk.logs.warn).toEqual(['the shared store failed to record a message; repeats may reach the handler again']);
  });

  it('answers a repeat success when the first answer cannot be read', async () => {
    const { handler, calls } = countingHandler();
    const desk = world({ handler, store: failingStore({ get: true }), replyTimeoutMs: 5000 });
    await desk.answer(plainPush(TEXT));
    const started = Date.now();
    await expect(desk.answer(plainPush(TEXT))).resolves.toEqual(success);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(calls).toHaveLength(1);
    expect(desk.outcomes()).toEqual(['replied', 'repeat']);
  });
});

describe('MessageDesk.answer after the reply timeout', () => {
  it('answers success at the timeout, records the reply as deferred, and sends it later', async () => {
    const gate = gated();
    const desk = world({ handler: gate.handler, replyTimeoutMs: 20 });
    await expect(desk.answer(plainPush(TEXT))).resolves.toEqual(success);
    expect(desk.events).toEqual([[APP, 'text', '', 'deferred']]);
    await expect(desk.once.waitForFirst(APP, TEXT.MsgId, 0)).resolves.toEqual({ deferred: true });
    // a repeat meanwhile: success, and no second handling
    await expect(desk.answer(plainPush(TEXT))).resolves.toEqual(success);
    expect(desk.sent).toEqual([]);
    gate.release({ ...REPLY, unknown: 'dropped' } as MessageReply);
    await desk.reported('sent_later');
    expect(desk.sent).toStrictEqual([[APP, OPENID, REPLY]]);
    expect(gate.calls).toHaveLength(1);
    expect(desk.events).toEqual([
      [APP, 'text', '', 'deferred'],
      [APP, 'text', '', 'repeat'],
      [APP, 'text', '', 'sent_later'],
    ]);
  });

  it('reports nothing, and sends nothing, when the late handler answers nothing', async () => {
    const gate = gated();
    const desk = world({ handler: gate.handler, replyTimeoutMs: 10 });
    await desk.answer(plainPush(TEXT));
    gate.release(undefined);
    await desk.reported('nothing');
    await settle();
    expect(desk.sent).toEqual([]);
    expect(desk.events).toEqual([
      [APP, 'text', '', 'deferred'],
      [APP, 'text', '', 'nothing'],
    ]);
    expect(desk.logs).toEqual({ log: [], warn: [], error: [] });
  });

  it('reports failed, and sends nothing, when the late handler fails', async () => {
    const gate = gated();
    const desk = world({ handler: gate.handler, replyTimeoutMs: 10 });
    await desk.answer(plainPush(SUBSCRIBE));
    gate.release(new SyntaxError(CONTENT));
    await desk.reported('failed');
    await settle();
    expect(desk.sent).toEqual([]);
    expect(desk.events).toEqual([
      [APP, 'event', 'subscribe', 'deferred'],
      [APP, 'event', 'subscribe', 'failed'],
    ]);
    expect(desk.logs.error).toEqual([`the message handler failed for ${APP} (event/subscribe): SyntaxError`]);
  });

  it('drops a late reply that does not come within lateReplyLimitMs', async () => {
    const gate = gated();
    const desk = world({ handler: gate.handler, replyTimeoutMs: 10, lateReplyLimitMs: 30 });
    const started = Date.now();
    await desk.answer(plainPush(TEXT));
    await desk.reported('dropped');
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    expect(desk.logs.warn).toEqual([`a late reply for ${APP} never came within 30 ms; dropped`]);
    gate.release(REPLY);
    await gate.answered;
    await settle();
    expect(desk.sent).toEqual([]);
    expect(desk.events).toEqual([
      [APP, 'text', '', 'deferred'],
      [APP, 'text', '', 'dropped'],
    ]);
  });

  it.each<[string, unknown, string]>([
    [
      'WeChat refuses it (45015)',
      new WechatApiError(45015, 'response out of time limit', 'cgi-bin/message/custom/send'),
      'errcode 45015',
    ],
    ['the call fails', new TypeError('fetch failed'), 'TypeError'],
    ['something else is thrown', OPENID, 'error'],
    ['it rejects with nothing', undefined, 'error'],
  ])('reports send_failed and warns when %s', async (_what, failure, why) => {
    const gate = gated();
    const desk = world({ handler: gate.handler, replyTimeoutMs: 10, sendLater: () => Promise.reject(failure) });
    await desk.answer(plainPush(TEXT));
    gate.release(REPLY);
    await desk.reported('send_failed');
    expect(desk.outcomes()).toEqual(['deferred', 'send_failed']);
    expect(desk.logs.warn).toEqual([`a late reply for ${APP} could not be sent as a customer-service message (${why})`]);
  });

  it('still sends the late reply when the store cannot record it as deferred', async () => {
    const gate = gated();
    const desk = world({ handler: gate.handler, replyTimeoutMs: 10, store: failingStore({ set: true }) });
    await expect(desk.answer(plainPush(TEXT))).resolves.toEqual(success);
    gate.release(REPLY);
    await desk.reported('sent_later');
    expect(desk.sent).toEqual([[APP, OPENID, REPLY]]);
    expect(desk.logs.warn).toEqual(['the shared store failed to record a message; repeats may reach the handler again']);
  });
});

describe('MessageDesk.answer on a clock', () => {
  beforeEach(() => jest.useFakeTimers({ now: NOW }));
  afterEach(() => jest.useRealTimers());

  it('leaves no timer behind once the handler has answered in time', async () => {
    const desk = world({ handler: () => REPLY, replyTimeoutMs: 4000, lateReplyLimitMs: 600_000 });
    await desk.answer(plainPush(TEXT));
    expect(desk.outcomes()).toEqual(['replied']);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('waits exactly the reply timeout, then the late reply limit, and leaves no timer behind', async () => {
    const gate = gated();
    const desk = world({ handler: gate.handler, replyTimeoutMs: 4000, lateReplyLimitMs: 600_000 });
    let answered: unknown;
    void desk.answer(plainPush(TEXT)).then((a) => (answered = a));
    await jest.advanceTimersByTimeAsync(3999);
    expect(answered).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    expect(answered).toEqual(success);
    await jest.advanceTimersByTimeAsync(599_999);
    expect(desk.outcomes()).toEqual(['deferred']);
    gate.release(REPLY);
    await desk.reported('sent_later');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('drops the late reply at the limit exactly', async () => {
    const gate = gated();
    const desk = world({ handler: gate.handler, replyTimeoutMs: 100, lateReplyLimitMs: 1000 });
    await Promise.all([desk.answer(plainPush(TEXT)), jest.advanceTimersByTimeAsync(100)]);
    await jest.advanceTimersByTimeAsync(999);
    expect(desk.outcomes()).toEqual(['deferred']);
    await jest.advanceTimersByTimeAsync(1);
    expect(desk.outcomes()).toEqual(['deferred', 'dropped']);
  });

  it('gives a repeat only the rest of its reply timeout', async () => {
    // the clock moves on while the claim is refused: the repeat waits for what is left of the timeout
    let now = NOW;
    const asked: number[] = [];
    const store = {
      lock: async () => ((now += 300), null),
      get: async () => (asked.push(Date.now() - NOW), undefined),
    } as unknown as WechatStore;
    const desk = world({ handler: () => REPLY, replyTimeoutMs: 1000, clock: () => now, store });
    let answered: unknown;
    void desk.answer(plainPush(TEXT)).then((a) => (answered = a));
    await jest.advanceTimersByTimeAsync(699);
    expect(answered).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    expect(answered).toEqual(success);
    expect(asked[0]).toBe(0);
    expect(asked.at(-1)).toBe(700);
    expect(desk.outcomes()).toEqual(['repeat']);
  });

  it('gives the rest of the reply timeout to a handler that starts late', async () => {
    // the clock moves on while the claim is taken: the handler gets what is left of the timeout
    let now = NOW;
    const clock = () => now;
    const slowLock = (key: string, ttl: number) => {
      now += 300;
      return new LocalStore().lock(key, ttl);
    };
    const gate = gated();
    const desk = world({
      handler: gate.handler,
      replyTimeoutMs: 1000,
      clock,
      store: { lock: slowLock, set: async () => undefined } as unknown as WechatStore,
    });
    let answered: unknown;
    void desk.answer(plainPush(TEXT)).then((a) => (answered = a));
    await jest.advanceTimersByTimeAsync(699);
    expect(answered).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    expect(answered).toEqual(success);
    gate.release(undefined);
  });
});
