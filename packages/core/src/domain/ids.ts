/** Default id generator: a random UUID v4. */
export function randomId(): string {
  return globalThis.crypto.randomUUID();
}

/** Readable URL-safe slug of free text (ASCII letters and digits), at most 40 characters. */
export function slugify(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '');
  return slug === '' ? 'roadmap' : slug;
}

/** 32-bit FNV-1a hash as 8 lowercase hex characters. */
export function hex8(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** `learn-rust-1a2b3c4d`: the goal's slug plus 8 hex characters derived from a fresh unique id. */
export function roadmapIdFor(goal: string, uniqueId: string): string {
  return `${slugify(goal)}-${hex8(uniqueId)}`;
}
