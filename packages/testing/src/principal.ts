/**
 * The reference app's principal: the name in `Authorization: Bearer <name>`, or `undefined` for an anonymous
 * request (no header, another scheme, or several Authorization field lines). Adapters' tests pass it both to
 * core's `principal` option and to the reference handlers.
 *
 * `Bearer object:<name>` deliberately simulates a user's bug (issue 15 item 8): it returns the OBJECT
 * `{ name: '<name>' }`, cast to the declared `string`, as a `principal` function that returns the user record
 * instead of its id would. Core must answer such a request 500 problem+json (`invalid_principal`), without
 * running the handler or storing anything, never merge every such caller into one key space. Do not copy it.
 */
export function principalFromAuthorization(
  value: string | readonly string[] | null | undefined,
): string | undefined {
  const line = typeof value === 'string' ? value : value?.length === 1 ? value[0] : undefined;
  const match = line === undefined ? null : /^\s*bearer\s+(\S+)\s*$/i.exec(line);
  const name = match?.[1];
  if (name?.startsWith('object:')) {
    // The simulated bug: an object where a string is declared.
    return { name: name.slice('object:'.length) } as unknown as string;
  }
  return name;
}
