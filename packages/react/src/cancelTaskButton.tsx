import type { ReactNode } from 'react';
import type { ButtonProps } from './button.js';
import { ConfirmButton } from './confirmButton.js';
import { XCircleIcon } from './icons.js';
import { useRoadmapLabels } from './provider.js';

export interface CancelTaskButtonProps extends Omit<ButtonProps, 'onClick'> {
  /** Called when the user confirms; the dialog stays open and shows the error if it rejects. */
  onConfirm: () => Promise<void>;
  /** Whether the confirmation dialog is open (controlled). */
  open?: boolean;
  /** Whether the dialog is open at first (uncontrolled). Default: `false`. */
  defaultOpen?: boolean;
  /** Called when the dialog opens or closes. */
  onOpenChange?: (open: boolean) => void;
  /** The dialog's title. Default: `labels.cancelDialogTitle`. */
  dialogTitle?: ReactNode;
  /** The dialog's description. Default: `labels.cancelDialogDescription`. */
  dialogDescription?: ReactNode;
  /** The confirm button's text. Default: `labels.cancelTask`. */
  confirmLabel?: ReactNode;
  /** The trigger's text. Default: `labels.cancelTaskTitleCase`. */
  children?: ReactNode;
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
