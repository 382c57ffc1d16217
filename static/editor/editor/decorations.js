// A tiny external store for per-node / per-edge decorations (validation
// problems, run state, diff marks). Node components subscribe to their own
// slice, so validation or a run lighting up one node does not re-render 300.
import { createContext, useContext, useSyncExternalStore, useCallback } from 'react';

export function createDecorations() {
  let state = { nodes: {}, edges: {} };
  const listeners = new Set();
  return {
    get: () => state,
    set(updater) {
      const next = typeof updater === 'function' ? updater(state) : updater;
      if (next === state) return;
      state = next;
      listeners.forEach((l) => l());
    },
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}

export const DecorationsContext = createContext(null);

const EMPTY = Object.freeze({});

export function useNodeDecoration(id) {
  const store = useContext(DecorationsContext);
  const get = useCallback(() => (store ? store.get().nodes[id] || EMPTY : EMPTY), [store, id]);
  return useSyncExternalStore(store ? store.subscribe : noopSub, get, get);
}

export function useEdgeDecoration(id) {
  const store = useContext(DecorationsContext);
  const get = useCallback(() => (store ? store.get().edges[id] || EMPTY : EMPTY), [store, id]);
  return useSyncExternalStore(store ? store.subscribe : noopSub, get, get);
}

function noopSub() {
  return () => {};
}

// Merge decoration layers into a per-id map. Each layer is {id: {...}}.
// Only ids whose merged value changed get a new object, so subscribers of
// unchanged ids do not re-render.
export function mergeLayers(prev, layers) {
  const ids = new Set();
  for (const layer of layers) for (const id of Object.keys(layer || {})) ids.add(id);
  const out = {};
  let changed = Object.keys(prev).length !== ids.size;
  for (const id of ids) {
    const merged = {};
    for (const layer of layers) if (layer && layer[id]) Object.assign(merged, layer[id]);
    const old = prev[id];
    if (old && shallowEqual(old, merged)) out[id] = old;
    else {
      out[id] = merged;
      changed = true;
    }
  }
  return changed ? out : prev;
}

function shallowEqual(a, b) {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}
