import { describe, expect, it } from 'vitest';
import { guideFiles } from './guideFiles.js';

describe('guideFiles', () => {
  it('takes the fenced blocks that name a file, in order, and leaves the others', () => {
    const markdown = [
      'Intro',
      '```sh',
      'npm install x',
      '```',
      '```ts file=src/a.ts',
      "export const a = '```';",
      '```',
      '```tsx file=src/b.tsx title',
      'export const b = 1;',
      '',
      '```',
    ].join('\n');
    expect(guideFiles(markdown)).toEqual([
      { path: 'src/a.ts', content: "export const a = '```';\n" },
      { path: 'src/b.tsx', content: 'export const b = 1;\n\n' },
    ]);
  });

  it('refuses a file outside the app', () => {
    expect(() => guideFiles('```ts file=../x.ts\nx\n```')).toThrow(/outside the app/);
  });
});
