import { MessageReplyError } from './message-errors.js';
import { cdata } from './xml-cdata.js';

/** One article of a news reply; WeChat shows only the first but accepts up to eight. */
export interface NewsArticle {
  title: string;
  description?: string;
  picUrl?: string;
  url?: string;
}

/** The passive reply a handler returns, one of WeChat's six reply types. */
export type MessageReply =
  | { type: 'text'; content: string }
  | { type: 'image'; mediaId: string }
  | { type: 'voice'; mediaId: string }
  | { type: 'video'; mediaId: string; title?: string; description?: string }
  | { type: 'music'; thumbMediaId: string; title?: string; description?: string; musicUrl?: string; hqMusicUrl?: string }
  | { type: 'news'; articles: NewsArticle[] };

/** Who the reply goes to (the user's openid), who sends it (the account's gh_ id) and when (seconds). */
export interface ReplyAddress {
  toUser: string;
  fromUser: string;
  createTime: number;
}

export const MAX_NEWS_ARTICLES = 8;

type Source = Record<string, unknown>;

function objectAt(value: unknown, field: string): Source {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new MessageReplyError(field, 'must be an object');
  return value as Source;
}

function required(source: Source, key: string, path: string): string {
  const value = source[key];
  if (typeof value !== 'string' || value === '') throw new MessageReplyError(`${path}.${key}`, 'must be a non-empty string');
  return value;
}

/** An optional string: absent or null is left out, anything else but a string is refused. */
function optional(source: Source, key: string, path: string): string | undefined {
  const value = source[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new MessageReplyError(`${path}.${key}`, 'must be a string when given');
  return value;
}

/** The object without its undefined properties. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

function checkArticles(value: unknown): NewsArticle[] {
  if (!Array.isArray(value) || value.length < 1 || value.length > MAX_NEWS_ARTICLES) {
    throw new MessageReplyError('reply.articles', `must be a list of 1 to ${MAX_NEWS_ARTICLES} articles`);
  }
  return value.map((entry: unknown, index) => {
    const path = `reply.articles[${index}]`;
    const article = objectAt(entry, path);
    const [description, picUrl, url] = ['description', 'picUrl', 'url'].map((key) => optional(article, key, path));
    return defined({ title: required(article, 'title', path), description, picUrl, url });
  });
}

/** A reply from an untrusted source (a webhook's JSON) checked field by field; unknown fields are dropped. */
export function checkReply(value: unknown): MessageReply {
  const reply = objectAt(value, 'reply');
  const path = 'reply';
  switch (reply.type) {
    case 'text':
      return { type: 'text', content: required(reply, 'content', path) };
    case 'image':
    case 'voice':
      return { type: reply.type, mediaId: required(reply, 'mediaId', path) };
    case 'video': {
      const [title, description] = ['title', 'description'].map((key) => optional(reply, key, path));
      return defined({ type: 'video', mediaId: required(reply, 'mediaId', path), title, description });
    }
    case 'music': {
      const [title, description, musicUrl, hqMusicUrl] = ['title', 'description', 'musicUrl', 'hqMusicUrl'].map((key) =>
        optional(reply, key, path),
      );
      return defined({
        type: 'music',
        thumbMediaId: required(reply, 'thumbMediaId', path),
        title,
        description,
        musicUrl,
        hqMusicUrl,
      });
    }
    case 'news':
      return { type: 'news', articles: checkArticles(reply.articles) };
    default:
      throw new MessageReplyError('reply.type', 'must be one of text, image, voice, video, music, news');
  }
}

/** `<Name><![CDATA[text]]></Name>`, or nothing when the text is absent. */
function element(name: string, text: string | undefined): string {
  return text === undefined ? '' : `<${name}>${cdata(text)}</${name}>`;
}

/** A news item always carries its four tags, empty when not given. */
function articleXml(article: NewsArticle): string {
  const { title, description = '', picUrl = '', url = '' } = article;
  return `<item>${element('Title', title)}${element('Description', description)}${element('PicUrl', picUrl)}${element('Url', url)}</item>`;
}

/** The tags after MsgType, as WeChat names them for each reply type. */
function replyBody(reply: MessageReply): string {
  switch (reply.type) {
    case 'text':
      return element('Content', reply.content);
    case 'image':
      return `<Image>${element('MediaId', reply.mediaId)}</Image>`;
    case 'voice':
      return `<Voice>${element('MediaId', reply.mediaId)}</Voice>`;
    case 'video':
      return `<Video>${element('MediaId', reply.mediaId)}${element('Title', reply.title)}${element('Description', reply.description)}</Video>`;
    case 'music': {
      const { title, description, musicUrl, hqMusicUrl, thumbMediaId } = reply;
      const tags = [element('Title', title), element('Description', description), element('MusicUrl', musicUrl)];
      return `<Music>${tags.join('')}${element('HQMusicUrl', hqMusicUrl)}${element('ThumbMediaId', thumbMediaId)}</Music>`;
    }
    case 'news':
      return `<ArticleCount>${reply.articles.length}</ArticleCount><Articles>${reply.articles.map(articleXml).join('')}</Articles>`;
  }
}

/** The passive reply XML WeChat expects in the HTTP answer to its push (before any encryption). */
export function replyXml(reply: MessageReply, address: ReplyAddress): string {
  if (!Number.isSafeInteger(address.createTime) || address.createTime < 0) throw new Error('createTime must be whole seconds');
  const head = `${element('ToUserName', address.toUser)}${element('FromUserName', address.fromUser)}`;
  return `<xml>${head}<CreateTime>${address.createTime}</CreateTime>${element('MsgType', reply.type)}${replyBody(reply)}</xml>`;
}
