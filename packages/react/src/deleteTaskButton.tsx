import type { MouseEvent, ReactNode } from 'react';
import type { ButtonProps } from './button.js';
import { ConfirmButton } from './confirmButton.js';
import { TrashIcon } from './icons.js';
import { useRoadmapLabels } from './provider.js';

export interface DeleteTaskButtonProps extends Omit<ButtonProps, 'onClick'> {
  /**
   * Called when the user confirms. The dialog shows that it is deleting until the promise settles, then closes; it
   * stays open with the error when the promise rejects.
   */
  onConfirm: (event: MouseEvent<HTMLButtonElement>) => Promise<void> | void;
  /** Whether the confirmation dialog is open (controlled). */
  open?: boolean;
  /** Whether the dialog is open at first (uncontrolled). Default: `false`. */
  defaultOpen?: boolean;
  /** Called when the dialog opens or closes. */
  onOpenChange?: (open: boolean) => void;
  /** The dialog's title. Default: `labels.deleteDialogTitle`. */
  dialogTitle?: ReactNode;
  /** The dialog's description. Default: `labels.deleteDialogDescription`. */
  dialogDescription?: ReactNode;
  /** The confirm button's text. Default: `labels.deleteConfirm`. */
  confirmLabel?: ReactNode;
  /** The trigger's text. Default: `labels.deleteTask`. */
  children?: ReactNode;
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
