import { describe, expect, it } from 'vitest';
import type { CoverRecord } from '../domain/coverRecord.js';
import { makeQuiz, makeTaskRecord } from '../testing/storage/fixtures.js';
import {
  columnValue,
  coverColumns,
  coverFromRow,
  coverPatchColumns,
  itemFromRow,
  type TaskRow,
  taskColumns,
  taskFromRow,
  taskPatchColumns,
  taskToRow,
} from './sqlRows.js';

const cover: CoverRecord = {
  roadmap_id: 'learn-rust-00000001',
  user_id: 'user-1',
  task_id: 'task-1',
  cover_image_url: 'https://img.example/rust.jpg',
  status: 'success',
  error: null,
  retry_count: 2,
  provider: 'unsplash',
  attribution: { author: 'Ada', authorUrl: 'https://a.example', source: 'Unsplash', sourceUrl: 'https://u.example' },
  blob_key: null,
  next_attempt_at: 1_767_225_600_000,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:05.000Z',
};

describe('SQL rows', () => {
  it('reads a task row with JSON as text and integers as numbers (SQLite) back into the record', () => {
    const record = makeTaskRecord({ attempts: 3, lease_token: 'token', lease_expires_at: 1_767_225_630_000 });
    const row = taskToRow(record);
    expect(row.progress).toBe(JSON.stringify(record.progress));
    expect(row.request).toBe(JSON.stringify(record.request));
    expect(taskFromRow(row as TaskRow)).toEqual(record);
  });

  it('reads a task row with parsed JSON and bigint strings (PostgreSQL) into the same record', () => {
    const record = makeTaskRecord({ attempts: 2, lease_expires_at: 1_767_225_630_000 });
    const row: TaskRow = { ...record, attempts: '2', lease_expires_at: '1767225630000' };
    expect(taskFromRow(row)).toEqual(record);
    expect(taskFromRow({ ...row, lease_expires_at: null }).lease_expires_at).toBeNull();
  });

  it('lists every column of a task and of a cover, in table order', () => {
    expect(taskColumns).toEqual(Object.keys(makeTaskRecord()));
    expect(coverColumns).toEqual(Object.keys(cover));
  });

  it('reads items with content as text, parsed, or null', () => {
    const quiz = makeQuiz();
    const base = { roadmap_id: 'r', concept_id: 'c', kind: 'quiz', status: 'completed', error: null, updated_at: 'u' };
    expect(itemFromRow({ ...base, content: JSON.stringify(quiz) }).content).toEqual(quiz);
    expect(itemFromRow({ ...base, content: quiz }).content).toEqual(quiz);
    expect(itemFromRow({ ...base, status: 'pending', content: null })).toEqual({
      ...base,
      status: 'pending',
      content: null,
    });
  });

  it('reads covers from either driver into the same record', () => {
    const sqlite = { ...cover, attribution: JSON.stringify(cover.attribution) };
    const postgres = { ...cover, retry_count: '2', next_attempt_at: String(cover.next_attempt_at) };
    expect(coverFromRow(sqlite)).toEqual(cover);
    expect(coverFromRow(postgres)).toEqual(cover);
    expect(coverFromRow({ ...cover, attribution: null, next_attempt_at: null })).toMatchObject({
      attribution: null,
      next_attempt_at: null,
    });
  });

  it('turns a patch into its columns in a stable order, leaving out undefined and unknown keys', () => {
    const progress = { completed: 1, failed: 0, total: 3, percentage: 33 };
    const patch = { updated_at: 'now', progress, error_message: null, title: undefined, user_id: 'forged' };
    expect(taskPatchColumns(patch)).toEqual([
      { column: 'progress', type: 'json', value: JSON.stringify(progress) },
      { column: 'error_message', type: 'text', value: null },
      { column: 'updated_at', type: 'text', value: 'now' },
    ]);
    expect(taskPatchColumns({ updated_at: 'now', progress })).toEqual(
      taskPatchColumns({ progress, updated_at: 'now' }),
    );
    expect(taskPatchColumns(undefined)).toEqual([]);
  });

  it('clears a JSON column of a cover with SQL NULL, not the text "null"', () => {
    expect(coverPatchColumns({ attribution: null, retry_count: 0 })).toEqual([
      { column: 'retry_count', type: 'integer', value: 0 },
      { column: 'attribution', type: 'json', value: null },
    ]);
    expect(columnValue('json', { a: 1 })).toBe('{"a":1}');
    expect(columnValue('bigint', undefined)).toBeNull();
  });
});
