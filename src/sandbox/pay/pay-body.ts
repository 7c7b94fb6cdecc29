import { SIM_PAY_ERRORS, type SimFailure } from './pay-errors.js';

/** The request body as JSON; a body that does not parse is WeChat Pay's 400 PARAM_ERROR. */
export function parsePayBody(raw: Buffer): { ok: true; value: unknown } | SimFailure {
  const text = raw.toString('utf8');
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return SIM_PAY_ERRORS.param('解析请求体失败，请检查JSON格式');
  }
}
