import { messageLabels } from './message-labels.js';

const MSG_TYPES = ['text', 'image', 'voice', 'video', 'shortvideo', 'location', 'link', 'file'];
const EVENTS = [
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
];

describe('messageLabels', () => {
  it.each(MSG_TYPES)('labels a %s message by its MsgType, with no event', (msgType) => {
    expect(messageLabels({ MsgType: msgType, Content: 'hello' })).toEqual({ msgType, event: '' });
  });

  it('gives a message that is not an event no event, even when it carries an Event field', () => {
    expect(messageLabels({ MsgType: 'text', Event: 'subscribe' })).toEqual({ msgType: 'text', event: '' });
    expect(messageLabels({ MsgType: 'Event-ish', Event: 'CLICK' })).toEqual({ msgType: 'other', event: '' });
  });

  it.each(EVENTS)('labels the event %s by its name', (event) => {
    expect(messageLabels({ MsgType: 'event', Event: event })).toEqual({ msgType: 'event', event });
  });

  it.each([
    ['an unknown MsgType', { MsgType: 'miniprogrampage' }],
    ['a MsgType in another case', { MsgType: 'Text' }],
    ['an empty MsgType', { MsgType: '' }],
    ['no MsgType', {}],
    ['a MsgType that is not text', { MsgType: { text: 'text' } }],
    ['a list of MsgTypes', { MsgType: ['text'] }],
  ])('labels %s as other', (_what, message) => {
    expect(messageLabels(message)).toEqual({ msgType: 'other', event: '' });
  });

  it.each([
    ['an unknown event', { Event: 'user_pay_from_pay_cell' }],
    ['an event in another case', { Event: 'scan' }],
    ['an event named like a message type', { Event: 'text' }],
    ['no Event', {}],
    ['an empty Event', { Event: '' }],
    ['an Event that is not text', { Event: { name: 'CLICK' } }],
  ])('labels %s of an event message as other', (_what, fields) => {
    expect(messageLabels({ MsgType: 'event', ...fields })).toEqual({ msgType: 'event', event: 'other' });
  });

  it('never lets a label grow from what the sender wrote', () => {
    const long = 'x'.repeat(500);
    expect(messageLabels({ MsgType: long })).toEqual({ msgType: 'other', event: '' });
    expect(messageLabels({ MsgType: 'event', Event: long })).toEqual({ msgType: 'event', event: 'other' });
  });
});
