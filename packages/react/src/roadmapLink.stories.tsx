import type { Meta, StoryObj } from '@storybook/react-vite';
import { createContext, type ReactNode, useContext, useState } from 'react';
import { expect, userEvent, within } from 'storybook/test';
import { listTasks, taskRoutes, tasks } from './mockRoadmapApi.js';
import { RoadmapProvider, useRoadmapClient, useRoadmapTheme } from './provider.js';
import type { RoadmapLinkProps } from './roadmapLink.js';
import { TaskList } from './taskList.js';

/** The story's router: where a link click goes. A host app has its router (Next.js, React Router…) instead. */
const StoryNavigate = createContext<(path: string) => void>(() => {});

/**
 * A router's link, written as a host app would pass it to `linkComponent`: a plain left click navigates inside the
 * app, modified clicks are left to the browser.
 */
function StoryRouterLink({ href, onClick, ...props }: RoadmapLinkProps) {
  const navigate = useContext(StoryNavigate);
  return (
    <a
      {...props}
      href={href}
      data-router-link=""
      onClick={(event) => {
        onClick?.(event);
        if (event.defaultPrevented || event.button !== 0) return;
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(href);
      }}
    />
  );
}

/** A provider with `linkComponent`, on the preview's client and theme, under the location the links went to. */
function WithRouterLinks({ children }: { children: ReactNode }) {
  const client = useRoadmapClient();
  const theme = useRoadmapTheme();
  const [location, setLocation] = useState('/tasks');
  return (
    <StoryNavigate.Provider value={setLocation}>
      <p>
        Location: <output aria-label="Location">{location}</output>
      </p>
      <RoadmapProvider client={client} theme={theme} linkComponent={StoryRouterLink}>
        {children}
      </RoadmapProvider>
    </StoryNavigate.Provider>
  );
}

const meta = {
  title: 'Provider/Router links',
  component: TaskList,
  args: {
    getTaskHref: (task) => `/tasks/${task.task_id}`,
    getRoadmapHref: (roadmapId) => `/roadmaps/${roadmapId}`,
  },
  decorators: [
    (Story) => (
      <WithRouterLinks>
        <Story />
      </WithRouterLinks>
    ),
  ],
  parameters: { msw: { handlers: { tasks: [listTasks()], taskRoutes: taskRoutes() } } },
} satisfies Meta<typeof TaskList>;

export default meta;
type Story = StoryObj<typeof meta>;

/**
 * `<RoadmapProvider linkComponent={…}>`: task titles and "View roadmap" render through the app's link component, so
 * a click navigates with its router (the location above changes) instead of loading a page. With Next.js:
 * `linkComponent={Link}`.
 */
export const CustomLinkComponent: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(await canvas.findByRole('link', { name: tasks.failed.title }));
    await expect(canvas.getByRole('status', { name: 'Location' })).toHaveTextContent(`/tasks/${tasks.failed.task_id}`);
  },
};
