/**
 * Endpoint names used for call counts and fault injection: the WeChat path without the leading slash.
 * Later endpoint groups (OAuth, media) add their names here so the control API accepts them.
 */
export const CREDENTIAL_ENDPOINTS = ['cgi-bin/token', 'cgi-bin/stable_token', 'cgi-bin/ticket/getticket'] as const;

export type CredentialEndpoint = (typeof CREDENTIAL_ENDPOINTS)[number];

export const SANDBOX_ENDPOINTS: readonly string[] = [...CREDENTIAL_ENDPOINTS];
