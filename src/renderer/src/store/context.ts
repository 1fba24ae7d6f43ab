import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { StudioState, StudioStore } from './index';

/** The store reaches components through context, so each page (or test) brings its own. */
export const StudioStoreContext = createContext<StudioStore | null>(null);

/** Subscribes to the part of the state the selector picks; re-renders only when it changes. */
export function useStudio<T>(selector: (state: StudioState) => T): T {
  const store = useContext(StudioStoreContext);
  if (!store) throw new Error('useStudio needs a StudioStoreContext.Provider above it');
  return useStore(store, selector);
}
