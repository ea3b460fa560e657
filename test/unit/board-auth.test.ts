import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { BoardAuth, forbiddenReason, type AuthTarget } from '../../server/auth/board-auth.ts';
import { secretKey, signToken, verifyToken, type BoardClaims } from '../../server/auth/tokens.ts';
import { mint, nowSeconds, TEST_SECRET } from '../helpers/auth.ts';

const board = { key: 'team-key', editId: 'team', viewId: 'team-view-id' };
const claims = (over: Partial<BoardClaims>): BoardClaims => ({
  board: 'team',
  role: 'edit',
  exp: nowSeconds() + 60,
  ...over,
});

describe('tokens', () => {
  const key = secretKey(TEST_SECRET);

  it('accepts a good token and returns its claims', async () => {
    const exp = nowSeconds() + 60;
    const check = await verifyToken(
      key,
      await signToken(key, { board: 'team', role: 'view', exp }),
      0,
    );
    assert.deepEqual(check, { ok: true, claims: { board: 'team', role: 'view', exp } });
  });

  it('accepts a token just past exp within the leeway, and refuses it past the leeway as expired', async () => {
    const token = await signToken(key, claims({ exp: nowSeconds() - 10 }));
    assert.equal((await verifyToken(key, token, 30)).ok, true);
    assert.deepEqual(await verifyToken(key, token, 5), {
      ok: false,
      problem: 'expired',
      detail: 'token expired',
    });
  });

  it('refuses tokens without exp, with unknown roles or boards, other algorithms or no signature', async () => {
    const noExp = await new SignJWT({ board: 'team', role: 'edit' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(key);
    const badRole = await new SignJWT({ board: 'team', role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(key);
    const badBoard = await new SignJWT({ board: '../x', role: 'edit' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(key);
    const hs512 = await new SignJWT({ board: 'team', role: 'edit' })
      .setProtectedHeader({ alg: 'HS512' })
      .setExpirationTime('1h')
      .sign(key);
    const [header, payload] = (await signToken(key, claims({}))).split('.');
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
    for (const token of [
      noExp,
      badRole,
      badBoard,
      hs512,
      unsigned,
      `${header}.${payload}.`,
      '',
      'a.b.c',
    ]) {
      const check = await verifyToken(key, token, 0);
      assert.equal(check.ok, false, token);
      assert.ok(!check.ok && check.problem === 'invalid');
    }
  });

  it('never echoes the token in its verdict', async () => {
    const token = await mint('team', 'edit', -100);
    const verdict = await new BoardAuth(TEST_SECRET, 0).verify(token);
    assert.ok(!JSON.stringify(verdict).includes(token.split('.')[2] ?? '??'));
  });
});

describe('who may do what', () => {
  const edit: AuthTarget = { kind: 'board', board, role: 'edit' };
  const view: AuthTarget = { kind: 'board', board, role: 'view' };

  it('lets an edit token edit and view, and a view token only view, whichever id it names', () => {
    for (const name of ['team', 'team-view-id', '*']) {
      assert.equal(forbiddenReason(claims({ board: name, role: 'edit' }), edit), null);
      assert.equal(forbiddenReason(claims({ board: name, role: 'edit' }), view), null);
      assert.equal(forbiddenReason(claims({ board: name, role: 'view' }), view), null);
      assert.equal(
        forbiddenReason(claims({ board: name, role: 'view' }), edit),
        'token does not allow editing',
      );
    }
  });

  it('refuses tokens for another board', () => {
    assert.equal(forbiddenReason(claims({ board: 'other' }), view), 'token is for another board');
  });

  it('lets only an edit token for the name or * create a board, and only * reach every board', () => {
    assert.equal(
      forbiddenReason(claims({ board: 'fresh' }), { kind: 'new-board', id: 'fresh' }),
      null,
    );
    assert.equal(forbiddenReason(claims({ board: '*' }), { kind: 'new-board', id: 'fresh' }), null);
    assert.notEqual(
      forbiddenReason(claims({ board: 'fresh', role: 'view' }), { kind: 'new-board', id: 'fresh' }),
      null,
    );
    assert.notEqual(
      forbiddenReason(claims({ board: 'other' }), { kind: 'new-board', id: 'fresh' }),
      null,
    );
    assert.equal(
      forbiddenReason(claims({ board: '*' }), { kind: 'all-boards', role: 'edit' }),
      null,
    );
    assert.notEqual(
      forbiddenReason(claims({ board: '*', role: 'view' }), { kind: 'all-boards', role: 'edit' }),
      null,
    );
    assert.notEqual(
      forbiddenReason(claims({ board: 'team' }), { kind: 'all-boards', role: 'view' }),
      null,
    );
  });

  it('answers 401 without a token and 403 for the wrong board', async () => {
    const auth = new BoardAuth(TEST_SECRET, 0);
    assert.deepEqual(await auth.decide(null, view), {
      ok: false,
      status: 401,
      detail: 'a token is needed',
      reason: 'auth_missing',
    });
    const other = await auth.decide(await mint('other', 'edit'), view);
    assert.equal(!other.ok && other.status, 403);
  });
});
