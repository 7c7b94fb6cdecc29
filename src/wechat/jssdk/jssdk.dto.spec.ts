import { SchemaPipe } from '../../common/schema.pipe.js';
import {
  CARD_CONFIG_BODY_SCHEMA, CardConfigBody, JSSDK_CONFIG_BODY_SCHEMA, JSSDK_CONFIG_QUERY_SCHEMA, JssdkConfigBody, JssdkConfigQuery,
} from './jssdk.dto.js';

const documented = (cls: { prototype: object }) =>
  (Reflect.getMetadata('swagger/apiModelPropertiesArray', cls.prototype) as string[]).map((p) => p.slice(1)).sort();

describe('JS-SDK input schemas', () => {
  it.each([
    [JssdkConfigBody, JSSDK_CONFIG_BODY_SCHEMA],
    [JssdkConfigQuery, JSSDK_CONFIG_QUERY_SCHEMA],
    [CardConfigBody, CARD_CONFIG_BODY_SCHEMA],
  ] as const)('the OpenAPI class %p documents exactly the validated properties', (cls, schema) => {
    expect(documented(cls)).toEqual(Object.keys(schema.properties).sort());
  });

  const pipe = new SchemaPipe(JSSDK_CONFIG_BODY_SCHEMA, 'url');
  const codeOf = (input: unknown) => {
    try {
      pipe.transform(input);
      return 'OK';
    } catch (error) {
      return (error as { code: string }).code;
    }
  };

  it('maps url problems to INVALID_URL and the rest to VALIDATION_FAILED', () => {
    expect(codeOf({ url: 'https://a.com/' })).toBe('OK');
    expect(codeOf({})).toBe('INVALID_URL');
    expect(codeOf(undefined)).toBe('INVALID_URL');
    expect(codeOf({ url: 1 })).toBe('INVALID_URL');
    expect(codeOf({ url: 'x', debug: 'yes' })).toBe('VALIDATION_FAILED');
    expect(codeOf({ url: 'x', jsApiList: ['<b>'] })).toBe('VALIDATION_FAILED');
    expect(codeOf([1])).toBe('VALIDATION_FAILED');
  });

  it.each(['valueOf', 'toString', 'constructor', 'hasOwnProperty', '__proto__', 'prototype'])(
    'rejects an unknown property named like an Object.prototype member: %s',
    (key) => {
      expect(codeOf(JSON.parse(`{"url":"https://a.com/","${key}":{}}`))).toBe('VALIDATION_FAILED');
    },
  );
});
