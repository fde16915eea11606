/**
 * Preloaded into the `idempo` process (`node --import`) to put ITS clock `IDEMPO_TEST_CLOCK_SKEW_MS` off the
 * real one, as on an operator's machine whose clock is ahead or behind the store's. Only `Date` moves: `new
 * Date()` and `Date.now()`; dates built from a value (the instants a store returns) are unchanged, and timers are
 * not touched.
 */
const skewMs = Number(process.env.IDEMPO_TEST_CLOCK_SKEW_MS ?? '0');
const RealDate = Date;

class SkewedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + skewMs);
    else super(...args);
  }

  static now() {
    return RealDate.now() + skewMs;
  }
}

globalThis.Date = SkewedDate;
