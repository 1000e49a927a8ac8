// Unsaved changes: a view that holds edits registers a guard; every navigation
// inside the workbench (tab switches, links, hash routes) asks before leaving,
// as closing the browser tab does (beforeunload).
let current = null;

/** Register `isDirty()` (a function) for the current view; returns a function that removes it. */
export function setLeaveGuard(isDirty) {
  current = isDirty;
  return () => {
    if (current === isDirty) current = null;
  };
}

export function hasUnsavedChanges() {
  try {
    return Boolean(current && current());
  } catch (err) {
    return false;
  }
}

export function clearLeaveGuard() {
  current = null;
}
