// @vitest-environment jsdom
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { chineseLabels } from './labels.js';
import { useRoadmapClient, useRoadmapLabels } from './provider.js';
import { StatusBadge } from './statusBadge.js';
import { renderWithProvider, setUpTestServer } from './testSupport.js';

setUpTestServer();

function ClientUser() {
  useRoadmapClient();
  return null;
}

function CancelLabel() {
  return <span>{useRoadmapLabels().cancelTask}</span>;
}

describe('RoadmapProvider', () => {
  it('explains the mistake when a hook is used outside a provider', () => {
    const consoleError = console.error;
    console.error = () => {};
    try {
      expect(() => render(<ClientUser />)).toThrow('useRoadmapClient must be used inside <RoadmapProvider>');
    } finally {
      console.error = consoleError;
    }
  });

  it('scopes the CSS and merges replaced labels over the English ones', () => {
    const { container } = renderWithProvider(
      <>
        <StatusBadge status="cancelled" />
        <CancelLabel />
      </>,
      { labels: { cancelTask: 'Stop it' } },
    );
    expect(container.querySelector('.roadmap-root')?.getAttribute('data-theme')).toBe('light');
    expect(screen.getByText('Cancelled').getAttribute('data-status')).toBe('cancelled');
    expect(screen.getByText('Stop it')).toBeTruthy();
  });

  it('speaks Chinese with chineseLabels', () => {
    renderWithProvider(<StatusBadge status="cancelled" />, { labels: chineseLabels });
    expect(screen.getByText('已取消')).toBeTruthy();
  });
});
