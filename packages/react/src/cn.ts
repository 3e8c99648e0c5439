import { type ClassValue, clsx } from 'clsx';

/** Joins class names (strings, arrays, `{ name: condition }` objects); later classes come last so they can override. */
export function cn(...inputs: ClassValue[]): string {
  return clsx(inputs);
}
