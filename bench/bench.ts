// Synth time, template size, IAM policy size and package size of ImageBuilderInstanceProfile, against
// the same profile written by hand with L2 and with L1 constructs, with and without a cdk-nag pack applied,
// on the aws-cdk-lib that is installed (bench/run.sh runs it on the floor and on the newest 2.x).
// Run: npx ts-node --project tsconfig.dev.json bench/bench.ts
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import * as vm from 'vm';
import * as cdk from 'aws-cdk-lib';
import { App, Aspects, Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as nag from 'cdk-nag';
import { ImageBuilderInstanceProfile } from '../src';

// aws-cdk-lib 2.262.0 and newer runs its own CloudFormation validation plugin on every synthesis; it costs every variant
// the same, so it is left out, as the issue that set the targets measured
process.env.CDK_VALIDATION = 'false';
const NAG_MAJOR = Number(JSON.parse(fs.readFileSync(require.resolve('cdk-nag/package.json'), 'utf8')).version.split('.')[0]);
const CDK_VERSION: string = JSON.parse(fs.readFileSync(require.resolve('aws-cdk-lib/package.json'), 'utf8')).version;

const SIZES = [1, 10, 100, 200, 1000];
// the sizes measured again with cdk-nag's AwsSolutions pack applied (the pack's own checks dominate, so fewer)
const NAG_SIZES = [100, 200];
const NAG_ROUNDS = 7;
const PROFILES_PER_STACK = 100;
const ARTIFACT_PREFIXES = ['components/a', 'components/b', 'components/c'];
const LOG_PREFIX = 'logs';
// counted rounds per N: small N is cheap and noisy; N=1000 (15-20 s a round on 2 cores) bounds the run time
const ROUNDS: Record<number, number> = { 1: 21, 10: 21, 100: 15, 200: 9, 1000: 3 };
// the warm-up round skips N=1000: its code paths are warm from N=100, and a median of 3 discards one slow round
const WARM_UP_SIZES = [1, 10, 100];
const SIZE_N = 100;
const REQUIRED_MANAGED_POLICIES = ['AmazonSSMManagedInstanceCore', 'EC2InstanceProfileForImageBuilder'];
const TARBALL_LIMIT_BYTES = 100_000;
// set by `cdk init` in new apps' cdk.json; merges statements, so it changes the policy sizes
const MINIMIZE_POLICIES = '@aws-cdk/aws-iam:minimizePolicies';

// A scavenge between measurements, so that one variant's short-lived garbage is not the next one's cost.
// Not a full gc: ts-node's type checker and aws-cdk-lib's process-global token map (which keeps every synthesized
// construct tree alive) make the heap 0.4-1.5 GB, and marking it takes 0.5-1 s each time.
v8.setFlagsFromString('--expose-gc');
const gc: (options: { type: 'minor' | 'major' }) => void = global.gc ?? vm.runInNewContext('gc');

type AddProfile = (stack: Stack, id: string, bucket: s3.IBucket) => void;

interface Variant {
  readonly name: string;
  readonly add: AddProfile;
}

const VARIANTS: Variant[] = [
  {
    name: 'construct',
    add: (stack, id, bucket) => new ImageBuilderInstanceProfile(stack, id, {
      artifactLocations: ARTIFACT_PREFIXES.map(keyPrefix => ({ bucket, keyPrefix })),
      logLocation: { bucket, keyPrefix: LOG_PREFIX },
    }),
  },
  {
    name: 'by hand (L2)',
    add: (stack, id, bucket) => {
      const role = new iam.Role(stack, `${id}Role`, {
        assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
        managedPolicies: REQUIRED_MANAGED_POLICIES.map(name => iam.ManagedPolicy.fromAwsManagedPolicyName(name)),
      });
      new iam.InstanceProfile(stack, `${id}InstanceProfile`, { role });
      ARTIFACT_PREFIXES.forEach(prefix => bucket.grantRead(role, `${prefix}/*`));
      bucket.grantPut(role, `${LOG_PREFIX}/*`);
    },
  },
  {
    name: 'bare L1',
    add: (stack, id, bucket) => {
      const role = new iam.CfnRole(stack, `${id}Role`, {
        assumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        },
        managedPolicyArns: REQUIRED_MANAGED_POLICIES.map(name => `arn:${Aws.PARTITION}:iam::aws:policy/${name}`),
      });
      // the statements the construct writes, in its order
      const statements: object[] = ARTIFACT_PREFIXES.flatMap(prefix => [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: bucket.arnForObjects(`${prefix}/*`) },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: bucket.bucketArn, Condition: { StringLike: { 's3:prefix': `${prefix}/*` } } },
      ]);
      statements.push({ Effect: 'Allow', Action: 's3:PutObject', Resource: bucket.arnForObjects(`${LOG_PREFIX}/*`) });
      const policy = new iam.CfnPolicy(stack, `${id}Policy`, {
        policyName: `${id}Policy`,
        roles: [role.ref],
        policyDocument: { Version: '2012-10-17', Statement: statements },
      });
      const profile = new iam.CfnInstanceProfile(stack, `${id}InstanceProfile`, { roles: [role.ref] });
      // the construct's deployment order: the profile exists only once its permissions do
      profile.node.addDependency(role);
      profile.node.addDependency(policy);
    },
  },
];

