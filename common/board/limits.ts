/**
 * Documented limits on shapes. Anything beyond them is "absurd" in the contract's sense: the
 * update gate refuses it and every renderer skips it. The README lists them; change both together.
 */
export const SHAPE_LIMITS = {
  /** |x|, |y| and every point coordinate, in board units. */
  MAX_COORDINATE: 1_000_000,
  /** width and height (each ≥ 0). */
  MAX_SIZE: 1_000_000,
  /** Numbers in `points` (two per point), so 5,000 points. */
  MAX_POINT_NUMBERS: 10_000,
  /** Characters of `text`. */
  MAX_TEXT_LENGTH: 10_000,
  /** Characters of a colour string. */
  MAX_COLOR_LENGTH: 64,
  MAX_STROKE_WIDTH: 1_000,
  MIN_FONT_SIZE: 1,
  MAX_FONT_SIZE: 1_000,
  /** |rotation| in degrees. */
  MAX_ROTATION: 1_000_000,
  /** |z|. */
  MAX_Z: 1e15,
} as const;
