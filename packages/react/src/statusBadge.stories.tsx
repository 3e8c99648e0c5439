import { taskStatuses } from '@roadmap/core';
import type { Meta, StoryObj } from '@storybook/react-vite';
import { StatusBadge } from './statusBadge.js';

const meta = {
  title: 'Parts/StatusBadge',
  component: StatusBadge,
  args: { status: 'processing' },
  argTypes: {
    status: {
      control: 'select',
      options: ['pending', 'processing', 'completed', 'failed', 'partial_failure', 'cancelled', 'generating'],
    },
  },
} satisfies Meta<typeof StatusBadge>;

export default meta;
type Story = StoryObj<typeof meta>;

export const Pending: Story = { args: { status: 'pending' } };
export const Processing: Story = { args: { status: 'processing' } };
export const Completed: Story = { args: { status: 'completed' } };
export const Failed: Story = { args: { status: 'failed' } };
export const PartialFailure: Story = { args: { status: 'partial_failure' } };
export const Cancelled: Story = { args: { status: 'cancelled' } };
/** A content item being generated (item statuses share the badge). */
export const Generating: Story = { args: { status: 'generating' } };

/** Every task status side by side, to compare colors (and contrast in the dark theme). */
export const AllStatuses: Story = {
  render: () => (
    <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
      {taskStatuses.map((status) => (
        <StatusBadge key={status} status={status} />
      ))}
    </div>
  ),
};
