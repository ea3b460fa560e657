/** The recent boards list (client/editor/recent-boards.ts): newest first, bounded, robust. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_RECENT_BOARDS, RecentBoards } from '../../client/editor/recent-boards.ts';
import { timeAgo } from '../../client/editor/ui/menu-sections.ts';

function memoryStorage(): Pick<Storage, 'getItem' | 'setItem'> & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
  };
}

describe('recent boards', () => {
  it('lists visits newest first, once each', () => {
    const recent = new RecentBoards(memoryStorage());
    recent.visit('a', 1);
    recent.visit('b', 2);
    recent.visit('a', 3);
    assert.deepEqual(recent.list(), [
      { id: 'a', visitedAt: 3 },
      { id: 'b', visitedAt: 2 },
    ]);
  });

  it(`keeps at most ${MAX_RECENT_BOARDS}`, () => {
    const recent = new RecentBoards(memoryStorage());
    for (let i = 0; i < MAX_RECENT_BOARDS + 5; i++) recent.visit(`board-${i}`, i);
    const list = recent.list();
    assert.equal(list.length, MAX_RECENT_BOARDS);
    assert.equal(list[0]?.id, `board-${MAX_RECENT_BOARDS + 4}`);
  });

  it('follows a reset edit link and forgets a deleted board', () => {
    const recent = new RecentBoards(memoryStorage());
    recent.visit('old', 1);
    recent.visit('other', 2);
    recent.rename('old', 'new');
    assert.deepEqual(
      recent.list().map((board) => board.id),
      ['other', 'new'],
    );
    recent.forget('other');
    assert.deepEqual(
      recent.list().map((board) => board.id),
      ['new'],
    );
  });

  it('survives garbage in storage and a storage that refuses writes', () => {
    const storage = memoryStorage();
    storage.data.set('boardcast.recentBoards', '{not json');
    assert.deepEqual(new RecentBoards(storage).list(), []);
    storage.data.set(
      'boardcast.recentBoards',
      JSON.stringify([{ id: 'ok', visitedAt: 1 }, { id: 'bad id!', visitedAt: 2 }, 7]),
    );
    assert.deepEqual(new RecentBoards(storage).list(), [{ id: 'ok', visitedAt: 1 }]);
    const full = new RecentBoards({
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    });
    assert.doesNotThrow(() => full.visit('a'));
  });
});

describe('when a recent board was opened', () => {
  const minute = 60_000;
  it('says it in words, rounded to the unit that fits', () => {
    const now = Date.UTC(2026, 10, 30, 12);
    assert.equal(timeAgo(now - 10_000, now, 'en'), 'just now');
    assert.equal(timeAgo(now - 5 * minute, now, 'en'), '5 minutes ago');
    assert.equal(timeAgo(now - 3 * 60 * minute, now, 'en'), '3 hours ago');
    assert.equal(timeAgo(now - 26 * 60 * minute, now, 'en'), 'yesterday');
    assert.equal(timeAgo(now - 15 * 24 * 60 * minute, now, 'en'), '2 weeks ago');
  });
});
