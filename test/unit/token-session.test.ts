import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as decoding from 'lib0/decoding';
import {
  appendToken,
  decodeTokenClaims,
  TokenSession,
  type TokenSocket,
} from '../../client/auth/token-session.ts';
import { MESSAGE_TYPE } from '../../common/protocol/message-types.ts';
import { readTokenPayload } from '../../common/protocol/token-message.ts';
import { delay } from '../helpers/clients.ts';
import { mint, nowSeconds } from '../helpers/auth.ts';

function fakeSocket(readyState = 1): TokenSocket & { sent: Uint8Array[] } {
  const sent: Uint8Array[] = [];
  return { readyState, sent, send: (data) => sent.push(data) };
}

function tokenIn(frame: Uint8Array): string {
  const decoder = decoding.createDecoder(frame);
  assert.equal(decoding.readVarUint(decoder), MESSAGE_TYPE.TOKEN_REFRESH);
  return readTokenPayload(decoder);
}

describe('client token session', () => {
  it('adds the token to URLs, relative or absolute, replacing one already there', () => {
    assert.equal(appendToken('/api/boards/x/events', 'a.b.c'), '/api/boards/x/events?token=a.b.c');
    assert.equal(
      appendToken('/api/boards/x/poll?since=v1#h', 'a.b.c'),
      '/api/boards/x/poll?since=v1&token=a.b.c#h',
    );
    assert.equal(
      appendToken('https://h.example/x?token=old', 'new'),
      'https://h.example/x?token=new',
    );
    assert.equal(appendToken('/x', null), '/x');
  });

  it('reads claims without verifying them', async () => {
    const token = await mint('team', 'view', 60);
    assert.deepEqual(
      { ...decodeTokenClaims(token), iat: undefined },
      { board: 'team', role: 'view', exp: nowSeconds() + 60, iat: undefined },
    );
    assert.equal(decodeTokenClaims('garbage'), null);
  });

  it('fetches a fresh token from the token URL, then updates params, sends a type-100 frame and tells listeners', async () => {
    const fresh = await mint('team', 'view', 600);
    const requested: string[] = [];
    const session = new TokenSession({
      token: await mint('team', 'view', 60),
      tokenUrl: 'https://login.example/token',
      fetch: (async (url: string) => {
        requested.push(url);
        return new Response(JSON.stringify({ token: fresh }), {
          headers: { 'content-type': 'application/json' },
        });
      }) as typeof fetch,
    });
    const open = fakeSocket();
    const closed = fakeSocket(3);
    session.attachSocket(() => open);
    session.attachSocket(() => closed);
    const heard: string[] = [];
    session.onToken((token) => heard.push(token));
    assert.equal(await session.refresh(), fresh);
    assert.deepEqual(requested, ['https://login.example/token?board=team&role=view']);
    assert.equal(session.params.token, fresh);
    assert.equal(session.withToken('/api/x'), `/api/x?token=${fresh}`);
    assert.deepEqual(open.sent.map(tokenIn), [fresh]);
    assert.equal(closed.sent.length, 0);
    assert.deepEqual(heard, [fresh]);
  });

  it("refreshes on its own before the token expires, and fetches at once when the page's token already expired", async () => {
    let served = 0;
    const session = new TokenSession({
      token: await mint('team', 'edit', -30),
      tokenUrl: 'https://login.example/token',
      fetch: (async () => {
        served++;
        return new Response(await mint('team', 'edit', 1), {
          headers: { 'content-type': 'text/plain' },
        });
      }) as typeof fetch,
    });
    await session.ready();
    assert.equal(served, 1, 'an expired page token is replaced before use');
    session.start();
    await delay(1_200); // a 1 s token is refreshed a third of its life before it expires
    session.stop();
    assert.ok(served >= 2, `${served} fetches`);
  });

  it('does nothing outside JWT mode', async () => {
    const session = new TokenSession({ token: null, tokenUrl: null });
    session.start();
    assert.deepEqual(session.params, {});
    assert.equal(session.withToken('/api/x'), '/api/x');
    assert.equal(await session.ready(), null);
    session.stop();
  });
});
