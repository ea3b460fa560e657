import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { describe, it } from 'node:test';
import { secretKey, verifyToken } from '../../server/auth/tokens.ts';
import {
  endStreamOnTokenExpiry,
  rememberGrant,
  tokenExpiryFor,
} from '../../server/auth/request-token.ts';
import { nowSeconds, TEST_SECRET } from '../helpers/auth.ts';
import { ROOT } from '../helpers/test-server.ts';

function runTokenCli(args: string[], env: Record<string, string | undefined>) {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'server/auth/token-cli.ts'), ...args],
    {
      cwd: ROOT,
      env: { ...process.env, AUTH_SECRET: undefined, ...env },
      encoding: 'utf8',
    },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run token', () => {
  it('prints a token the server accepts, with the board, role and lifetime asked for', async () => {
    const { code, stdout } = runTokenCli(
      ['--board', 'team-retro', '--role', 'view', '--ttl', '1h'],
      { AUTH_SECRET: TEST_SECRET },
    );
    assert.equal(code, 0);
    const check = await verifyToken(secretKey(TEST_SECRET), stdout.trim(), 0);
    assert.ok(check.ok);
    assert.equal(check.claims.board, 'team-retro');
    assert.equal(check.claims.role, 'view');
    assert.ok(Math.abs(check.claims.exp - (nowSeconds() + 3_600)) <= 2);
  });

  it('takes a board id that starts with "-" after --board', async () => {
    const { code, stdout } = runTokenCli(['--board', '-Xy_9', '--role', 'edit'], {
      AUTH_SECRET: TEST_SECRET,
    });
    assert.equal(code, 0);
    const check = await verifyToken(secretKey(TEST_SECRET), stdout.trim(), 0);
    assert.ok(check.ok);
    assert.equal(check.claims.board, '-Xy_9');
  });

  it('explains what is wrong in one line and exits 2', () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['--board', 'x', '--role', 'view'], {}, /AUTH_SECRET is not set/],
      [
        ['--board', 'x', '--role', 'owner'],
        { AUTH_SECRET: TEST_SECRET },
        /--role "owner" is not edit or view/,
      ],
      [
        ['--board', 'a/b', '--role', 'view'],
        { AUTH_SECRET: TEST_SECRET },
        /--board "a\/b" is not a board id/,
      ],
      [
        ['--board', 'x', '--role', 'view', '--ttl', 'soon'],
        { AUTH_SECRET: TEST_SECRET },
        /--ttl "soon"/,
      ],
    ];
    for (const [args, env, message] of cases) {
      const { code, stdout, stderr } = runTokenCli(args, env);
      assert.equal(code, 2, args.join(' '));
      assert.equal(stdout, '');
      assert.match(stderr.split('\n')[0] ?? '', message);
    }
  });
});

describe('token expiry for streams', () => {
  it('ends an event stream with `event: expired` when its token expires', async () => {
    const server = http.createServer((req, res) => {
      rememberGrant(req, {
        claims: { board: 'b', role: 'view', exp: 0 },
        expiresAtMs: Date.now() + 100,
      });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: snapshot\ndata: {}\n\n');
      endStreamOnTokenExpiry(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const body = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    assert.equal(
      body,
      'event: snapshot\ndata: {}\n\nevent: expired\ndata: {"error":"token expired"}\n\n',
    );
    server.close();
  });

  it('knows no expiry for a request that carried no token', () => {
    assert.equal(tokenExpiryFor({} as http.IncomingMessage), null);
  });
});
