// Query parameters whose values are credentials or single-use secrets.
const SECRET_PARAMS = /([?&](?:secret|appsecret|access_token|refresh_token|ticket|jsapi_ticket|code|state)=)[^&#]*/gi;

/** A url safe to log: secret-bearing query values replaced by `***`. */
export function redactUrl(url: string): string {
  return url.includes('?') ? url.replace(SECRET_PARAMS, '$1***') : url;
}
