import type { ConceptDetail } from '@roadmap/core/client';
import type { Meta, StoryObj } from '@storybook/react-vite';
import { HttpResponse, http } from 'msw';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { ConceptContent } from './conceptContent.js';
import { failedQuizConcept } from './mockDataLifecycle.js';
import {
  apiPath,
  conceptDetail,
  never,
  roadmap,
  roadmapRoutes,
  serverError,
  streamingConcept,
  streams,
  taskRoutes,
} from './mockRoadmapApi.js';

const meta = {
  title: 'Roadmaps/ConceptContent',
  component: ConceptContent,
  args: { roadmapId: roadmap.roadmap_id, conceptId: conceptDetail.concept.concept_id },
  parameters: { msw: { handlers: { roadmaps: roadmapRoutes() } } },
} satisfies Meta<typeof ConceptContent>;

export default meta;
type Story = StoryObj<typeof meta>;

/**
 * Tutorial, resources and quiz. The tutorial is untrusted Markdown: the `javascript:` link is shown as text and the
 * raw `<img onerror>` stays inert text.
 */
export const Generated: Story = {};

/** A concept whose content is not generated yet: each part says so. */
export const NotGenerated: Story = { args: { conceptId: 's2-m1-c1' } };

export const Loading: Story = {
  parameters: { msw: { handlers: { roadmaps: [never('get', '/roadmaps/:roadmapId/concepts/:conceptId')] } } },
};

export const ServerError: Story = {
  parameters: { msw: { handlers: { roadmaps: [serverError('get', '/roadmaps/:roadmapId/concepts/:conceptId')] } } },
};

/** A tutorial using GitHub-flavoured Markdown: a table, nested and task lists, and a Mermaid diagram. */
const gitHubFlavouredTutorial = `# Ownership at a glance

| Type | Moves or copies? | Freed when |
|:-----|:----------------:|-----------:|
| \`i32\` | copies | never (on the stack) |
| \`String\` | moves | its owner goes out of scope |
| \`Rc<T>\` | shares | the last owner is dropped |

- The three rules
  1. Each value has an owner.
  2. There is one owner at a time.
     - a move hands the value over
     - a borrow lends it out
  3. The value is dropped with its owner.
- [x] Read chapter 4 of the book
- [ ] Finish the borrowing exercises

\`\`\`mermaid
flowchart LR
  A[let s1 = String] -->|move| B[let s2 = s1]
  B --> C[s1 is invalid]
  B --> D[s2 dropped at end of scope]
\`\`\`
`;

const gitHubFlavouredDetail: ConceptDetail = {
  ...conceptDetail,
  tutorial: {
    title: 'Ownership at a glance',
    summary: 'Tables, lists and a diagram.',
    content: gitHubFlavouredTutorial,
  },
};

/**
 * GitHub-flavoured Markdown: an aligned table, nested and task lists, and a Mermaid diagram drawn by mermaid
 * (`loadMermaid={() => import('mermaid')}`, loaded only because the tutorial has a diagram).
 */
export const GitHubFlavoured: Story = {
  args: { loadMermaid: () => import('mermaid') },
  parameters: {
    msw: {
      handlers: {
        roadmaps: [
          http.get(apiPath('/roadmaps/:roadmapId/concepts/:conceptId'), () => HttpResponse.json(gitHubFlavouredDetail)),
          ...roadmapRoutes(),
        ],
      },
    },
  },
};

/**
 * Regenerate with feedback (SPEC §7): the tutorial is asked again with what to change; the new version shows, and
 * the version switcher brings the original back.
 */
export const RegenerateWithFeedback: Story = {
  parameters: { msw: { handlers: { roadmaps: roadmapRoutes(), tasks: taskRoutes(), streams: streams() } } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const tutorial = within(await canvas.findByRole('region', { name: 'Tutorial' }));
    await userEvent.click(await tutorial.findByRole('button', { name: 'Regenerate with feedback' }));
    await userEvent.type(tutorial.getByLabelText('What should be different?'), 'More examples');
    await userEvent.click(tutorial.getByRole('button', { name: 'Regenerate' }));
    await expect(await tutorial.findByText(/Revised: More examples/, {}, { timeout: 5000 })).toBeVisible();
    await userEvent.selectOptions(await tutorial.findByRole('combobox', { name: 'Version' }), '1');
    await waitFor(() => expect(tutorial.queryByText(/Revised: More examples/)).toBeNull());
  },
};

/**
 * The tutorial streams in (SPEC §7): the page shows what was written when it loaded, then the text grows with each
 * `content_delta` (rendered as Markdown, `aria-busy`, a caret at its end, room kept below), until the whole tutorial
 * replaces it.
 */
export const Streaming: Story = {
  parameters: { msw: { handlers: { roadmaps: [...streamingConcept({ intervalMs: 120 }), ...roadmapRoutes()] } } },
  play: async ({ canvasElement }) => {
    const region = await waitFor(() => {
      const found = canvasElement.querySelector('[data-slot="streaming-tutorial"]');
      if (!found) throw new Error('not streaming yet');
      return found;
    });
    await expect(region.getAttribute('aria-busy')).toBe('true');
    const first = region.textContent?.length ?? 0;
    await waitFor(() => expect(region.textContent?.length ?? 0).toBeGreaterThan(first));
  },
};

/** A tutorial kept from a generation that stopped (a cancel): its text, marked incomplete. */
export const StreamInterrupted: Story = {
  parameters: {
    msw: {
      handlers: {
        roadmaps: [
          http.get(apiPath(`/roadmaps/${roadmap.roadmap_id}/concepts/${conceptDetail.concept.concept_id}`), () =>
            HttpResponse.json({
              ...conceptDetail,
              tutorial: null,
              partial_tutorial: {
                content: (conceptDetail.tutorial?.content ?? '').slice(0, 400),
                status: 'failed',
              },
            } satisfies ConceptDetail),
          ),
          ...roadmapRoutes(),
        ],
      },
    },
  },
};

/** The quiz failed: why (the server's `item_errors`) and Retry for that one item. */
export const FailedItem: Story = {
  parameters: { msw: { handlers: { roadmaps: failedQuizConcept() } } },
};

/** Retry on the failed quiz: accepted (202), the concept is read again and the quiz waits to be generated. */
export const FailedItemRetried: Story = {
  parameters: { msw: { handlers: { roadmaps: failedQuizConcept() } } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(await canvas.findByRole('button', { name: /^Retry quiz of/ }));
    await waitFor(() => expect(canvas.queryByText(/The quiz could not be generated/)).toBeNull(), { timeout: 3000 });
  },
};

/** The server refuses the retry: its message under the button. */
export const FailedItemRetryRefused: Story = {
  parameters: { msw: { handlers: { roadmaps: failedQuizConcept({ refuseRetry: true }) } } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(await canvas.findByRole('button', { name: /^Retry quiz of/ }));
    await expect(await canvas.findByRole('alert')).toHaveTextContent('Could not retry');
  },
};
