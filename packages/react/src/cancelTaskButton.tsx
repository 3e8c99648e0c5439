import { ConfirmButton, type ConfirmDialogProps } from './confirmButton.js';
import { XCircleIcon } from './icons.js';
import { useRoadmapLabels } from './provider.js';

/**
 * {@link CancelTaskButton}'s props. Defaults of the texts: `labels.cancelDialogTitle`, `labels.cancelDialogDescription`,
 * `labels.cancelTask` (confirm) and `labels.cancelTaskTitleCase` (trigger).
 */
export interface CancelTaskButtonProps extends ConfirmDialogProps {
  /** Called when the user confirms; the dialog stays open and shows the error if it rejects. */
  onConfirm: () => Promise<void>;
}

/**
 * "Cancel Task" with a confirmation dialog (Radix): focus moves into the dialog, Escape or "Keep running" closes it,
 * "Cancel task" confirms.
 */
export function CancelTaskButton({
  dialogTitle,
  dialogDescription,
  confirmLabel,
  children,
  ...props
}: CancelTaskButtonProps) {
  const labels = useRoadmapLabels();
  return (
    <ConfirmButton
      data-slot="cancel-task-button"
      variant="warning"
      icon={<XCircleIcon />}
      dialogSlot="cancel-task-dialog"
      dialogTitle={dialogTitle ?? labels.cancelDialogTitle}
      dialogDescription={dialogDescription ?? labels.cancelDialogDescription}
      confirmLabel={confirmLabel ?? labels.cancelTask}
      keepLabel={labels.keepRunning}
      failedLabel={labels.cancelFailed}
      {...props}
    >
      {children ?? labels.cancelTaskTitleCase}
    </ConfirmButton>
  );
}
