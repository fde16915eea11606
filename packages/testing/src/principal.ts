/**
 * The reference app's principal: the name in `Authorization: Bearer <name>`, or `undefined` for an anonymous
 * request (no header, another scheme, or several Authorization field lines). Adapters' tests pass it both to
 * core's `principal` option and to the reference handlers.
 */
export function principalFromAuthorization(
  value: string | readonly string[] | null | undefined,
): string | undefined {
  const line = typeof value === 'string' ? value : value?.length === 1 ? value[0] : undefined;
  const match = line === undefined ? null : /^\s*bearer\s+(\S+)\s*$/i.exec(line);
  return match?.[1];
}
