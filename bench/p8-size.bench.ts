import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type Benchmark, round } from './support.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

interface SizeLimitCheck {
  name: string;
  path: string;
  ignore?: string[];
  /** `*`, or named imports such as `{ createRoadmapClient }` (what an app that uses only part of the entry pays). */
  import?: string;
  limit: string;
}

/** The budgets live in `.size-limit.json`, shared with `pnpm size`: the bench measures the same bundles. */
const checks = JSON.parse(readFileSync(join(root, '.size-limit.json'), 'utf8')) as SizeLimitCheck[];

const kilobytes = (limit: string) => {
  const match = /^([\d.]+)\s*(kB|KB|KiB)$/i.exec(limit.trim());
  if (!match) throw new Error(`Cannot read the limit ${JSON.stringify(limit)} of .size-limit.json`);
  return Number(match[1]);
};

/** esbuild as size-limit runs it: resolved through `@size-limit/preset-small-lib` → `@size-limit/esbuild`. */
interface EsbuildOutput {
  outputFiles: { contents: Uint8Array }[];
  metafile: { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> };
}
type Esbuild = { build(options: Record<string, unknown>): Promise<EsbuildOutput> };
function loadEsbuild(): Esbuild {
  const fromPreset = createRequire(createRequire(join(root, 'package.json')).resolve('@size-limit/preset-small-lib'));
  const fromPlugin = createRequire(fromPreset.resolve('@size-limit/esbuild'));
  return fromPlugin('esbuild') as Esbuild;
}

const newestIn = (directory: string): number =>
  readdirSync(directory, { withFileTypes: true }).reduce((newest, entry) => {
    const path = join(directory, entry.name);
    return Math.max(newest, entry.isDirectory() ? newestIn(path) : statSync(path).mtimeMs);
  }, 0);

/** Builds a package with its own tsup config when its `dist` file is missing or older than its sources. */
function ensureBuilt(distFile: string): boolean {
  const packageDirectory = dirname(dirname(distFile));
  let builtAt = 0;
  try {
    builtAt = statSync(distFile).mtimeMs;
  } catch {}
  if (builtAt > newestIn(join(packageDirectory, 'src'))) return false;
  const tsup = createRequire(join(root, 'package.json')).resolve('tsup/dist/cli-default.js');
  try {
    execFileSync(process.execPath, [tsup], { cwd: packageDirectory, stdio: 'pipe' });
  } catch (error) {
    const output = String((error as { stderr?: Buffer }).stderr ?? '').slice(-400);
    throw new Error(`tsup failed in ${relative(root, packageDirectory)}: ${output}`);
  }
  return true;
}

/**
 * The min+gz size of everything a file exports, as `@size-limit/preset-small-lib` measures it: esbuild bundles
 * `import * as all from <file>; console.log(all)` minified with the peers external, then gzip level 9, less the
 * bytes size-limit attributes to that wrapper.
 */
async function measure(esbuild: Esbuild, check: SizeLimitCheck) {
  const file = join(root, check.path);
  const rebuilt = ensureBuilt(file);
  const directory = await mkdtemp(join(tmpdir(), 'roadmap-p8-'));
  try {
    const bundle = async (target: string) => {
      const entry = join(directory, 'index.js');
      // As size-limit writes it: `import * as all` for "*", else the named imports, logged so none is dropped.
      const imported = check.import ?? '*';
      const names = imported === '*' ? 'all' : imported.replace(/[{}]/g, '').trim();
      const clause = imported === '*' ? '* as all' : imported;
      await writeFile(entry, `import ${clause} from ${JSON.stringify(target)}\nconsole.log(${names})\n`);
      return esbuild.build({
        entryPoints: [entry],
        bundle: true,
        write: false,
        outdir: join(directory, 'out'),
        external: check.ignore ?? [],
        metafile: true,
        minifyIdentifiers: true,
        minifySyntax: true,
        minifyWhitespace: true,
        treeShaking: true,
        logLevel: 'silent',
      });
    };
    const sizeOf = (output: EsbuildOutput) =>
      output.outputFiles.reduce(
        (sum, { contents }) => ({
          min: sum.min + contents.byteLength,
          gz: sum.gz + gzipSync(contents, { level: 9 }).byteLength,
        }),
        { min: 0, gz: 0 },
      );
    const result = await bundle(file);
    const size = sizeOf(result);
    // What @size-limit/esbuild subtracts for the `import * as all` wrapper (its ESBUILD_EMPTY_PROJECT_IMPORT_*
    // constants), so the figures equal `pnpm size`: more when external peers made esbuild add a require shim.
    const shim = result.outputFiles.some(({ contents }) =>
      Buffer.from(contents).toString().includes('Dynamic require of '),
    );
    const wrapper = (check.ignore?.length ?? 0) > 0 && shim ? { min: 331, gz: 182 } : { min: 34, gz: 46 };
    const largest = Object.values(result.metafile.outputs)
      .flatMap((output) => Object.entries(output.inputs))
      .sort(([, a], [, b]) => b.bytesInOutput - a.bytesInOutput)
      .slice(0, 5)
      .map(([input, { bytesInOutput }]) => `${relative(root, join(directory, input))} ${bytesInOutput} B`);
    return { gzBytes: size.gz - wrapper.gz, minBytes: size.min - wrapper.min, largest, rebuilt };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/**
 * The name of a check in the results: the package for its root entry (`react`), the entry for core's subpaths
 * (`client`), package and entry otherwise (`react_markdown`: the Markdown renderer `<ConceptContent>` loads on
 * demand, measured on its own beside the root it is not part of).
 */
function keyOf(check: SizeLimitCheck, index: number): string {
  const match = /^packages\/([\w-]+)\/dist\/([\w-]+)\.js$/.exec(check.path);
  if (!match) return `check${index}`;
  const [, packageName, entry] = match;
  const base =
    entry === 'index'
      ? (packageName as string)
      : packageName === 'core'
        ? (entry as string)
        : `${packageName}_${entry}`;
  // A check of a few named imports (what an app that uses only part of an entry pays) is told apart from `*`.
  return check.import !== undefined && check.import !== '*' ? `${base}_alone` : base;
}

export const benchmarks: Benchmark[] = [
  {
    id: 'P8',
    title: 'bundle size min+gz (.size-limit.json checks): worst share of budget, ≤ 1 means every package fits',
    target: { op: '<=', value: 1 },
    async run() {
      const esbuild = loadEsbuild();
      const detail: Record<string, unknown> = {};
      let worst = 0;
      for (const [index, check] of checks.entries()) {
        const key = keyOf(check, index);
        const { gzBytes, minBytes, largest, rebuilt } = await measure(esbuild, check);
        const budgetKb = kilobytes(check.limit);
        const share = gzBytes / (budgetKb * 1000);
        worst = Math.max(worst, share);
        Object.assign(detail, {
          [`${key}_gz_kb`]: round(gzBytes / 1000, 2),
          [`${key}_budget_kb`]: budgetKb,
          [`${key}_ok`]: gzBytes <= budgetKb * 1000,
          [`${key}_min_kb`]: round(minBytes / 1000, 2),
          [`${key}_rebuilt`]: rebuilt,
          [`${key}_largest_inputs`]: largest,
          [`${key}_external`]: check.ignore ?? [],
        });
      }
      detail.method =
        'esbuild (the copy size-limit uses) bundles `import * as all` of each dist file, minified, peers external; ' +
        "gzip level 9; minus size-limit's wrapper constants, so the figures equal `pnpm size`; KB = 1000 bytes";
      return { value: round(worst, 3), unit: 'of budget', detail };
    },
  },
];
