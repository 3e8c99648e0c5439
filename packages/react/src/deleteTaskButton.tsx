import type { MouseEvent } from 'react';
import { ConfirmButton, type ConfirmDialogProps } from './confirmButton.js';
import { TrashIcon } from './icons.js';
import { useRoadmapLabels } from './provider.js';

/**
 * {@link DeleteTaskButton}'s props. Defaults of the texts: `labels.deleteDialogTitle`, `labels.deleteDialogDescription`,
 * `labels.deleteConfirm` (confirm) and `labels.deleteTask` (trigger).
 */
export interface DeleteTaskButtonProps extends ConfirmDialogProps {
  /**
   * Called when the user confirms. The dialog shows that it is deleting until the promise settles, then closes; it
   * stays open with the error when the promise rejects.
   */
  onConfirm: (event: MouseEvent<HTMLButtonElement>) => Promise<void> | void;
}

/**
 * "Delete" with a confirmation in an alert dialog (Radix Dialog with the AlertDialog conventions): focus starts on
 * "Keep it", Escape or "Keep it" closes it, a click outside does not, and only the confirm button deletes. Deleting
 * cannot be undone (SPEC §9: the task, its roadmap, content and cover go).
 *
 * @example
 * <DeleteTaskButton size="sm" onConfirm={() => client.deleteTask(taskId)} />
 */
export function DeleteTaskButton({
  dialogTitle,
  dialogDescription,
  confirmLabel,
  children,
  variant = 'outline',
  ...props
}: DeleteTaskButtonProps) {
  const labels = useRoadmapLabels();
  return (
    <ConfirmButton
      data-slot="delete-task-button"
      variant={variant}
      icon={<TrashIcon />}
      alert
      dialogSlot="delete-task-dialog"
      dialogTitle={dialogTitle ?? labels.deleteDialogTitle}
      dialogDescription={dialogDescription ?? labels.deleteDialogDescription}
      confirmLabel={confirmLabel ?? labels.deleteConfirm}
      confirmIcon={<TrashIcon />}
      keepLabel={labels.keepTask}
      failedLabel={labels.deleteFailed}
      {...props}
    >
      {children ?? labels.deleteTask}
    </ConfirmButton>
  );
}
