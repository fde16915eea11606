/** Placeholder: the adapter is being written (see the adapter issues). */
export const PLACEHOLDER = true;
