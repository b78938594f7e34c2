/** Escapes text for HTML content and quoted attribute values (the pages the hub serves build HTML as strings). */
export const escapeHtml = (text: unknown): string =>
  String(text ?? '').replace(/[<>&"']/g, (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[char] ?? char);
