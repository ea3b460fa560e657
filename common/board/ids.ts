/**
 * Board ids (contract: "Boards and their two ids"). A board has an edit id, which grants editing,
 * and a view id, which grants read-only access. Both are URL-safe and at most 64 characters; new
 * boards get 128 random bits. Shape ids follow the same alphabet so they are safe in URLs, SVG
 * and DOM attributes.
 */
export const BOARD_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const SHAPE_ID_PATTERN = BOARD_ID_PATTERN;
const RANDOM_ID_BYTES = 16; // 128 bits, above the contract's 96-bit floor

export function isValidBoardId(id: unknown): id is string {
  return typeof id === 'string' && BOARD_ID_PATTERN.test(id);
}

export function isValidShapeId(id: unknown): id is string {
  return typeof id === 'string' && SHAPE_ID_PATTERN.test(id);
}

/** A random URL-safe id (base64url of 16 random bytes, 22 characters). */
export function newRandomId(bytes = RANDOM_ID_BYTES): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  let binary = '';
  for (const byte of raw) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Shape ids are shorter: 96 bits is plenty inside one board. */
export function newShapeId(): string {
  return newRandomId(12);
}
