/**
 * The name of a prepared statement: the operation and a hash of its text, so that two stores over different
 * tables can share a pool (pg refuses one name for two texts on a connection) and a changed text is prepared
 * afresh.
 */
export function statementName(operation: string, text: string): string {
  // FNV-1a, 32 bits: a name, not a security boundary.
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return `idempo_${operation}_${(hash >>> 0).toString(16).padStart(8, '0')}`;
}
