/**
 * Board assets are images recognised by their first bytes, never by a name or a declared type
 * (contract: "Board assets"): PNG, JPEG, GIF and WebP. Shared by the server (which refuses
 * anything else with 415) and the editor (which says so before uploading).
 */

export const ASSET_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
export type AssetType = (typeof ASSET_TYPES)[number];

const startsWith = (bytes: Uint8Array, prefix: readonly number[], at = 0): boolean =>
  bytes.length >= at + prefix.length && prefix.every((byte, i) => bytes[at + i] === byte);

const ascii = (text: string): number[] => [...text].map((char) => char.charCodeAt(0));

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const GIF87 = ascii('GIF87a');
const GIF89 = ascii('GIF89a');
const RIFF = ascii('RIFF');
const WEBP = ascii('WEBP');

/** The image type these bytes are, or null when they are none of the four. */
export function sniffAssetType(bytes: Uint8Array): AssetType | null {
  if (startsWith(bytes, PNG)) return 'image/png';
  if (startsWith(bytes, JPEG)) return 'image/jpeg';
  if (startsWith(bytes, GIF87) || startsWith(bytes, GIF89)) return 'image/gif';
  if (startsWith(bytes, RIFF) && startsWith(bytes, WEBP, 8)) return 'image/webp';
  return null;
}

/** The path an asset is served at, by either id of its board. */
export function assetPath(boardId: string, assetId: string): string {
  return `/api/boards/${encodeURIComponent(boardId)}/assets/${assetId}`;
}
