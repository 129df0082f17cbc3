// The cost of ComponentAccessChecks: N image pipelines (recipes of 5 components drawn from a pool of 20, one
// profile), synthesized with and without the check in one process, taking turns, measured as CPU time.
// Run: npx ts-node --project tsconfig.dev.json bench/access-checks.ts
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import * as vm from 'vm';
import { App, Aspects, Stack } from 'aws-cdk-lib';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ComponentAccessChecks, ImageBuilderInstanceProfile } from '../src';

// aws-cdk-lib 2.262.0 and newer runs its own CloudFormation validation on every synthesis: the same cost with and
// without the check, so it is left out
process.env.CDK_VALIDATION = 'false';
const CDK_VERSION: string = JSON.parse(fs.readFileSync(require.resolve('aws-cdk-lib/package.json'), 'utf8')).version;

const SIZES = [10, 40, 160];
const ROUNDS: Record<number, number> = { 10: 15, 40: 9, 160: 5 };
const POOL = 20;
const COMPONENTS_PER_RECIPE = 5;
const MAX_RATIO_AT_160 = 2;
const MAX_GROWTH = 1.2;

v8.setFlagsFromString('--expose-gc');
const gc: (options: { type: 'minor' | 'major' }) => void = global.gc ?? vm.runInNewContext('gc');

/** A component that downloads one file of its folder and reads one parameter, as most build components do. */
function componentData(i: number): string {
  return [
    'name: component-' + i,
    'schemaVersion: 1.0',
    'phases:',
    '  - name: build',
    '    steps:',
    '      - name: Fetch',
    '        action: S3Download',
    '        inputs:',
    `          - source: s3://bench-artifacts/components/c${i}/install.sh`,
    `            destination: /tmp/c${i}/install.sh`,
    '      - name: Run',
    '        action: ExecuteBash',
    '        inputs:',
    '          commands:',
    `            - bash /tmp/c${i}/install.sh {{ aws:ssm:/bench/c${i}/version }}`,
  ].join('\n');
}

function synth(n: number, withCheck: boolean, outdir: string): number {
  gc({ type: 'minor' });
  const cpu = process.cpuUsage();
  const app = new App({ outdir, analyticsReporting: false });
  const stack = new Stack(app, 'Bench');
  const bucket = s3.Bucket.fromBucketName(stack, 'Artifacts', 'bench-artifacts');
  const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { artifactLocations: [{ bucket, keyPrefix: 'components' }] });
  const components = Array.from({ length: POOL }, (_, i) => new imagebuilder.CfnComponent(stack, `Component${i}`, {
    name: `component-${i}`, platform: 'Linux', version: '1.0.0', data: componentData(i),
  }));
  const infrastructure = new imagebuilder.CfnInfrastructureConfiguration(stack, 'Infrastructure', {
    name: 'bench', instanceProfileName: profile.instanceProfileName,
  });
  for (let p = 0; p < n; p++) {
    // a deterministic draw: pipeline p takes 5 consecutive components of the pool, starting at 7p mod 20
    const drawn = Array.from({ length: COMPONENTS_PER_RECIPE }, (_, j) => components[(7 * p + j) % POOL]);
    const recipe = new imagebuilder.CfnImageRecipe(stack, `Recipe${p}`, {
      name: `recipe-${p}`,
      version: '1.0.0',
      parentImage: 'ami-0123456789abcdef0',
      components: drawn.map(c => ({ componentArn: c.attrArn })),
    });
    new imagebuilder.CfnImagePipeline(stack, `Pipeline${p}`, {
      name: `pipeline-${p}`, imageRecipeArn: recipe.attrArn, infrastructureConfigurationArn: infrastructure.attrArn,
    });
  }
  if (withCheck) {
    Aspects.of(app).add(new ComponentAccessChecks());
  }
  const assembly = app.synth();
  if (withCheck && assembly.getStackByName('Bench').messages.some(m => m.level === 'error')) {
    throw new Error('the benchmark app must pass the check: every path is granted');
  }
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / 1e3;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const fmt = (value: number, digits: number) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const verdict = (met: boolean) => (met ? 'met' : 'NOT met');

function main(): void {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-imagebuilder-check-bench-'));
  const cpu = new Map<string, number[]>();
  const record = (k: string, value: number) => cpu.set(k, [...cpu.get(k) ?? [], value]);
  try {
    const maxRounds = Math.max(...Object.values(ROUNDS));
    // round -1 warms up the JIT and the module caches; then with and without take turns, starting alternately
    for (let round = -1; round < maxRounds; round++) {
      for (const n of SIZES.filter(size => round < ROUNDS[size])) {
        const order = round % 2 === 0 ? [true, false] : [false, true];
        for (const withCheck of order) {
          const ms = synth(n, withCheck, outdir);
          if (round >= 0) {
            record(`${withCheck}@${n}`, ms);
          }
        }
      }
    }
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
  const med = (withCheck: boolean, n: number) => median(cpu.get(`${withCheck}@${n}`)!);
  const perPipeline = (n: number) => (med(true, n) - med(false, n)) / n;

  console.log('## ComponentAccessChecks: median CPU ms of new App + pipelines + app.synth(), with and without the check\n');
  console.log('| N pipelines | rounds | without | with | with / without | check ms per pipeline |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const n of SIZES) {
    console.log(`| ${n} | ${ROUNDS[n]} | ${fmt(med(false, n), 1)} | ${fmt(med(true, n), 1)} | ${fmt(med(true, n) / med(false, n), 2)} | ${fmt(perPipeline(n), 2)} |`);
  }
  const ratio = med(true, 160) / med(false, 160);
  const growth = perPipeline(160) / perPipeline(10);
  console.log('\n| target | value | result |');
  console.log('| --- | --- | --- |');
  console.log(`| with / without at 160 pipelines <= ${MAX_RATIO_AT_160} | ${fmt(ratio, 2)} | ${verdict(ratio <= MAX_RATIO_AT_160)} |`);
  console.log(`| check cost per pipeline flat: 160 / 10 <= ${MAX_GROWTH} | ${fmt(growth, 2)} | ${verdict(growth <= MAX_GROWTH)} |`);
  console.log(`\nNode ${process.version}, ${os.cpus().length} cores, aws-cdk-lib ${CDK_VERSION}, ${POOL} components in the pool, `
    + `${COMPONENTS_PER_RECIPE} a recipe, one profile; load average ${os.loadavg().map(l => fmt(l, 2)).join(' ')}`);
}

main();
