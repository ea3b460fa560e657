/**
 * The repair rules (common/board/repair.ts), checked as properties over arbitrary stored fields:
 * a repair makes a shape valid (or leaves it incomplete, or says it cannot be made valid),
 * touches only bad known fields, leaves valid shapes alone, and a repaired shape needs no
 * further repair, which is what lets several instances repair one board without looping.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SHAPE_LIMITS } from '../../common/board/limits.ts';
import {
  applyFieldEdits,
  clampFields,
  planShapeRepair,
  truncateText,
  type StoredFields,
} from '../../common/board/repair.ts';
import {
  isValidFieldValue,
  parseShape,
  SHAPE_FIELD_NAMES,
  SHAPE_TYPES,
} from '../../common/board/shape.ts';

const RUNS = Number(process.env.BOARDCAST_PROPERTY_RUNS) || 1_000;
const L = SHAPE_LIMITS;

/** A marker for "absent", distinct from a field present with the value undefined. */
const ABSENT = Symbol('absent');

const parse = (fields: StoredFields) => parseShape('s1', (name) => fields[name]);

/** Anything a client may store in a field, valid or not. */
const anyValue = fc.oneof(
  fc.double(),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, 0, -0, 1e300, -1e300, 5_000, 0.5, 1.5),
  fc.integer({ min: -2_000_000, max: 2_000_000 }),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('#fff', 'red', 'rect', 'line', 'left', 'dashed', '', 'a'.repeat(64)),
  fc
    .integer({ min: L.MAX_TEXT_LENGTH - 2, max: L.MAX_TEXT_LENGTH + 20_000 })
    .map((n) => 'x'.repeat(n)),
  fc.constant(`${'y'.repeat(L.MAX_TEXT_LENGTH - 1)}\u{1F600}tail`),
  fc.boolean(),
  fc.constantFrom(null, undefined),
  fc.array(fc.oneof(fc.double(), fc.string({ maxLength: 2 }), fc.constant(null)), { maxLength: 9 }),
  fc
    .integer({ min: L.MAX_POINT_NUMBERS - 2, max: L.MAX_POINT_NUMBERS + 3 })
    .map((n) => Array.from({ length: n }, (_, i) => i * 1_000)),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
);

/** A valid value for each field (so that generated shapes are often valid or nearly so). */
const validValue = {
  type: fc.constantFrom(...SHAPE_TYPES),
  x: fc.double({ min: -L.MAX_COORDINATE, max: L.MAX_COORDINATE, noNaN: true }),
  y: fc.double({ min: -L.MAX_COORDINATE, max: L.MAX_COORDINATE, noNaN: true }),
  width: fc.double({ min: 0, max: L.MAX_SIZE, noNaN: true }),
  height: fc.double({ min: 0, max: L.MAX_SIZE, noNaN: true }),
  points: fc
    .array(fc.integer({ min: -100, max: 100 }), { minLength: 1, maxLength: 4 })
    .map((a) => [...a, ...a]),
  fontSize: fc.integer({ min: 1, max: 1_000 }),
  opacity: fc.double({ min: 0, max: 1, noNaN: true }),
  assetId: fc.constant('f'.repeat(64)),
} satisfies Record<string, fc.Arbitrary<unknown>>;
const validValueOf = (name: string): fc.Arbitrary<unknown> | undefined =>
  (validValue as Record<string, fc.Arbitrary<unknown>>)[name];

/** One shape's stored fields: each known field absent, valid or anything; plus unknown fields. */
const storedFields: fc.Arbitrary<StoredFields> = fc
  .record(
    Object.fromEntries(
      SHAPE_FIELD_NAMES.map((name) => [
        name,
        fc.oneof(
          { weight: 2, arbitrary: fc.constant(ABSENT) },
          { weight: 3, arbitrary: validValueOf(name) ?? anyValue },
          { weight: 2, arbitrary: anyValue },
        ),
      ]),
    ),
  )
  .chain((known) =>
    fc
      .dictionary(fc.constantFrom('meta', 'author', 'tags'), anyValue, { maxKeys: 2 })
      .map((extra) => {
        const fields: Record<string, unknown> = { ...extra };
        for (const [name, value] of Object.entries(known))
          if (value !== ABSENT) fields[name] = value;
        return fields;
      }),
  );
/** Shapes whose every stored field is valid (optional ones present or not). */
const validFields: fc.Arbitrary<StoredFields> = fc.record(
  {
    ...validValue,
    rotation: fc.double({ min: -L.MAX_ROTATION, max: L.MAX_ROTATION, noNaN: true }),
    stroke: fc.constantFrom('#1e1e1e', 'red', 'rgb(1, 2, 3)'),
    fill: fc.constantFrom('transparent', '#fff'),
    strokeWidth: fc.integer({ min: 0, max: L.MAX_STROKE_WIDTH }),
    text: fc.string({ maxLength: 20 }),
    z: fc.integer(),
    textAlign: fc.constantFrom('left', 'center', 'right'),
    strokeStyle: fc.constantFrom('solid', 'dashed', 'dotted'),
    locked: fc.boolean(),
    startId: fc.constantFrom('', 'shape-1'),
    endId: fc.constantFrom('', 'shape-2'),
    groupId: fc.constantFrom('', 'group_1'),
  },
  { requiredKeys: ['type', 'x', 'y', 'width', 'height', 'points', 'assetId'] },
);

