import { createContext, useContext } from 'react';
import { type AppLabels, englishAppLabels } from './appLabels.js';

export const AppLabelsContext = createContext<AppLabels>(englishAppLabels);

/** The app's own strings in the chosen language. */
export function useAppLabels(): AppLabels {
  return useContext(AppLabelsContext);
}
