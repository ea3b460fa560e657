/**
 * What `npm run boards` does, one function per command (boards-cli.ts parses the command line).
 * Each writes its result to `out` and returns; a failure throws CliError.
 */
import type { Writable } from 'node:stream';
import type { Config } from '../config.ts';
import type { BoardRecord, BoardSummary } from '../storage/board-store.ts';
import { exportBoard, readArchive } from './board-archive.ts';
import { boardDigest, type BoardConnections } from './board-digest.ts';
import { CliError, type Deleter, type OpenedStore } from './cli-links.ts';

const DAY_MS = 86_400_000;

export interface CommandContext {
  config: Config;
  opened: OpenedStore;
  out: Writable;
}

async function boardByEditId(ctx: CommandContext, editId: string): Promise<BoardRecord> {
  const access = await ctx.opened.store.findBoard(editId);
  if (!access) {
    const reset = await ctx.opened.store.isRetired(editId);
    throw new CliError(reset ? `${editId} is a link that was reset` : `no board ${editId}`);
  }
  if (access.role !== 'edit') throw new CliError(`${editId} is a view id; use the edit id`);
  return access.board;
}

function formatBytes(bytes: number): string {
  if (bytes < 1_024) return `${bytes} B`;
  if (bytes < 1_048_576) return `${(bytes / 1_024).toFixed(1)} KiB`;
  return `${(bytes / 1_048_576).toFixed(1)} MiB`;
}

function formatConnections(entry: BoardConnections | undefined): string {
  if (!entry) return '0';
  return `${entry.editors + entry.readers + entry.viewers} (${entry.editors} edit, ${entry.readers} read, ${entry.viewers} view)`;
}

function table(rows: string[][]): string {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `list [--json]`: every board, its last change, size and (with a server) connections. */
export async function listCommand(
  ctx: CommandContext,
  connections: Map<string, BoardConnections> | null,
  json: boolean,
): Promise<void> {
  const boards = await ctx.opened.store.listBoards();
  const connected = (board: BoardSummary) =>
    connections ? (connections.get(boardDigest(board.key)) ?? null) : undefined;
  if (json) {
    const entries = boards.map((board) => ({
      editId: board.editId,
      viewId: board.viewId,
      createdAt: new Date(board.createdAt).toISOString(),
      lastChangeAt: new Date(board.lastChangeAt).toISOString(),
      bytes: board.bytes,
      updates: board.updates,
      connections: connected(board),
    }));
    ctx.out.write(`${JSON.stringify(entries, null, 2)}\n`);
    return;
  }
  const header = ['EDIT ID', 'VIEW ID', 'LAST CHANGE', 'SIZE', 'CONNECTIONS'];
  const rows = boards.map((board) => [
    board.editId,
    board.viewId,
    new Date(board.lastChangeAt).toISOString().replace(/\.\d+Z$/, 'Z'),
    formatBytes(board.bytes),
    connections ? formatConnections(connected(board) ?? undefined) : '-',
  ]);
  ctx.out.write(`${table([header, ...rows])}\n`);
  const note = connections ? '' : ' (connections: no server reached; pass --server <url>)';
  ctx.out.write(`${boards.length} board${boards.length === 1 ? '' : 's'}${note}\n`);
}

/** `export <editId>`: the board file on stdout. */
export async function exportCommand(ctx: CommandContext, editId: string): Promise<void> {
  const board = await boardByEditId(ctx, editId);
  ctx.out.write(`${JSON.stringify(await exportBoard(ctx.opened.store, board))}\n`);
}

/** `import [--keep-ids] < file`: a new board from a file; prints its ids. */
export async function importCommand(
  ctx: CommandContext,
  text: string,
  keepIds: boolean,
): Promise<void> {
  const checked = readArchive(text, ctx.config.maxImportBytes);
  if (!checked.ok) throw new CliError(`not imported: ${checked.error}`);
  const board = await ctx.opened.store.createBoard(
    keepIds ? checked.board.ids : null,
    checked.board.state,
    checked.board.assets,
  );
  if (!board) throw new CliError('not imported: a board id in the file is taken or was reset');
  const origin = ctx.config.publicUrl;
  ctx.out.write(
    `${JSON.stringify({
      editId: board.editId,
      viewId: board.viewId,
      ...(origin
        ? { editUrl: `${origin}/board/${board.editId}`, viewUrl: `${origin}/view/${board.viewId}` }
        : {}),
    })}\n`,
  );
}

/** `delete <editId>`. */
export async function deleteCommand(ctx: CommandContext, deleter: Deleter, editId: string) {
  const board = await boardByEditId(ctx, editId);
  await deleter(board);
  ctx.out.write(`deleted ${editId}\n`);
}

/** `prune --idle-days N [--yes]`: boards untouched for N days; only listed without --yes. */
export async function pruneCommand(
  ctx: CommandContext,
  deleter: Deleter | null,
  idleDays: number,
): Promise<void> {
  const cutoff = Date.now() - idleDays * DAY_MS;
  const idle = (await ctx.opened.store.listBoards()).filter((board) => board.lastChangeAt < cutoff);
  for (const board of idle) {
    const last = new Date(board.lastChangeAt).toISOString().slice(0, 10);
    if (deleter) await deleter(board);
    ctx.out.write(
      `${deleter ? 'deleted' : 'would delete'} ${board.editId} (last change ${last})\n`,
    );
  }
  const count = `${idle.length} board${idle.length === 1 ? '' : 's'} idle for ${idleDays} days or more`;
  ctx.out.write(
    deleter ? `${count}: deleted\n` : `${count}; dry run, nothing deleted (add --yes)\n`,
  );
}