describe('planShapeRepair', () => {
  it('makes a shape valid, or says it is incomplete or cannot be made valid', () => {
    fc.assert(
      fc.property(storedFields, (fields) => {
        const repair = planShapeRepair(fields);
        const after = applyFieldEdits(fields, repair.edits);
        if (repair.outcome === 'valid') assert.ok(parse(after), JSON.stringify(after));
        if (repair.outcome === 'incomplete') assert.equal(parse(after), null);
        if (repair.outcome === 'unrepairable')
          assert.ok(fields.type !== undefined && !SHAPE_TYPES.includes(fields.type as never));
      }),
      { numRuns: RUNS },
    );
  });

  it('needs nothing more once its edits are made (repairs converge and never loop)', () => {
    fc.assert(
      fc.property(storedFields, (fields) => {
        const repair = planShapeRepair(fields);
        if (repair.outcome === 'unrepairable') return;
        const again = planShapeRepair(applyFieldEdits(fields, repair.edits));
        assert.deepEqual(again.edits, []);
        assert.equal(again.outcome, repair.outcome);
      }),
      { numRuns: RUNS },
    );
  });

  it('leaves a valid shape alone', () => {
    fc.assert(
      fc.property(validFields, (fields) => {
        assert.ok(parse(fields), JSON.stringify(fields));
        assert.deepEqual(planShapeRepair(fields), { edits: [], outcome: 'valid' });
      }),
      { numRuns: RUNS },
    );
  });

  it('edits only known fields that are present, and keeps unknown fields', () => {
    fc.assert(
      fc.property(storedFields, (fields) => {
        const { edits } = planShapeRepair(fields);
        for (const edit of edits) {
          assert.ok((SHAPE_FIELD_NAMES as readonly string[]).includes(edit.field));
          assert.ok(Object.hasOwn(fields, edit.field), `${edit.field} was not stored`);
        }
        const after = applyFieldEdits(fields, edits);
        for (const name of ['meta', 'author', 'tags'])
          assert.equal(after[name], fields[name], `unknown field ${name} changed`);
      }),
      { numRuns: RUNS },
    );
  });

  it('clamps a font size of 5,000 to 1,000 and cuts a 20,000-character text to 10,000', () => {
    const base = { type: 'text', x: 0, y: 0, width: 10, height: 10 };
    assert.deepEqual(planShapeRepair({ ...base, fontSize: 5_000 }).edits, [
      { field: 'fontSize', value: L.MAX_FONT_SIZE },
    ]);
    const { edits } = planShapeRepair({ ...base, text: 'x'.repeat(20_000) });
    assert.equal((edits[0]?.value as string).length, L.MAX_TEXT_LENGTH);
  });

  it('sets a NaN coordinate to 0, clamps an infinite one, and deletes a bad optional number', () => {
    const base = { type: 'rect', width: 10, height: 10 };
    assert.deepEqual(planShapeRepair({ ...base, x: Number.NaN, y: -Infinity, rotation: 'a' }), {
      edits: [
        { field: 'x', value: 0 },
        { field: 'y', value: -L.MAX_COORDINATE },
        { field: 'rotation', value: undefined },
      ],
      outcome: 'valid',
    });
  });

  it('waits for the missing fields of a shape written a field at a time, and deletes a bad type', () => {
    assert.equal(planShapeRepair({}).outcome, 'incomplete');
    assert.equal(planShapeRepair({ type: 'rect', x: 1 }).outcome, 'incomplete');
    assert.equal(planShapeRepair({ type: 'line', x: 1, y: 1, points: [1] }).outcome, 'incomplete');
    assert.equal(planShapeRepair({ type: 'hexagon', x: 1, y: 1 }).outcome, 'unrepairable');
  });
});

describe('clampFields (what the editor writes)', () => {
  it('leaves every present known field valid, and valid fields as they were', () => {
    fc.assert(
      fc.property(storedFields, (fields) => {
        const clamped = clampFields(fields);
        for (const name of SHAPE_FIELD_NAMES) {
          if (name === 'type' || !Object.hasOwn(clamped, name) || clamped[name] === undefined)
            continue;
          const box =
            SHAPE_TYPES.includes(fields.type as never) &&
            !['line', 'arrow', 'pen'].includes(fields.type as string);
          if (name === 'points' && box) continue;
          assert.ok(isValidFieldValue(name, clamped[name]), `${name}: ${String(clamped[name])}`);
        }
      }),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(validFields, (fields) => assert.deepEqual(clampFields(fields), { ...fields })),
      { numRuns: RUNS },
    );
  });

  it('clamps a font size scaled to 2,700 to 1,000 and cuts a pasted 20,000-character text', () => {
    assert.deepEqual(clampFields({ fontSize: 2_700, text: 'x'.repeat(20_000) }), {
      fontSize: L.MAX_FONT_SIZE,
      text: 'x'.repeat(L.MAX_TEXT_LENGTH),
    });
  });
});

describe('truncateText', () => {
  it('keeps a prefix of at most the limit and never ends in half a surrogate pair', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 60 }),
        fc.integer({ min: 1, max: 40 }),
        (text, max) => {
          const cut = truncateText(text, max);
          assert.ok(cut.length <= max && text.startsWith(cut));
          if (cut.length < text.length) {
            const last = cut.charCodeAt(cut.length - 1);
            assert.ok(!(last >= 0xd800 && last <= 0xdbff), 'ends in a high surrogate');
            assert.ok(cut.length >= max - 1);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
