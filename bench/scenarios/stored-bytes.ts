/**
 * What Boardcast keeps on disk: the payload bytes in its SQLite file (every blob in every
 * table, so it does not depend on the schema) and the size of the files themselves.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';

export interface StoredBytes {
  blobBytes: number;
  /** The same bytes by table (tables without blobs are left out). */
  blobBytesByTable: Map<string, number>;
  fileBytes: number;
}

function quoteName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function sumBlobs(file: string, byTable: Map<string, number>): void {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all() as { name: string }[];
    for (const { name } of tables) {
      let total = 0;
      const columns = db.prepare(`PRAGMA table_info(${quoteName(name)})`).all() as {
        name: string;
      }[];
      for (const column of columns) {
        const sql = `SELECT COALESCE(SUM(CASE WHEN typeof(${quoteName(column.name)}) = 'blob' THEN length(${quoteName(column.name)}) ELSE 0 END), 0) AS bytes FROM ${quoteName(name)}`;
        total += (db.prepare(sql).get() as { bytes: number }).bytes;
      }
      if (total > 0) byTable.set(name, (byTable.get(name) ?? 0) + total);
    }
  } finally {
    db.close();
  }
}

export async function measureStored(dataDir: string): Promise<StoredBytes> {
  const names = await readdir(dataDir);
  let fileBytes = 0;
  const blobBytesByTable = new Map<string, number>();
  for (const name of names) {
    const file = path.join(dataDir, name);
    fileBytes += (await stat(file)).size;
    if (/\.(sqlite|db)$/.test(name)) sumBlobs(file, blobBytesByTable);
  }
  const blobBytes = [...blobBytesByTable.values()].reduce((sum, bytes) => sum + bytes, 0);
  return { blobBytes, blobBytesByTable, fileBytes };
}
