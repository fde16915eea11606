/** Waits `ms` milliseconds with a real timer (the suites test real clocks, never fake ones). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
