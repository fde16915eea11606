import { InvalidOptionsError } from '@idempo/core';

/** Longest identifier PostgreSQL keeps (NAMEDATALEN - 1 bytes); longer ones are silently truncated. */
const MAX_IDENTIFIER_LENGTH = 63;

/** Suffix of the longest name derived from the table name (its index). */
export const INDEX_SUFFIX = '_expires_at_idx';

/** Longest table name: every name derived from it must still fit in 63 bytes. */
export const MAX_TABLE_LENGTH = MAX_IDENTIFIER_LENGTH - INDEX_SUFFIX.length;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Checks a schema or table name given in the options: ASCII letters, digits and underscores, not starting with a
 * digit, at most `maxLength` characters. Throws {@link InvalidOptionsError} otherwise. Such a name is still
 * quoted wherever it is used (so `Records` keeps its case), but it can never carry a quote or a dot.
 */
export function checkIdentifier(what: string, value: unknown, maxLength: number): string {
  if (typeof value !== 'string' || !IDENTIFIER.test(value) || value.length > maxLength) {
    throw new InvalidOptionsError(
      `PostgresStore: ${what} must be 1 to ${maxLength} ASCII letters, digits or underscores, not starting with a digit; got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Quotes an identifier for SQL (`"name"`), doubling any double quote it holds. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Checks a table name (at most {@link MAX_TABLE_LENGTH} characters). */
export function checkTable(value: unknown): string {
  return checkIdentifier('table', value, MAX_TABLE_LENGTH);
}

/** Checks a schema name (at most 63 characters). */
export function checkSchema(value: unknown): string {
  return checkIdentifier('schema', value, MAX_IDENTIFIER_LENGTH);
}