type Assembly = ReturnType<App['synth']>;

interface Measured {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly assembly: Assembly;
}

// Buckets: s3.Bucket.fromBucketName, one per stack, shared by all variants, so that templates hold only
// the profiles and no variant pays for an s3.Bucket.
function synth(variant: Variant, n: number, outdir: string, context?: Record<string, unknown>, withNag = false): Measured {
  gc({ type: 'minor' });
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  // with a pack, the violations of the by-hand variants are written to the report, not printed or failed
  const app = new App({ outdir, context: { ...context, ...withNag ? { '@aws-cdk/core:failSynthOnValidationErrors': false } : {} }, analyticsReporting: false });
  if (withNag) {
    applyAwsSolutions(app);
  }
  for (let first = 0; first < n; first += PROFILES_PER_STACK) {
    const stack = new Stack(app, `Bench${first / PROFILES_PER_STACK}`);
    const bucket = s3.Bucket.fromBucketName(stack, 'Bucket', 'bench-imagebuilder-bucket');
    for (let i = first; i < Math.min(n, first + PROFILES_PER_STACK); i++) {
      variant.add(stack, `Profile${i}`, bucket);
    }
  }
  const assembly = app.synth();
  process.exitCode = undefined;
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1e3, assembly };
}

/** cdk-nag's AwsSolutions pack, as each major applies it: an aspect (2) or a validation plugin (3). */
function applyAwsSolutions(app: App): void {
  if (NAG_MAJOR >= 3) {
    (cdk as any).Validations.of(app).addPlugins(new (nag.AwsSolutionsChecks as any)(app));
  } else {
    Aspects.of(app).add(new (nag.AwsSolutionsChecks as any)());
  }
}

// pseudo parameters as a deployed policy holds them, so that characters are counted as IAM counts them
const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::AccountId': '123456789012',
  'AWS::Region': 'us-east-1',
  'AWS::URLSuffix': 'amazonaws.com',
};

function deployed(value: any): any {
  if (Array.isArray(value)) {
    return value.map(deployed);
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  if (typeof value.Ref === 'string' && Object.keys(value).length === 1) {
    return PSEUDO[value.Ref] ?? value.Ref;
  }
  if (Array.isArray(value['Fn::Join']) && Object.keys(value).length === 1) {
    const [delimiter, parts] = value['Fn::Join'];
    return deployed(parts).map((p: unknown) => (typeof p === 'string' ? p : JSON.stringify(p))).join(delimiter);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deployed(v)]));
}

