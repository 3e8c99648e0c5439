import * as Dialog from '@radix-ui/react-dialog';
import { type MouseEvent, type ReactNode, useState } from 'react';
import { Button, type ButtonProps } from './button.js';
import { LoaderIcon, TrashIcon } from './icons.js';
import { useRoadmapLabels, useRoadmapTheme } from './provider.js';

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
  onConfirm,
  open,
  defaultOpen,
  onOpenChange,
  dialogTitle,
  dialogDescription,
  confirmLabel,
  children,
  variant = 'outline',
  ...props
}: DeleteTaskButtonProps) {
  const labels = useRoadmapLabels();
  const theme = useRoadmapTheme();
  const [uncontrolledOpen, setUncontrolledOpen] = useState(defaultOpen ?? false);
  const [isDeleting, setDeleting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const isOpen = open ?? uncontrolledOpen;
  const setOpen = (next: boolean) => {
    if (open === undefined) setUncontrolledOpen(next);
    if (next) setError(null);
    onOpenChange?.(next);
  };
  const confirm = async (event: MouseEvent<HTMLButtonElement>) => {
    setDeleting(true);
    setError(null);
    try {
      await onConfirm(event);
      setOpen(false);
    } catch (thrown) {
      setError(thrown instanceof Error ? thrown.message : String(thrown));
    } finally {
      setDeleting(false);
    }
  };
  return (
    <Dialog.Root open={isOpen} onOpenChange={setOpen}>
      <Dialog.Trigger asChild>
        <Button data-slot="delete-task-button" variant={variant} {...props}>
          <TrashIcon />
          {children ?? labels.deleteTask}
        </Button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <div className="roadmap-root" data-theme={theme}>
          <Dialog.Overlay className="roadmap-dialog-overlay" />
          <Dialog.Content
            role="alertdialog"
            data-slot="delete-task-dialog"
            className="roadmap-dialog"
            onPointerDownOutside={(event) => event.preventDefault()}
            onInteractOutside={(event) => event.preventDefault()}
          >
            <Dialog.Title className="roadmap-dialog__title">{dialogTitle ?? labels.deleteDialogTitle}</Dialog.Title>
            <Dialog.Description className="roadmap-dialog__description">
              {dialogDescription ?? labels.deleteDialogDescription}
            </Dialog.Description>
            {error && (
              <p role="alert" className="roadmap-error">
                {labels.deleteFailed}: {error}
              </p>
            )}
            <div className="roadmap-dialog__actions">
              {/* First in the dialog, so focus starts on it: the safe choice. */}
              <Dialog.Close asChild>
                <Button variant="outline">{labels.keepTask}</Button>
              </Dialog.Close>
              <Button variant="danger" onClick={confirm} disabled={isDeleting} aria-busy={isDeleting}>
                {isDeleting ? <LoaderIcon className="roadmap-spin" /> : <TrashIcon />}
                {confirmLabel ?? labels.deleteConfirm}
              </Button>
            </div>
          </Dialog.Content>
        </div>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
