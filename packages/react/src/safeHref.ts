/**
 * The URL when it is `http:`, `https:` or `mailto:`; `undefined` for anything else (`javascript:`, `data:`, relative
 * URLs). Used for every link built from model output.
 *
 * @example
 * safeHref('https://doc.rust-lang.org'); // 'https://doc.rust-lang.org'
 * safeHref('javascript:alert(1)'); // undefined
 */
export function safeHref(url: string): string | undefined {
  const trimmed = url.trim();
  return /^(https?:\/\/|mailto:)/i.test(trimmed) ? trimmed : undefined;
}