interface Sizes {
  readonly resources: number;
  readonly templateBytes: number;
  readonly metadataBytes: number;
  readonly policyChars: number;
}

// policy characters: the documents attached to roles, not trust policies (IAM counts those against another quota)
function sizes(assembly: Assembly): Sizes {
  let resources = 0;
  let templateBytes = 0;
  let metadataBytes = 0;
  let policyChars = 0;
  for (const stack of assembly.stacks) {
    const template = stack.template;
    templateBytes += Buffer.byteLength(JSON.stringify(template));
    for (const resource of Object.values<any>(template.Resources ?? {})) {
      resources++;
      metadataBytes += resource.Metadata ? Buffer.byteLength(JSON.stringify(resource.Metadata)) : 0;
      const documents = resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy'
        ? [resource.Properties.PolicyDocument]
        : resource.Type === 'AWS::IAM::Role' ? (resource.Properties.Policies ?? []).map((p: any) => p.PolicyDocument) : [];
      documents.forEach((document: unknown) => policyChars += JSON.stringify(deployed(document)).length);
    }
  }
  return { resources, templateBytes, metadataBytes, policyChars };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function table(header: string[], rows: string[][]): string {
  return [header, header.map(() => '---'), ...rows].map(cells => `| ${cells.join(' | ')} |`).join('\n');
}

function fmt(value: number, digits: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function verdict(met: boolean): string {
  return met ? 'met' : 'MISSED';
}

interface Package {
  readonly label: string;
  readonly file?: string;
  readonly bytes?: number;
  readonly mtime?: Date;
}

function packages(root: string): Package[] {
  const find = (dir: string, ext: string) => {
    const full = path.join(root, 'dist', dir);
    const file = fs.existsSync(full) ? fs.readdirSync(full).find(f => f.endsWith(ext)) : undefined;
    if (!file) {
      return {};
    }
    const stat = fs.statSync(path.join(full, file));
    return { file: `dist/${dir}/${file}`, bytes: stat.size, mtime: stat.mtime };
  };
  return [{ label: 'npm tarball', ...find('js', '.tgz') }, { label: 'Python wheel', ...find('python', '.whl') }];
}

// what makes a tarball too big, by top-level folder, so that the .npmignore fix is obvious
function largestFolders(tarball: string): string {
  const bytes = new Map<string, number>();
  const listing = execFileSync('tar', ['tzvf', tarball], { maxBuffer: 1024 ** 3 }).toString();
  for (const [, size, file] of listing.matchAll(/^\S+\s+\S+\s+(\d+)\s+\S+\s+\S+\s+package\/([^/\n]+)/gm)) {
    bytes.set(file, (bytes.get(file) ?? 0) + Number(size));
  }
  return [...bytes].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([file, size]) => `${file} ${fmt(size / 1024, 0)} KiB`).join(', ');
}

function load(): string {
  return os.loadavg().map(l => fmt(l, 2)).join(' ');
}

function main(): void {
  const began = process.hrtime.bigint();
  const loadBefore = load();
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-imagebuilder-bench-'));
  const removeOutdir = () => fs.rmSync(outdir, { recursive: true, force: true });
  // an interrupted run leaves no cloud assemblies behind either
  const onSignal = (code: number) => () => {
    removeOutdir();
    process.exit(code);
  };
  process.once('SIGINT', onSignal(130));
  process.once('SIGTERM', onSignal(143));
  const wall = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  const nagCpu = new Map<string, number[]>();
  const key = (variant: Variant, n: number) => `${variant.name}@${n}`;
  const record = (map: Map<string, number[]>, k: string, value: number) => map.set(k, [...map.get(k) ?? [], value]);
  const sizesOf = new Map<string, Sizes>();
  const minimizedOf = new Map<string, Sizes>();
  try {
    // round -1 is the warm-up (JIT, module caches); its N=100 assemblies give the sizes, which do not vary
    const maxRounds = Math.max(...Object.values(ROUNDS));
    for (let round = -1; round < maxRounds; round++) {
      process.stderr.write(`round ${round < 0 ? 'warm-up' : round + 1}/${maxRounds}\r`);
      for (const n of SIZES.filter(size => (round < 0 ? WARM_UP_SIZES.includes(size) : round < ROUNDS[size]))) {
        for (const variant of VARIANTS) {
          const measured = synth(variant, n, outdir);
          if (round < 0) {
            if (n === SIZE_N) {
              sizesOf.set(variant.name, sizes(measured.assembly));
            }
          } else {
            record(wall, key(variant, n), measured.wallMs);
            record(cpu, key(variant, n), measured.cpuMs);
          }
        }
      }
    }
    VARIANTS.forEach(v => minimizedOf.set(v.name, sizes(synth(v, SIZE_N, outdir, { [MINIMIZE_POLICIES]: true }).assembly)));
    // with the pack: a warm-up round, then rounds in which the variants take turns
    for (let round = -1; round < NAG_ROUNDS; round++) {
      process.stderr.write(`cdk-nag round ${round < 0 ? 'warm-up' : round + 1}/${NAG_ROUNDS}\r`);
      for (const n of NAG_SIZES) {
        for (const variant of VARIANTS.slice(0, 2)) {
          const measured = synth(variant, n, outdir, undefined, true);
          if (round >= 0) {
            record(nagCpu, key(variant, n), measured.cpuMs);
          }
        }
      }
    }
    process.stderr.write('\n');
  } finally {
    removeOutdir();
  }

  const med = (v: Variant, n: number) => median(wall.get(key(v, n))!);
  const medCpu = (v: Variant, n: number) => median(cpu.get(key(v, n))!);
  const [construct, byHand, l1] = VARIANTS;
  const stacks = (n: number) => `${Math.ceil(n / PROFILES_PER_STACK)}`;

  console.log('## Synth time: median wall-clock ms (process.hrtime) of new App + stacks + profiles + app.synth()\n');
  console.log(table(
    ['N profiles', 'stacks', 'rounds', ...VARIANTS.map(v => v.name), 'construct / by hand', 'construct / L1'],
    SIZES.map(n => [`${n}`, stacks(n), `${ROUNDS[n]}`, ...VARIANTS.map(v => fmt(med(v, n), 1)),
      fmt(med(construct, n) / med(byHand, n), 2), fmt(med(construct, n) / med(l1, n), 2)]),
  ));

  console.log('\n## Synth time: median CPU ms (process.cpuUsage, all threads), less sensitive to other load on the machine\n');
  console.log(table(
    ['N profiles', ...VARIANTS.map(v => v.name), 'construct / by hand', 'construct / L1'],
    SIZES.map(n => [`${n}`, ...VARIANTS.map(v => fmt(medCpu(v, n), 1)),
      fmt(medCpu(construct, n) / medCpu(byHand, n), 2), fmt(medCpu(construct, n) / medCpu(l1, n), 2)]),
  ));

  const nagMed = (v: Variant, n: number) => median(nagCpu.get(key(v, n))!);
  console.log(`\n## Synth time with cdk-nag ${NAG_MAJOR}'s AwsSolutions pack applied: median CPU ms (${NAG_ROUNDS} rounds)\n`);
  console.log(table(
    ['N profiles', construct.name, byHand.name, 'construct / by hand'],
    NAG_SIZES.map(n => [`${n}`, fmt(nagMed(construct, n), 1), fmt(nagMed(byHand, n), 1), fmt(nagMed(construct, n) / nagMed(byHand, n), 2)]),
  ));

  console.log('\n## Synth time per profile: median CPU ms / N\n');
  // CPU time: wall-clock time at N=1000 (seconds a round, with full garbage collections) swings with other load
  const growth = (v: Variant) => (medCpu(v, 1000) / 1000) / (medCpu(v, 10) / 10);
  console.log(table(
    ['variant', ...SIZES.map(n => `N=${n}`), 'N=1000 / N=10'],
    VARIANTS.map(v => [v.name, ...SIZES.map(n => fmt(medCpu(v, n) / n, 2)), fmt(growth(v), 2)]),
  ));

  console.log(`\n## Size per profile (N=${SIZE_N}, one stack)\n`);
  const per = (s: Sizes, field: keyof Sizes) => fmt(s[field] / SIZE_N, 0);
  console.log(table(
    ['variant', 'resources', 'template bytes', 'of which Metadata', 'IAM policy characters', `with ${MINIMIZE_POLICIES}`],
    VARIANTS.map(v => [v.name, per(sizesOf.get(v.name)!, 'resources'), per(sizesOf.get(v.name)!, 'templateBytes'),
      per(sizesOf.get(v.name)!, 'metadataBytes'), per(sizesOf.get(v.name)!, 'policyChars'), per(minimizedOf.get(v.name)!, 'policyChars')]),
  ));

  console.log('\n## Package footprint\n');
  const built = packages(path.join(__dirname, '..'));
  console.log(table(['package', 'file', 'bytes', 'KiB', 'built at'], built.map(p => (p.file
    ? [p.label, p.file, fmt(p.bytes!, 0), fmt(p.bytes! / 1024, 1), p.mtime!.toISOString()]
    : [p.label, 'not built: run npx projen build / npx projen package-all first', '', '', '']))));

  if (built[0].bytes !== undefined && built[0].bytes >= TARBALL_LIMIT_BYTES) {
    console.log(`\nLargest top-level entries in the npm tarball: ${largestFolders(path.join(__dirname, '..', built[0].file!))}`);
  }

  console.log('\n## Targets\n');
  const ratio = medCpu(construct, 100) / medCpu(byHand, 100);
  const ratio200 = medCpu(construct, 200) / medCpu(byHand, 200);
  const nagRatio = nagMed(construct, 100) / nagMed(byHand, 100);
  const nagRatio200 = nagMed(construct, 200) / nagMed(byHand, 200);
  const chars = (v: Variant) => sizesOf.get(v.name)!.policyChars / SIZE_N;
  const tarball = built[0].bytes;
  console.log(table(['target', 'value', 'result'], [
    ['CPU time at N=100, construct / by hand <= 1.10', fmt(ratio, 2), verdict(ratio <= 1.1)],
    ['CPU time at N=200, construct / by hand <= 1.10', fmt(ratio200, 2), verdict(ratio200 <= 1.1)],
    [`CPU time at N=100 with cdk-nag ${NAG_MAJOR} AwsSolutions, construct / by hand <= 1.10`, fmt(nagRatio, 2), verdict(nagRatio <= 1.1)],
    [`CPU time at N=200 with cdk-nag ${NAG_MAJOR} AwsSolutions, construct / by hand <= 1.10`, fmt(nagRatio200, 2), verdict(nagRatio200 <= 1.1)],
    ['CPU time per profile flat: N=1000 / N=10 <= 1.20', fmt(growth(construct), 2), verdict(growth(construct) <= 1.2)],
    ['IAM policy characters per profile <= by hand', `${fmt(chars(construct), 0)} vs ${fmt(chars(byHand), 0)}`,
      verdict(chars(construct) <= chars(byHand))],
    ['npm tarball < 100 KB (100,000 bytes)', tarball === undefined ? 'not built' : `${fmt(tarball, 0)} bytes`,
      tarball === undefined ? 'not measured' : verdict(tarball < TARBALL_LIMIT_BYTES)],
  ]));

  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  console.log(`\nNode ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}), aws-cdk-lib ${CDK_VERSION}, `
    + `cdk-nag ${NAG_MAJOR}, CDK_VALIDATION=false; load average ${loadBefore} before, ${load()} after; measured in ${fmt(seconds, 0)} s`);
}

main();
