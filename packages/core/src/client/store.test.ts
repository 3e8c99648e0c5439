import { describe, expect, it } from 'vitest';
import { KeyedStore, Store } from './store.js';

class WatchedStore extends Store<{ count: number; label: string }> {
  readonly log: string[] = [];
  protected override watched(): void {
    this.log.push('watched');
  }
  protected override unwatched(): void {
    this.log.push('unwatched');
  }
}

describe('Store', () => {
  it('notifies only when a field changes, with a new snapshot each time', () => {
    const store = new Store({ count: 0, label: 'a' });
    let calls = 0;
    store.subscribe(() => {
      calls += 1;
    });
    const first = store.getSnapshot();
    store.update({ count: 0 });
    expect(calls).toBe(0);
    expect(store.getSnapshot()).toBe(first);
    store.update({ count: 1 });
    expect(calls).toBe(1);
    expect(store.getSnapshot()).toEqual({ count: 1, label: 'a' });
    expect(first).toEqual({ count: 0, label: 'a' });
  });

  it('tells a subclass when its first listener arrives and its last one leaves', () => {
    const store = new WatchedStore({ count: 0, label: 'a' });
    const stopFirst = store.subscribe(() => {});
    const stopSecond = store.subscribe(() => {});
    stopFirst();
    stopFirst();
    expect(store.log).toEqual(['watched']);
    stopSecond();
    expect(store.log).toEqual(['watched', 'unwatched']);
    store.subscribe(() => {});
    expect(store.log).toEqual(['watched', 'unwatched', 'watched']);
  });
});

describe('KeyedStore', () => {
  it('wakes the listeners of the changed key and the listeners of all keys, nobody else', () => {
    const store = new KeyedStore<number>();
    const woken: string[] = [];
    store.subscribe('a', () => woken.push('a'));
    store.subscribe('b', () => woken.push('b'));
    store.subscribeAll(() => woken.push('all'));
    store.set('a', 1);
    store.set('a', 1);
    expect(woken).toEqual(['a', 'all']);
    expect(store.get('a')).toBe(1);
    expect(store.get('b')).toBeUndefined();
  });
});
