import type { ComponentProps } from 'react';
import { cn } from './cn.js';
import { cva, type VariantProps } from './variants.js';

/** Classes of a button: `variant` (`default`, `outline`, `ghost`, `warning`, `danger`) and `size` (`sm`, `md`, `icon`). */
export const buttonVariants = cva('roadmap-button', {
  variants: {
    variant: {
      default: 'roadmap-button--default',
      outline: 'roadmap-button--outline',
      ghost: 'roadmap-button--ghost',
      warning: 'roadmap-button--warning',
      danger: 'roadmap-button--danger',
    },
    size: { sm: 'roadmap-button--sm', md: 'roadmap-button--md', icon: 'roadmap-button--icon' },
  },
  defaultVariants: { variant: 'default', size: 'md' },
});

export type ButtonProps = ComponentProps<'button'> & VariantProps<typeof buttonVariants>;

/** A button styled by {@link buttonVariants}; `type="button"` unless given. */
export function Button({ className, variant, size, type = 'button', ...props }: ButtonProps) {
  return (
    <button data-slot="button" type={type} className={cn(buttonVariants({ variant, size }), className)} {...props} />
  );
}
