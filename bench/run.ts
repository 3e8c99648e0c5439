import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Benchmark, BenchResult, Target } from './support.js';

/**
 * `pnpm bench [ID…]`: runs the benchmarks of every `bench/*.bench.ts` (or only the given ids), prints a table and
 * merges the results into `bench/results/latest.json` — ids not run keep their previous result. Exits non-zero
 * only when a benchmark crashed; a missed target is a FAIL row, not an exit code. The packages are imported by name
 * without the `@roadmap/source` condition, so what is measured is their build (`dist/`, what users install; `pnpm
 * bench` builds first), not the TypeScript sources compiled on the fly.
 */
const benchDir = dirname(fileURLToPath(import.meta.url));
const resultsFile = join(benchDir, 'results', 'latest.json');

async function loadBenchmarks(): Promise<Benchmark[]> {
  const files = (await readdir(benchDir)).filter((file) => file.endsWith('.bench.ts')).sort();
  const all: Benchmark[] = [];
  for (const file of files) {
    const loaded = (await import(pathToFileURL(join(benchDir, file)).href)) as { benchmarks?: Benchmark[] };
    if (!Array.isArray(loaded.benchmarks)) throw new Error(`${file} does not export a \`benchmarks\` array`);
    all.push(...loaded.benchmarks);
  }
  const ids = all.map((bench) => bench.id);
  const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
  if (duplicate) throw new Error(`Benchmark id ${duplicate} is defined twice`);
  return all.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
}

async function readPrevious(): Promise<Record<string, BenchResult>> {
  try {
    return JSON.parse(await readFile(resultsFile, 'utf8')) as Record<string, BenchResult>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      console.warn(`Ignoring unreadable ${resultsFile}: ${error}`);
    return {};
  }
}

async function writeMerged(results: Map<string, BenchResult>): Promise<void> {
  const merged: Record<string, BenchResult> = { ...(await readPrevious()) };
  for (const [id, result] of results) merged[id] = { value: result.value, unit: result.unit, detail: result.detail };
  const ordered = Object.fromEntries(
    Object.entries(merged).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })),
  );
  await mkdir(dirname(resultsFile), { recursive: true });
  const temporary = `${resultsFile}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(ordered, null, 2)}\n`);
  await rename(temporary, resultsFile);
}

const showTarget = (target: Target | undefined) => (target ? `${target.op === '<=' ? '≤' : '≥'} ${target.value}` : '—');
const meets = (value: number, target: Target) => (target.op === '<=' ? value <= target.value : value >= target.value);

function summary(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .map(([key, value]) => [key, typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)])
    .filter(([, text]) => (text ?? '').length <= 40)
    .map(([key, text]) => `${key}=${text}`)
    .join(' ');
}

function printTable(rows: string[][]): void {
  const header = ['id', 'value', 'unit', 'target', 'result', 'detail'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ');
  console.log(line(header));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  for (const row of rows) console.log(line(row));
}

async function main(): Promise<number> {
  const filters = process.argv
    .slice(2)
    .filter((arg) => arg !== '--')
    .map((arg) => arg.toUpperCase());
  const available = await loadBenchmarks();
  const unknown = filters.filter((id) => !available.some((bench) => bench.id.toUpperCase() === id));
  if (unknown.length > 0) {
    console.error(`Unknown benchmark id(s): ${unknown.join(', ')}. Known: ${available.map((b) => b.id).join(', ')}`);
    return 2;
  }
  const selected = filters.length === 0 ? available : available.filter((b) => filters.includes(b.id.toUpperCase()));
  const results = new Map<string, BenchResult>();
  const rows: string[][] = [];
  let crashed = false;
  for (const bench of selected) {
    const startedAt = performance.now();
    console.error(`▶ ${bench.id}: ${bench.title}`);
    try {
      const result = await bench.run();
      results.set(bench.id, result);
      const verdict = bench.target ? (meets(result.value, bench.target) ? 'PASS' : 'FAIL') : '—';
      rows.push([
        bench.id,
        String(result.value),
        result.unit,
        showTarget(bench.target),
        verdict,
        summary(result.detail),
      ]);
      console.error(`  done in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
    } catch (error) {
      crashed = true;
      console.error(`  ${bench.id} crashed:`, error);
      rows.push([bench.id, '—', '—', showTarget(bench.target), 'CRASH', String(error).slice(0, 110)]);
    }
  }
  printTable(rows);
  if (results.size > 0) await writeMerged(results);
  console.log(`\nResults: ${resultsFile}`);
  return crashed ? 1 : 0;
}

process.exitCode = await main();
