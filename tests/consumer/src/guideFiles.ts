/** A file of the getting-started guide: a fenced block whose info string names it (```ts file=src/server.ts). */
export interface GuideFile {
  path: string;
  content: string;
}

/**
 * The files a guide shows, in order: every fenced code block with `file=<path>` in its info string. Blocks without
 * a file name (shell lines, snippets) are not files of the app.
 */
export function guideFiles(markdown: string): GuideFile[] {
  const files: GuideFile[] = [];
  const block = /^```[\w-]*[^\S\n]+file=(\S+)[^\n]*\n([\s\S]*?)^```[^\S\n]*$/gm;
  for (const match of markdown.matchAll(block)) {
    const [, path, content] = match;
    if (path === undefined || content === undefined) continue;
    if (path.startsWith('/') || path.split('/').includes('..')) throw new Error(`Guide file outside the app: ${path}`);
    files.push({ path, content });
  }
  return files;
}
