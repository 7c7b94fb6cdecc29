import type { MessageReply } from './passive-reply.js';

/**
 * The body of `cgi-bin/message/custom/send` carrying the same content as a passive reply: what a
 * reply becomes when it comes too late to answer WeChat's request.
 */
export function customerServiceBody(openid: string, reply: MessageReply): Record<string, unknown> {
  const to = { touser: openid, msgtype: reply.type };
  switch (reply.type) {
    case 'text':
      return { ...to, text: { content: reply.content } };
    case 'image':
      return { ...to, image: { media_id: reply.mediaId } };
    case 'voice':
      return { ...to, voice: { media_id: reply.mediaId } };
    case 'video':
      return { ...to, video: { media_id: reply.mediaId, title: reply.title, description: reply.description } };
    case 'music':
      return {
        ...to,
        music: {
          title: reply.title,
          description: reply.description,
          musicurl: reply.musicUrl,
          hqmusicurl: reply.hqMusicUrl,
          thumb_media_id: reply.thumbMediaId,
        },
      };
    case 'news':
      // a customer-service news message carries exactly one article
      return {
        ...to,
        news: {
          articles: reply.articles
            .slice(0, 1)
            .map((a) => ({ title: a.title, description: a.description, url: a.url, picurl: a.picUrl })),
        },
      };
  }
}
