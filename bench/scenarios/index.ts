/** Every scenario, in report order. */
import { bigBoardScenario } from './big-board.ts';
import { churnScenario } from './churn.ts';
import { coldJoinScenario } from './cold-join.ts';
import { fanOutScenario } from './fan-out.ts';
import { httpSessionScenario } from './http-session.ts';
import { joinStormScenario } from './join-storm.ts';
import { idleScenario } from './idle.ts';
import { manyWritersScenario } from './many-writers.ts';
import { presenceScenario } from './presence.ts';
import { relayScenario } from './relay.ts';
import { sseScenario } from './sse.ts';
import { storageScenario } from './storage.ts';
import type { Scenario } from './types.ts';

export const SCENARIOS: readonly Scenario[] = [
  relayScenario,
  fanOutScenario,
  manyWritersScenario,
  idleScenario,
  coldJoinScenario,
  bigBoardScenario,
  joinStormScenario,
  presenceScenario,
  storageScenario,
  churnScenario,
  sseScenario,
  httpSessionScenario,
];
