import { useState } from 'react';

/** @internal What {@link useAction} gives: which action runs, the last failure, and how to run one. */
export interface ActionState<Key> {
  /** The key of the action running, `null` when none is. */
  running: Key | null;
  /** The message of the last action that failed, `null` after one succeeded or while one runs. */
  error: string | null;
  /** Runs `action` under `key`; resolves to whether it succeeded (a failure is kept in `error`, never thrown). */
  run: (key: Key, action: () => Promise<unknown> | unknown) => Promise<boolean>;
  /** Forgets the last failure. */
  clear: () => void;
}

/** @internal A button's asynchronous action: busy while it runs, its error kept to show. */
export function useAction<Key = true>(): ActionState<Key> {
  const [running, setRunning] = useState<Key | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (key: Key, action: () => Promise<unknown> | unknown) => {
    setRunning(key);
    setError(null);
    try {
      await action();
      return true;
    } catch (thrown) {
      setError(thrown instanceof Error ? thrown.message : String(thrown));
      return false;
    } finally {
      setRunning(null);
    }
  };
  return { running, error, run, clear: () => setError(null) };
}
