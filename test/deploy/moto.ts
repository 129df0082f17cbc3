import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { IAMClient } from '@aws-sdk/client-iam';

const HOST = '127.0.0.1';
const ROOT = path.resolve(__dirname, '..', '..');
const PYTHON = path.join(ROOT, 'build', 'venv', 'bin', 'python');
// moto_server plus the IAM CloudFormation handlers that moto 5.2.5 lacks (see the file)
const SERVER = path.join(__dirname, 'moto_server.py');
const START_ATTEMPTS = 3;
const STOP_TIMEOUT_MS = 5_000;

/**
 * A running moto server on 127.0.0.1.
 */
export interface Moto {
  readonly endpoint: string;
  /** Stops the server; safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Starts moto's server on a free port of 127.0.0.1 and waits until it answers HTTP.
 */
export async function startMoto(readyTimeoutMs = 30_000): Promise<Moto> {
  if (!fs.existsSync(PYTHON)) {
    throw new Error(`${PYTHON} is missing: run 'bash .ci/python-tools.sh' (or 'npx projen test:deploy', which does)`);
  }
  const deadline = Date.now() + readyTimeoutMs;
  let lastError: unknown;
  // the port can be taken between probing and binding, so retry a few times with a new one
  for (let attempt = 1; attempt <= START_ATTEMPTS && Date.now() < deadline; attempt++) {
    const port = await freePort();
    const endpoint = `http://${HOST}:${port}`;
    const server = launch(port);
    try {
      await waitUntilAnswering(endpoint, server, deadline);
      return { endpoint, stop: server.stop };
    } catch (error) {
      lastError = error;
      await server.stop();
    }
  }
  throw new Error(`moto did not start within ${readyTimeoutMs} ms: ${String(lastError)}`);
}

/**
 * Client settings that reach only the given moto endpoint, with fake credentials and bounded requests.
 */
export function clientConfig(endpoint: string) {
  if (new URL(endpoint).hostname !== HOST) {
    throw new Error(`only ${HOST} may be contacted, got ${endpoint}`);
  }
  return {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 20_000 },
  };
}

export function cloudFormationClient(endpoint: string): CloudFormationClient {
  return new CloudFormationClient(clientConfig(endpoint));
}

export function iamClient(endpoint: string): IAMClient {
  return new IAMClient(clientConfig(endpoint));
}

interface Launched {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly stop: () => Promise<void>;
}

function launch(port: number): Launched {
  const child = spawn(PYTHON, [SERVER, '-H', HOST, '-p', String(port)], {
    cwd: ROOT,
    // AWS managed policy ARNs can only be attached when moto knows the policies
    env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true', PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // keep the tail of the log for error messages; moto logs every request
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  // a server that was not stopped must not keep the test run alive: moto_server.py exits when its
  // parent does (a process 'exit' listener would not do: jest gives tests a copy of process)
  child.unref();
  (child.stdout as unknown as { unref(): void }).unref();
  (child.stderr as unknown as { unref(): void }).unref();

  const exited = new Promise<void>(resolve => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
    }
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        if (!await within(exited, STOP_TIMEOUT_MS)) {
          child.kill('SIGKILL');
          await within(exited, STOP_TIMEOUT_MS);
        }
      }
      child.stdout!.destroy();
      child.stderr!.destroy();
    })();
    return stopping;
  };
  return { child, output: () => log, stop };
}

async function waitUntilAnswering(endpoint: string, server: Launched, deadline: number): Promise<void> {
  let spawnError: Error | undefined;
  server.child.once('error', error => {
    spawnError = error;
  });
  while (Date.now() < deadline) {
    if (spawnError) {
      throw spawnError;
    }
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(`moto exited (${server.child.exitCode ?? server.child.signalCode}): ${server.output()}`);
    }
    try {
      // any HTTP answer means the server is listening
      await fetch(`${endpoint}/`, { signal: AbortSignal.timeout(1_000) });
      return;
    } catch {
      await sleep(200);
    }
  }
  throw new Error(`no HTTP answer from ${endpoint}: ${server.output()}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const port = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(port));
    });
  });
}

async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>(resolve => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** The SDK clients of a running moto server. */
export interface MotoClients {
  readonly cfn: CloudFormationClient;
  readonly iam: IAMClient;
}

/**
 * Starts moto before the tests of the enclosing describe block (or file), hands the clients to `onStart`,
 * and stops the server after them, also when a test fails.
 */
export function useMoto(onStart: (clients: MotoClients) => void): void {
  let moto: Moto | undefined;
  let clients: MotoClients | undefined;
  beforeAll(async () => {
    moto = await startMoto();
    clients = { cfn: cloudFormationClient(moto.endpoint), iam: iamClient(moto.endpoint) };
    onStart(clients);
  });
  afterAll(async () => {
    clients?.cfn.destroy();
    clients?.iam.destroy();
    await moto?.stop();
  });
}
