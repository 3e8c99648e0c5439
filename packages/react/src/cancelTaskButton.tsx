import * as Dialog from '@radix-ui/react-dialog';
import { type ReactNode, useState } from 'react';
import { Button, type ButtonProps } from './button.js';
import { cn } from './cn.js';
import { LoaderIcon, XCircleIcon } from './icons.js';
import { useRoadmapLabels, useRoadmapTheme } from './provider.js';

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
  onConfirm,
  open,
  defaultOpen,
  onOpenChange,
  dialogTitle,
  dialogDescription,
  confirmLabel,
  children,
  className,
  ...props
}: CancelTaskButtonProps) {
  const labels = useRoadmapLabels();
  const theme = useRoadmapTheme();
  const [uncontrolledOpen, setUncontrolledOpen] = useState(defaultOpen ?? false);
  const [isCancelling, setCancelling] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const isOpen = open ?? uncontrolledOpen;
  const setOpen = (next: boolean) => {
    if (open === undefined) setUncontrolledOpen(next);
    if (next) setError(null);
    onOpenChange?.(next);
  };
  const confirm = async () => {
    setCancelling(true);
    setError(null);
    try {
      await onConfirm();
      setOpen(false);
    } catch (thrown) {
      setError(thrown instanceof Error ? thrown.message : String(thrown));
    } finally {
      setCancelling(false);
    }
  };
  return (
    <Dialog.Root open={isOpen} onOpenChange={setOpen}>
      <Dialog.Trigger asChild>
        <Button data-slot="cancel-task-button" variant="warning" className={className} {...props}>
          <XCircleIcon />
          {children ?? labels.cancelTaskTitleCase}
        </Button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <div className="roadmap-root" data-theme={theme}>
          <Dialog.Overlay className="roadmap-dialog-overlay" />
          <Dialog.Content data-slot="cancel-task-dialog" className={cn('roadmap-dialog')}>
            <Dialog.Title className="roadmap-dialog__title">{dialogTitle ?? labels.cancelDialogTitle}</Dialog.Title>
            <Dialog.Description className="roadmap-dialog__description">
              {dialogDescription ?? labels.cancelDialogDescription}
            </Dialog.Description>
            {error && (
              <p role="alert" className="roadmap-error">
                {labels.cancelFailed}: {error}
              </p>
            )}
            <div className="roadmap-dialog__actions">
              <Dialog.Close asChild>
                <Button variant="outline">{labels.keepRunning}</Button>
              </Dialog.Close>
              <Button variant="danger" onClick={confirm} disabled={isCancelling} aria-busy={isCancelling}>
                {isCancelling && <LoaderIcon className="roadmap-spin" />}
                {confirmLabel ?? labels.cancelTask}
              </Button>
            </div>
          </Dialog.Content>
        </div>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
