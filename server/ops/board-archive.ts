/**
 * A whole board in one JSON file, for backups and moving boards between servers
 * (`GET /api/boards/<editId>/export`, `POST /api/boards/import`, `npm run boards -- export|import`):
 *
 *   { "format": "boardcast-board", "version": 1, "editId", "viewId", "exportedAt": ISO date,
 *     "state": base64 of the board as one Yjs update,
 *     "assets": [ { "assetId", "type", "data": base64 of the bytes } ] }
 *
 * Never the board's internal key. Reading one back checks it like any input: the JSON shape and
 * ids here (400 when it is not such a file at all, 422 when it is one with bad content), and the
 * state goes through the update gate a client's update goes through (server/room/update-gate.ts),
 * with its byte and count limits scaled up to the import size cap.
 */
import { createHash } from 'node:crypto';
import * as Y from 'yjs';
import { sniffAssetType } from '../../common/board/asset-format.ts';
import { isValidBoardId } from '../../common/board/ids.ts';
import { DEFAULT_UPDATE_LIMITS, checkUpdate, type UpdateLimits } from '../room/update-gate.ts';
import type { BoardIds, BoardRecord, BoardStore, StoredAsset } from '../storage/board-store.ts';
import { mergeLog } from '../storage/merge-log.ts';

export const ARCHIVE_FORMAT = 'boardcast-board';
export const ARCHIVE_VERSION = 1;

export interface BoardArchive {
  format: typeof ARCHIVE_FORMAT;
  version: typeof ARCHIVE_VERSION;
  editId: string;
  viewId: string;
  exportedAt: string;
  /** base64 of one Yjs update holding the whole board. */
  state: string;
  assets: ArchivedAsset[];
}

export interface ArchivedAsset {
  assetId: string;
  type: string;
  /** base64 of the bytes. */
  data: string;
}

/** A checked archive: its ids and its state, ready to store. */
export interface ImportableBoard {
  ids: BoardIds;
  state: Uint8Array;
  assets: StoredAsset[];
}

export type ArchiveCheck =
  { ok: true; board: ImportableBoard } | { ok: false; status: 400 | 422; error: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The board as an archive, read from storage (which holds every committed update). */
export async function exportBoard(store: BoardStore, board: BoardRecord): Promise<BoardArchive> {
  const log = await store.loadLog(board.key);
  return {
    format: ARCHIVE_FORMAT,
    version: ARCHIVE_VERSION,
    editId: board.editId,
    viewId: board.viewId,
    exportedAt: new Date().toISOString(),
    state: Buffer.from(mergeLog(log.updates)).toString('base64'),
    assets: (await store.listAssets(board.key)).map((asset) => ({
      assetId: asset.assetId,
      type: asset.type,
      data: Buffer.from(asset.data).toString('base64'),
    })),
  };
}

/** The update gate's limits for a state of at most `maxBytes` (counts grow with the bytes). */
export function importLimits(maxBytes: number): UpdateLimits {
  const scale = Math.max(1, maxBytes / DEFAULT_UPDATE_LIMITS.maxUpdateBytes);
  return {
    ...DEFAULT_UPDATE_LIMITS,
    maxUpdateBytes: maxBytes,
    maxStructs: Math.ceil(DEFAULT_UPDATE_LIMITS.maxStructs * scale),
    maxDeleteRanges: Math.ceil(DEFAULT_UPDATE_LIMITS.maxDeleteRanges * scale),
  };
}

function refuse(status: 400 | 422, error: string): ArchiveCheck {
  return { ok: false, status, error };
}

/** Parses and checks an archive's text; `maxBytes` caps the decoded state. */
export function readArchive(text: string, maxBytes: number): ArchiveCheck {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return refuse(400, 'not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) return refuse(400, 'not a board file');
  const archive = parsed as Partial<Record<keyof BoardArchive, unknown>>;
  if (archive.format !== ARCHIVE_FORMAT) return refuse(400, `format is not "${ARCHIVE_FORMAT}"`);
  if (archive.version !== ARCHIVE_VERSION)
    return refuse(422, `version ${String(archive.version)} is not ${ARCHIVE_VERSION}`);
  if (!isValidBoardId(archive.editId) || !isValidBoardId(archive.viewId))
    return refuse(422, 'editId and viewId must be [A-Za-z0-9_-]{1,64}');
  if (archive.editId === archive.viewId) return refuse(422, 'editId and viewId must differ');
  if (typeof archive.state !== 'string' || !BASE64.test(archive.state))
    return refuse(422, 'state must be base64');
  const assets = readAssets(archive.assets);
  if (typeof assets === 'string') return refuse(422, assets);
  const state = new Uint8Array(Buffer.from(archive.state, 'base64'));
  const verdict = checkUpdate(state, new Y.Doc(), importLimits(maxBytes));
  if (verdict.kind === 'refuse') return refuse(422, `state refused: ${verdict.detail}`);
  // A whole board's state needs nothing else; one that does would leave Yjs waiting forever.
  if (verdict.kind === 'hold') return refuse(422, 'state refused: it builds on items it lacks');
  return {
    ok: true,
    board: { ids: { editId: archive.editId, viewId: archive.viewId }, state, assets },
  };
}

/**
 * The archive's assets, checked as an upload is: each an image recognised from its bytes, its id
 * their SHA-256 (the type in the file is informative; the bytes decide). A string: why not.
 */
function readAssets(value: unknown): StoredAsset[] | string {
  if (!Array.isArray(value)) return 'assets must be a list';
  const assets: StoredAsset[] = [];
  for (const [index, entry] of value.entries()) {
    const asset = entry as Partial<Record<keyof ArchivedAsset, unknown>> | null;
    if (typeof asset?.data !== 'string' || !BASE64.test(asset.data))
      return `assets[${index}].data must be base64`;
    const data = new Uint8Array(Buffer.from(asset.data, 'base64'));
    const type = sniffAssetType(data);
    if (!type) return `assets[${index}] is not a PNG, JPEG, GIF or WebP image`;
    const assetId = createHash('sha256').update(data).digest('hex');
    if (asset.assetId !== assetId)
      return `assets[${index}].assetId must be the SHA-256 of its bytes (${assetId})`;
    assets.push({ assetId, type, data });
  }
  return assets;
}
