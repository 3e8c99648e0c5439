// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import type { MouseEvent as ReactMouseEvent } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RouterLink } from './RouterLink.js';
import { usePathname } from './router.js';

/** For each click that reaches the document: whether the link kept the browser from following it. */
let clicksPrevented: boolean[] = [];
const recordClick = (event: MouseEvent) => {
  clicksPrevented.push(event.defaultPrevented);
  // jsdom cannot load another page: keep it from trying, once the outcome is recorded.
  event.preventDefault();
};

beforeEach(() => {
  window.history.replaceState(null, '', '/');
  clicksPrevented = [];
  document.addEventListener('click', recordClick);
  // jsdom has no layout to scroll; navigate() scrolls to the top of a new page.
  vi.spyOn(window, 'scrollTo').mockImplementation(() => {});
});
afterEach(() => {
  cleanup();
  document.removeEventListener('click', recordClick);
  vi.restoreAllMocks();
});

function Page({ target, onClick }: { target?: string; onClick?: (event: ReactMouseEvent) => void }) {
  return (
    <>
      <RouterLink href="/tasks/task%201" className="demo-back" target={target} onClick={onClick}>
        Task 1
      </RouterLink>
      <output>{usePathname()}</output>
    </>
  );
}

describe('RouterLink', () => {
  it('goes to its href on a plain left click, without loading the page', () => {
    render(<Page />);
    const link = screen.getByRole('link', { name: 'Task 1' });
    expect(link.getAttribute('href')).toBe('/tasks/task%201');
    expect(link.className).toBe('demo-back');
    fireEvent.click(link);
    expect(clicksPrevented).toEqual([true]);
    expect(window.location.pathname).toBe('/tasks/task%201');
    expect(screen.getByRole('status').textContent).toBe('/tasks/task%201');
  });

  it.each([
    ['Ctrl', { ctrlKey: true }],
    ['Meta', { metaKey: true }],
    ['Shift', { shiftKey: true }],
    ['Alt', { altKey: true }],
  ])('leaves a %s+click to the browser', (_key, modifier) => {
    render(<Page />);
    fireEvent.click(screen.getByRole('link', { name: 'Task 1' }), modifier);
    expect(clicksPrevented).toEqual([false]);
    expect(window.location.pathname).toBe('/');
  });

  it('leaves a link opening another tab to the browser', () => {
    render(<Page target="_blank" />);
    fireEvent.click(screen.getByRole('link', { name: 'Task 1' }));
    expect(clicksPrevented).toEqual([false]);
    expect(window.location.pathname).toBe('/');
  });

  it('calls its onClick first, and does not navigate when that prevented the default', () => {
    const onClick = vi.fn((event: ReactMouseEvent) => event.preventDefault());
    render(<Page onClick={onClick} />);
    fireEvent.click(screen.getByRole('link', { name: 'Task 1' }));
    expect(onClick).toHaveBeenCalledTimes(1);
    expect(window.location.pathname).toBe('/');
  });
});
