/** Text made safe for HTML element content and quoted attributes. */
const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for element content and quoted attributes. C0 controls (the `ctrl` user) become their
 * visible "control picture", since HTML has no valid way to carry them.
 */
export function htmlText(text: string): string {
  return text.replace(
    /[&<>"']|[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g,
    (ch) => HTML_ESCAPES[ch] ?? String.fromCharCode(0x2400 + ch.charCodeAt(0)),
  );
}
