/**
 * `npm run boards -- <command>`: the operator's tools for the boards a server holds, on the same
 * storage and settings as the server (DATA_DIR, or DATABASE_URL; REDIS_URL, AUTH_SECRET, PORT…).
 * Commands: board-commands.ts; how deletions reach a running server: cli-links.ts. Errors are
 * one line on stderr: exit 2 for a wrong command line or setting, 1 for anything else.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isValidBoardId } from '../../common/board/ids.ts';
import { ConfigError, parseConfig, type Config } from '../config.ts';
import {
  deleteCommand,
  exportCommand,
  importCommand,
  listCommand,
  pruneCommand,
  type CommandContext,
} from './board-commands.ts';
import { chooseDeleter, CliError, connectionsOn, findServer, openStore } from './cli-links.ts';

const USAGE = `usage: npm run boards -- <command>
  list [--json]                       every board: ids, last change, size, connections
  export <editId> > board.json        the board as one file (its Yjs state and ids)
  import [--keep-ids] < board.json    a new board from a file (--keep-ids: the file's ids)
  delete <editId>                     the board, its history and assets; closes its connections
  prune --idle-days <N> [--yes]       boards unchanged for N days: listed, deleted with --yes
options: --server <url>  a running server to go through (default: the one holding DATA_DIR)
settings: as the server's (DATA_DIR or DATABASE_URL, REDIS_URL, AUTH_SECRET, …)`;

const COMMANDS = ['list', 'export', 'import', 'delete', 'prune'] as const;
type Command = (typeof COMMANDS)[number];

class UsageError extends Error {}

interface Invocation {
  command: Command;
  editId: string | null;
  json: boolean;
  keepIds: boolean;
  idleDays: number | null;
  yes: boolean;
  server: string | undefined;
}

/**
 * A board id may start with "-" (ids are base64url): for `export` and `delete`, a word with one
 * leading "-" that is a valid id (and not -h) is moved behind "--", so that it is read as the
 * id and not as an unknown option. Options are all spelled with "--".
 */
function idsAsPositionals(argv: readonly string[]): string[] {
  if (!argv.some((arg) => arg === 'export' || arg === 'delete') || argv.includes('--'))
    return [...argv];
  const looksLikeId = (arg: string) =>
    arg.startsWith('-') && !arg.startsWith('--') && arg !== '-h' && isValidBoardId(arg);
  const ids = argv.filter(looksLikeId);
  return ids.length === 0 ? [...argv] : [...argv.filter((arg) => !looksLikeId(arg)), '--', ...ids];
}

export function parseBoardsArgs(argv: readonly string[]): Invocation | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: idsAsPositionals(argv),
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        'keep-ids': { type: 'boolean', default: false },
        'idle-days': { type: 'string' },
        yes: { type: 'boolean', default: false },
        server: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  const [command, editId, ...extra] = positionals;
  if (!COMMANDS.includes(command as Command))
    throw new UsageError(command ? `unknown command "${command}"` : 'a command is needed');
  const needsId = command === 'export' || command === 'delete';
  if (needsId && !isValidBoardId(editId))
    throw new UsageError(`${command} needs an edit id ([A-Za-z0-9_-]{1,64})`);
  if (extra.length > 0 || (!needsId && editId !== undefined))
    throw new UsageError(`unexpected "${needsId ? extra[0] : editId}"`);
  let idleDays: number | null = null;
  if (command === 'prune') {
    const raw = values['idle-days'];
    idleDays = Number(raw);
    if (!raw || !/^\d+$/.test(raw) || idleDays < 1)
      throw new UsageError('prune needs --idle-days <N>, a whole number of days (1 or more)');
  }
  return {
    command: command as Command,
    editId: needsId ? (editId as string) : null,
    json: values.json,
    keepIds: values['keep-ids'],
    idleDays,
    yes: values.yes,
    server: values.server,
  };
}

async function readStdin(maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    bytes += chunk.byteLength;
    if (bytes > maxBytes) throw new CliError(`the file is over MAX_IMPORT_BYTES (${maxBytes})`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function run(config: Config, call: Invocation): Promise<void> {
  const opened = await openStore(config);
  const ctx: CommandContext = { config, opened, out: process.stdout };
  try {
    const server = findServer(config, call.server);
    switch (call.command) {
      case 'list':
        return await listCommand(ctx, await connectionsOn(config, server), call.json);
      case 'export':
        return await exportCommand(ctx, call.editId as string);
      case 'import':
        return await importCommand(ctx, await readStdin(config.maxImportBytes), call.keepIds);
      case 'delete':
        return await deleteCommand(
          ctx,
          await chooseDeleter(config, opened, server),
          call.editId as string,
        );
      case 'prune': {
        const deleter = call.yes ? await chooseDeleter(config, opened, server) : null;
        return await pruneCommand(ctx, deleter, call.idleDays as number);
      }
    }
  } finally {
    await opened.store.close();
  }
}

async function main(): Promise<void> {
  try {
    const call = parseBoardsArgs(process.argv.slice(2));
    if (call === 'help') return void process.stdout.write(`${USAGE}\n`);
    await run(parseConfig(process.env), call);
  } catch (error) {
    const usage = error instanceof UsageError || error instanceof ConfigError;
    if (!usage && !(error instanceof CliError)) throw error;
    process.stderr.write(`boards: ${error.message}\n${usage ? `${USAGE}\n` : ''}`);
    process.exitCode = usage ? 2 : 1;
  }
}

// Run as a script (npm run boards), not when a test imports parseBoardsArgs.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  await main();
