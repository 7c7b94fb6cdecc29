/** What happened to a message, as metrics count it. */
export type MessageOutcome = 'replied' | 'nothing' | 'repeat' | 'deferred' | 'sent_later' | 'send_failed' | 'dropped' | 'failed';

// labels come from the sender's XML: only known values become series, anything else is "other"
const MSG_TYPES = new Set(['text', 'image', 'voice', 'video', 'shortvideo', 'location', 'link', 'file', 'event']);
const EVENTS = new Set([
  'subscribe',
  'unsubscribe',
  'SCAN',
  'LOCATION',
  'CLICK',
  'VIEW',
  'scancode_push',
  'scancode_waitmsg',
  'pic_sysphoto',
  'pic_photo_or_album',
  'pic_weixin',
  'location_select',
  'view_miniprogram',
  'TEMPLATESENDJOBFINISH',
  'MASSSENDJOBFINISH',
  'subscribe_msg_popup_event',
  'subscribe_msg_change_event',
  'subscribe_msg_sent_event',
]);

/** The MsgType and Event of a message as bounded labels (Event is '' for a message that is not an event). */
export function messageLabels(message: Record<string, unknown>): { msgType: string; event: string } {
  const msgType = typeof message.MsgType === 'string' && MSG_TYPES.has(message.MsgType) ? message.MsgType : 'other';
  if (msgType !== 'event') return { msgType, event: '' };
  const event = typeof message.Event === 'string' && EVENTS.has(message.Event) ? message.Event : 'other';
  return { msgType, event };
}
