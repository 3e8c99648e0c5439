// @vitest-environment jsdom
import { screen } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { BudgetPausePanel } from './budgetPausePanel.js';
import { chineseLabels } from './labels.js';
import { pausedOnBudgetTask } from './mockRoadmapApi.js';
import { expectNoAxeViolations, renderWithProvider, setUpTestServer } from './testSupport.js';

setUpTestServer();

describe('BudgetPausePanel', () => {
  it('offers a higher budget for a task paused on its own, and raises it with what was typed', async () => {
    const raised: number[] = [];
    const { container } = renderWithProvider(
      <BudgetPausePanel task={pausedOnBudgetTask} onRaise={async (budget) => void raised.push(budget)} />,
    );
    expect(screen.getByRole('heading', { name: 'Paused: the budget is used up' })).toBeTruthy();
    expect(container.textContent).toContain("This task's budget of $0.05 has no room for its next model call.");
    const field = screen.getByLabelText('New budget (US$)') as HTMLInputElement;
    // Twice the budget is offered first.
    expect(field.value).toBe('0.1');
    const raise = screen.getByRole('button', { name: 'Raise budget and resume' });
    // Not above the current budget: nothing to send.
    await userEvent.clear(field);
    await userEvent.type(field, '0.05');
    expect(raise.hasAttribute('disabled')).toBe(true);
    expect(field.getAttribute('aria-invalid')).toBe('true');
    await userEvent.clear(field);
    await userEvent.type(field, '1.5');
    expect(raise.hasAttribute('disabled')).toBe(false);
    await userEvent.type(field, '{Enter}');
    expect(raised).toEqual([1.5]);
    await expectNoAxeViolations(container);
  });

  it("explains a pause on the user's period budget, with no field (it resumes by itself), in Chinese too", () => {
    const task = { ...pausedOnBudgetTask, budget_usd: null };
    const { container, unmount } = renderWithProvider(<BudgetPausePanel task={task} onRaise={async () => {}} />);
    expect(container.textContent).toContain('The task continues by itself once budget is freed or raised.');
    expect(screen.queryByRole('textbox')).toBeNull();
    expect(screen.queryByRole('spinbutton')).toBeNull();
    unmount();
    const chinese = renderWithProvider(<BudgetPausePanel task={pausedOnBudgetTask} onRaise={async () => {}} />, {
      labels: chineseLabels,
    });
    expect(screen.getByRole('heading', { name: '已暂停：预算已用完' })).toBeTruthy();
    expect(chinese.container.textContent).toContain('提高预算即可继续');
  });
});
