import { XMLParser } from 'fast-xml-parser';
import { MessageTooLargeError, MessageXmlError } from './message-errors.js';

/** The fields under `<xml>`, names as WeChat sends them; values are the text exactly as sent. */
export interface MessageFields {
  [name: string]: string | MessageFields | MessageFields[] | string[];
}

export const MAX_MESSAGE_BYTES = 64 * 1024;

const TEXT = '#text';
const CDATA_OPEN = '<![CDATA[';
const LEADING_DECLARATION = /^<\?xml\s[^<>]*\?>/;

// One parser for every message: no entities, no number parsing, no trimming, attributes ignored.
const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  textNodeName: TEXT,
  maxNestedTags: 16,
  jPath: false,
  // `<item>` (PicList, Articles...) is always a list, even with one entry
  isArray: (tagName) => tagName === 'item',
  onDangerousProperty: (name) => {
    throw new MessageXmlError(`the element name ${name} is not allowed`);
  },
});

/** The body as text after its size in bytes is checked; nothing is decoded when it is too large. */
function boundedText(body: string | Buffer, maxBytes: number): string {
  const bytes = typeof body === 'string' ? (body.length > maxBytes ? Infinity : Buffer.byteLength(body, 'utf8')) : body.length;
  if (bytes > maxBytes) throw new MessageTooLargeError(maxBytes);
  const text = typeof body === 'string' ? body : body.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Refuses every `<!` other than a CDATA section (DOCTYPE, ENTITY, comments) and every `<?` but a leading `<?xml ...?>`. */
function refuseDeclarations(text: string): void {
  let at = LEADING_DECLARATION.exec(text)?.[0].length ?? 0;
  for (at = text.indexOf('<', at); at !== -1; at = text.indexOf('<', at + 1)) {
    const next = text.charCodeAt(at + 1);
    if (next === 0x3f) throw new MessageXmlError('processing instructions are not allowed');
    if (next !== 0x21) continue;
    if (!text.startsWith(CDATA_OPEN, at)) throw new MessageXmlError('DTDs, entities and comments are not allowed');
    const end = text.indexOf(']]>', at + CDATA_OPEN.length);
    if (end === -1) throw new MessageXmlError('a CDATA section is not closed');
    at = end + 2;
  }
}

function isBlank(value: unknown): boolean {
  return typeof value === 'string' && value.trim() === '';
}

/** A repeated element: all text or all elements, never both. */
function toList(name: string, values: unknown[]): MessageFields[] | string[] {
  if (values.every((value): value is string => typeof value === 'string')) return values;
  if (values.every((value) => typeof value === 'object' && value !== null)) return values.map((value) => toFields(value));
  throw new MessageXmlError(`the repeated element ${name} mixes text and elements`);
}

/** The parser's object as MessageFields: whitespace between elements dropped, other mixed text refused. */
function toFields(node: unknown): MessageFields {
  if (typeof node === 'string') {
    if (isBlank(node)) return {};
    throw new MessageXmlError('an element mixes text and elements');
  }
  const fields: MessageFields = {};
  for (const [name, value] of Object.entries(node as Record<string, unknown>)) {
    if (name === TEXT) {
      if (!isBlank(value)) throw new MessageXmlError('an element mixes text and elements');
    } else if (typeof value === 'string') {
      fields[name] = value;
    } else {
      fields[name] = Array.isArray(value) ? toList(name, value) : toFields(value);
    }
  }
  return fields;
}

/** The single `<xml>` root of the parsed document. */
function rootOf(document: Record<string, unknown>): unknown {
  const names = Object.keys(document).filter((name) => name !== TEXT);
  if (names.length !== 1 || names[0] !== 'xml' || Array.isArray(document.xml)) {
    throw new MessageXmlError('the message must have a single <xml> root');
  }
  return document.xml;
}

function parse(text: string): Record<string, unknown> {
  try {
    return parser.parse(text, true) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof MessageXmlError) throw error;
    throw new MessageXmlError('the message is not well-formed XML');
  }
}

/**
 * The fields of a message WeChat pushed. The size (bytes) is checked before anything else; DTDs, entities,
 * comments and processing instructions are refused; values stay strings exactly as sent (MsgId exceeds 2^53).
 */
export function readMessageXml(body: string | Buffer, maxBytes = MAX_MESSAGE_BYTES): MessageFields {
  const text = boundedText(body, maxBytes);
  refuseDeclarations(text);
  return toFields(rootOf(parse(text)));
}
