/** The benchmarks' command lines: parsed settings, or the usage text and an exit (0 for --help, 2 for a mistake). */
export function settingsOrExit<T>(parse: (argv: readonly string[]) => T | undefined, usage: string): T {
  try {
    const parsed = parse(process.argv.slice(2));
    if (parsed) return parsed;
    console.log(usage);
    process.exit(0);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    process.exit(2);
  }
}
