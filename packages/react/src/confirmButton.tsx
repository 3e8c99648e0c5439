import * as Dialog from '@radix-ui/react-dialog';
import { type MouseEvent, type ReactNode, useState } from 'react';
import { Button, type ButtonProps } from './button.js';
import { LoaderIcon } from './icons.js';
import { useRoadmapTheme } from './provider.js';
import { useAction } from './useAction.js';

/**
 * What a button that asks first takes besides a button's own props: the dialog's state and texts. Each text left out
 * is the component's own label (see {@link CancelTaskButton} and {@link DeleteTaskButton}).
 */
export interface ConfirmDialogProps extends Omit<ButtonProps, 'onClick'> {
  /** Whether the confirmation dialog is open (controlled). */
  open?: boolean;
  /** Whether the dialog is open at first (uncontrolled). Default: `false`. */
  defaultOpen?: boolean;
  /** Called when the dialog opens or closes. */
  onOpenChange?: (open: boolean) => void;
  /** The dialog's title. Default: the component's own. */
  dialogTitle?: ReactNode;
  /** The dialog's description. Default: the component's own. */
  dialogDescription?: ReactNode;
  /** The confirm button's text. Default: the component's own. */
  confirmLabel?: ReactNode;
  /** The trigger's text. Default: the component's own. */
  children?: ReactNode;
}

/** @internal What {@link ConfirmButton} shows: its trigger, its dialog and the prefix of a failure. */
export interface ConfirmButtonProps extends Omit<ButtonProps, 'onClick'> {
  onConfirm: (event: MouseEvent<HTMLButtonElement>) => Promise<void> | void;
  open?: boolean | undefined;
  defaultOpen?: boolean | undefined;
  onOpenChange?: ((open: boolean) => void) | undefined;
  icon: ReactNode;
  dialogTitle: ReactNode;
  dialogDescription: ReactNode;
  confirmLabel: ReactNode;
  /** Icon of the confirm button (a spinner replaces it while `onConfirm` runs). */
  confirmIcon?: ReactNode;
  /** Text of the button that closes the dialog without confirming. */
  keepLabel: ReactNode;
  /** Prefix of the error shown when `onConfirm` rejects. */
  failedLabel: ReactNode;
  /** An alert dialog (Radix AlertDialog conventions): `role="alertdialog"`, a click outside does not close it. */
  alert?: boolean;
  dialogSlot: string;
}

/**
 * @internal A button that asks first, in a Radix dialog: focus moves to its first button (the one that keeps things
 * as they are), Escape or that button closes it, the confirm button runs `onConfirm` (busy meanwhile) and closes it,
 * or shows the error when it rejects.
 */
export function ConfirmButton({
  onConfirm,
  open,
  defaultOpen,
  onOpenChange,
  icon,
  dialogTitle,
  dialogDescription,
  confirmLabel,
  confirmIcon,
  keepLabel,
  failedLabel,
  alert = false,
  dialogSlot,
  children,
  ...props
}: ConfirmButtonProps) {
  const theme = useRoadmapTheme();
  const [uncontrolledOpen, setUncontrolledOpen] = useState(defaultOpen ?? false);
  const { running, error, run, clear } = useAction();
  const isBusy = running !== null;
  const isOpen = open ?? uncontrolledOpen;
  const setOpen = (next: boolean) => {
    if (open === undefined) setUncontrolledOpen(next);
    if (next) clear();
    onOpenChange?.(next);
  };
  const confirm = async (event: MouseEvent<HTMLButtonElement>) => {
    if (await run(true, () => onConfirm(event))) setOpen(false);
  };
  const stayOpen = alert ? (event: Event) => event.preventDefault() : undefined;
  return (
    <Dialog.Root open={isOpen} onOpenChange={setOpen}>
      <Dialog.Trigger asChild>
        <Button {...props}>
          {icon}
          {children}
        </Button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <div className="roadmap-root" data-theme={theme}>
          <Dialog.Overlay className="roadmap-dialog-overlay" />
          <Dialog.Content
            data-slot={dialogSlot}
            className="roadmap-dialog"
            {...(alert ? { role: 'alertdialog' } : {})}
            onPointerDownOutside={stayOpen}
            onInteractOutside={stayOpen}
          >
            <Dialog.Title className="roadmap-dialog__title">{dialogTitle}</Dialog.Title>
            <Dialog.Description className="roadmap-dialog__description">{dialogDescription}</Dialog.Description>
            {error && (
              <p role="alert" className="roadmap-error">
                {failedLabel}: {error}
              </p>
            )}
            <div className="roadmap-dialog__actions">
              <Dialog.Close asChild>
                <Button variant="outline">{keepLabel}</Button>
              </Dialog.Close>
              <Button variant="danger" onClick={confirm} disabled={isBusy} aria-busy={isBusy}>
                {isBusy ? <LoaderIcon className="roadmap-spin" /> : confirmIcon}
                {confirmLabel}
              </Button>
            </div>
          </Dialog.Content>
        </div>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
