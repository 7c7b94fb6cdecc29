import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** A field of a message as WeChat writes it: strings in CDATA, numbers bare. */
export type XmlFieldValue = string | number;

/** Nested elements of a parsed XML document: strings, objects, arrays of repeated elements. */
export type XmlValue = string | XmlFields | XmlValue[];
export interface XmlFields {
  [name: string]: XmlValue;
}

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** `text` as CDATA; a `]]>` inside is split across two sections, so any text survives. */
export function cdataOf(text: string): string {
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/** `<xml>` with one element per field, in the given order. */
export function buildXml(fields: ReadonlyArray<readonly [string, XmlFieldValue]>): string {
  const parts = fields.map(([name, value]) => {
    if (!NAME.test(name)) throw new Error(`sandbox: bad XML element name ${name}`);
    return `<${name}>${typeof value === 'number' ? String(value) : cdataOf(value)}</${name}>`;
  });
  return `<xml>${parts.join('')}</xml>`;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // every value stays a string: a 20-digit MsgId must not become a float
  parseTagValue: false,
  // trims text outside CDATA only; CDATA is kept as written
  trimValues: true,
  processEntities: true,
  htmlEntities: true,
  isArray: (_name, jpath) => jpath === 'xml.Articles.item',
});

export type XmlParse = { ok: true; fields: XmlFields } | { ok: false; problem: string };

/**
 * Parses a WeChat message document: well-formed XML whose root is `<xml>`. A DTD (and so any entity of its own)
 * is refused before parsing, as WeChat's parsers refuse it.
 */
export function parseXmlDocument(text: string): XmlParse {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) return { ok: false, problem: 'XML with a DTD is refused' };
  if (XMLValidator.validate(text) !== true) return { ok: false, problem: 'not well-formed XML' };
  let doc: unknown;
  try {
    doc = parser.parse(text);
  } catch {
    return { ok: false, problem: 'not well-formed XML' };
  }
  const root = (doc as Record<string, unknown>).xml;
  const names = Object.keys(doc as object);
  if (names.length !== 1 || typeof root !== 'object' || root === null || Array.isArray(root)) {
    return { ok: false, problem: 'the root element must be a single <xml> with children' };
  }
  return { ok: true, fields: root as XmlFields };
}
