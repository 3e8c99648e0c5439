import { type ClassValue, clsx } from 'clsx';

type VariantMap = Record<string, Record<string, string>>;
type Choices<Variants extends VariantMap> = { [Name in keyof Variants]?: keyof Variants[Name] | null | undefined };

/** The variant props a {@link cva} function takes (as class-variance-authority's `VariantProps`). */
export type VariantProps<Component> = Component extends (props?: infer Props) => string
  ? Omit<NonNullable<Props>, 'class' | 'className'>
  : never;

/**
 * What the components use of class-variance-authority's `cva` (no compound variants), in a few lines: the base class,
 * then for each variant the class of the chosen value (or of its default), then `class` and `className`.
 */
export function cva<Variants extends VariantMap>(
  base: string,
  { variants, defaultVariants = {} }: { variants: Variants; defaultVariants?: Choices<Variants> },
) {
  return (props: Choices<Variants> & { class?: ClassValue; className?: ClassValue } = {}): string =>
    clsx(
      base,
      // As in cva: `undefined` takes the default, `null` leaves the variant out.
      Object.entries(variants).map(([name, classes]) => {
        const value = props[name] === undefined ? defaultVariants[name] : props[name];
        return value == null ? null : classes[value as string];
      }),
      props.class,
      props.className,
    );
}
