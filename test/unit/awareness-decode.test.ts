import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as encoding from 'lib0/encoding';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { CLOSE } from '../../common/protocol/close-codes.ts';
import {
  decodeAwarenessUpdate,
  DEFAULT_AWARENESS_LIMITS,
  encodeAwarenessEntries,
  type AwarenessEntry,
  type AwarenessVerdict,
} from '../../server/room/awareness-decode.ts';
import { fitState } from '../../server/room/presence-trim.ts';
import { MAX_RELAYED_STATE_BYTES } from '../../server/room/room-presence.ts';
import { MAX_NAME_LENGTH } from '../../client/editor/identity.ts';
import { MAX_LASER_NUMBERS, selectionPart } from '../../client/editor/presence.ts';

const MALFORMED = CLOSE.MALFORMED.code;
const OVER_LIMIT = CLOSE.OVER_LIMIT.code;

const PRESENCE = {
  user: { name: 'Ada', color: '#f80' },
  cursor: { x: 1, y: -2.5 },
  selection: ['s1'],
};

function entriesOf(verdict: AwarenessVerdict): AwarenessEntry[] {
  assert.ok(verdict.ok, verdict.ok ? '' : verdict.detail);
  return verdict.ok ? verdict.entries : [];
}

function assertRefused(verdict: AwarenessVerdict, code: number): void {
  assert.equal(verdict.ok, false, 'the awareness update was accepted');
  if (!verdict.ok) assert.equal(verdict.close.code, code, verdict.detail);
}

/** An awareness update with raw JSON strings as states. */
function rawUpdate(states: string[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, states.length);
  states.forEach((json, i) => {
    encoding.writeVarUint(encoder, 100 + i);
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarString(encoder, json);
  });
  return encoding.toUint8Array(encoder);
}

describe('decodeAwarenessUpdate', () => {
  it('round-trips entries through encodeAwarenessEntries', () => {
    const entries: AwarenessEntry[] = [
      { clientId: 1, clock: 3, state: PRESENCE },
      { clientId: 4_294_967_295, clock: 0, state: null },
      {
        clientId: 7,
        clock: 12,
        state: { user: { name: 'Émile 🎨', color: 'red' }, cursor: null, selection: [] },
      },
    ];
    assert.deepEqual(entriesOf(decodeAwarenessUpdate(encodeAwarenessEntries(entries))), entries);
    assert.deepEqual(entriesOf(decodeAwarenessUpdate(encodeAwarenessEntries([]))), []);
  });

  it('reads what y-protocols writes, and y-protocols reads what it encodes', () => {
    const awareness = new Awareness(new Y.Doc());
    awareness.setLocalState(PRESENCE);
    const [entry] = entriesOf(
      decodeAwarenessUpdate(encodeAwarenessUpdate(awareness, [awareness.clientID])),
    );
    assert.deepEqual(entry, { clientId: awareness.clientID, clock: 1, state: PRESENCE });
    const receiver = new Awareness(new Y.Doc());
    applyAwarenessUpdate(
      receiver,
      encodeAwarenessEntries([{ clientId: 99, clock: 2, state: PRESENCE }]),
      'test',
    );
    assert.deepEqual(receiver.getStates().get(99), PRESENCE);
    awareness.destroy();
    receiver.destroy();
  });

  it('refuses garbage, truncated and trailing bytes with 1007', () => {
    assertRefused(decodeAwarenessUpdate(new Uint8Array(0)), MALFORMED);
    assertRefused(decodeAwarenessUpdate(new Uint8Array(10).fill(0xff)), MALFORMED);
    assertRefused(decodeAwarenessUpdate(new TextEncoder().encode('{"user":1}')), MALFORMED);
    const valid = encodeAwarenessEntries([{ clientId: 1, clock: 1, state: PRESENCE }]);
    for (let length = 0; length < valid.length; length++) {
      assertRefused(decodeAwarenessUpdate(valid.subarray(0, length)), MALFORMED);
    }
    assertRefused(decodeAwarenessUpdate(new Uint8Array([...valid, 0])), MALFORMED);
  });

  it('refuses a huge entry count fast with 1007', () => {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 2 ** 32);
    const started = performance.now();
    assertRefused(decodeAwarenessUpdate(encoding.toUint8Array(encoder)), MALFORMED);
    assert.ok(performance.now() - started < 20);
  });

  it('refuses what is not JSON with 1007, and drops JSON that is not an object or null', () => {
    for (const json of ['{"a":', 'undefined', '']) {
      assertRefused(decodeAwarenessUpdate(rawUpdate([json])), MALFORMED);
    }
    const decoded = decodeAwarenessUpdate(
      rawUpdate(['42', '"text"', '[1,2]', 'true', '{}', 'null']),
    );
    assert.ok(decoded.ok);
    if (decoded.ok) assert.equal(decoded.dropped, 4);
    assert.deepEqual(
      entriesOf(decoded).map((e) => e.state),
      [{}, null],
    );
  });

  it('refuses invalid UTF-8 in a state with 1007', () => {
    const encoder = encoding.createEncoder();
    [1, 1, 1, 2].forEach((n) => encoding.writeVarUint(encoder, n)); // one entry, 2-byte state
    encoding.writeUint8(encoder, 0xc3);
    encoding.writeUint8(encoder, 0x28);
    assertRefused(decodeAwarenessUpdate(encoding.toUint8Array(encoder)), MALFORMED);
  });

  it('refuses more entries than the attack bound with 1008, and accepts a whole room’s echo', () => {
    const max = DEFAULT_AWARENESS_LIMITS.maxEntries;
    assert.ok(max >= 10_000);
    const states = Array.from({ length: max + 1 }, () => '{}');
    assertRefused(decodeAwarenessUpdate(rawUpdate(states)), OVER_LIMIT);
    assert.equal(entriesOf(decodeAwarenessUpdate(rawUpdate(states.slice(1)))).length, max);
    assertRefused(
      decodeAwarenessUpdate(rawUpdate(['{}', '{}']), { maxEntries: 1, maxParsedStateBytes: 100 }),
      OVER_LIMIT,
    );
  });

  it('drops a state too big to parse, unread, and skips entries the caller does not want', () => {
    const max = DEFAULT_AWARENESS_LIMITS.maxParsedStateBytes;
    const json = (name: string) => JSON.stringify({ user: { name, color: '' } });
    const state = (bytes: number) => json('x'.repeat(bytes - json('').length));
    const decoded = decodeAwarenessUpdate(
      rawUpdate([state(max), state(max + 1), '{"a":1}']),
      undefined,
      (id) => id !== 102,
    );
    assert.ok(decoded.ok);
    if (!decoded.ok) return;
    assert.deepEqual(
      decoded.entries.map((entry) => entry.clientId),
      [100],
    );
    assert.equal(decoded.dropped, 1);
    assert.equal(decoded.skipped, 1);
  });
});

describe('fitState', () => {
  const user = { name: 'Ada', color: '#f80' };
  const ids = (count: number) =>
    Array.from({ length: count }, (_, i) => `shape-${String(i).padStart(16, '0')}`);

  it('keeps a state that fits as it is', () => {
    const state = { user, cursor: null, selection: ids(3) };
    assert.deepEqual(fitState(state, 4096), { kind: 'as-is', state });
  });

  it('cuts a selection of 10,000 ids to its first ids that fit, and counts them all', () => {
    const selection = ids(10_000);
    const fitted = fitState({ user, cursor: { x: 1, y: 2 }, selection }, 4096);
    assert.equal(fitted.kind, 'trimmed');
    if (fitted.kind !== 'trimmed') return;
    const kept = fitted.state.selection as string[];
    assert.ok(kept.length > 50 && kept.length < 200, `${kept.length} ids kept`);
    assert.deepEqual(kept, selection.slice(0, kept.length));
    assert.equal(fitted.state.selectionCount, 10_000);
    assert.ok(Buffer.byteLength(JSON.stringify(fitted.state)) <= 4096);
    assert.ok(
      Buffer.byteLength(
        JSON.stringify({ ...fitted.state, selection: selection.slice(0, kept.length + 1) }),
      ) > 4096,
    );
  });

  it('keeps the count an editor sent with its own part of a selection', () => {
    const fitted = fitState({ user, selection: ids(500), selectionCount: 12_000 }, 4096);
    assert.ok(fitted.kind === 'trimmed' && fitted.state.selectionCount === 12_000);
  });

  it('drops a state that does not fit without its selection, or has none to cut', () => {
    assert.equal(
      fitState({ user: { name: 'x'.repeat(5_000) }, selection: [] }, 4096).kind,
      'dropped',
    );
    assert.equal(fitState({ notes: 'x'.repeat(5_000) }, 4096).kind, 'dropped');
  });

  it("relays the editor's largest state (name, long selection part, viewport, laser) as it is", () => {
    // The worst the editor sends: a 40-character name, a selection cut to its budget with its
    // count, a viewport and a full laser trail of far-away points (presence.ts).
    const state = {
      user: { name: 'W'.repeat(MAX_NAME_LENGTH), color: '#e03131' },
      cursor: { x: -999_999.9, y: 999_999.9 },
      selection: selectionPart(ids(10_000)),
      selectionCount: 10_000,
      viewport: { x: -999_999.9, y: -999_999.9, width: 12_800.5, height: 8_000.5 },
      laser: Array.from({ length: MAX_LASER_NUMBERS }, (_, i) => -999_999.9 + i),
    };
    assert.equal(fitState(state, MAX_RELAYED_STATE_BYTES).kind, 'as-is');
  });

  it('keeps viewport and laser when it trims a long selection', () => {
    const viewport = { x: 10, y: 20, width: 1280, height: 800 };
    const laser = [1, 2, 3, 4, 5, 6];
    const fitted = fitState({ user, selection: ids(10_000), viewport, laser }, 4096);
    assert.ok(fitted.kind === 'trimmed');
    assert.deepEqual(fitted.state.viewport, viewport);
    assert.deepEqual(fitted.state.laser, laser);
  });
});
