import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as fc from 'fast-check';
import { stringify } from 'yaml';
import { BucketLocation, ImageBuilderInstanceProfile } from '../src';
import { ACCOUNT, EffectivePermissions, ParameterValues } from './helpers/effective-permissions';
import { checkAsyncProperty, checkProperty } from './private/property-helpers';

// property runs take tens of seconds on a busy 2-core machine; jest's default of 5 s would cut them off
jest.setTimeout(180_000);

// Properties of the whole construct, decided by a real IAM policy evaluation engine (iam-simulate) over the
// synthesized template and the AWS managed policies (test/fixtures), with the request context a real call carries:
// aws:PrincipalAccount, s3:ResourceAccount (the bucket owner) and, for s3:ListBucket, s3:prefix.
//
// Each run draws buckets, folders and component documents, and compares iam-simulate's decision on many requests
// with a model written here from the documented behaviour: a folder grants every key under '<prefix>/' and the
// listing of what starts with '<prefix>/'; an object grants its key; '*', '?', '$' and '{{ }}' in a prefix are
// characters; a {{ parameter }} of a component key stands for any text; expectedBucketOwner limits the grant to
// that s3:ResourceAccount. The model includes what the AWS managed policies allow by themselves (s3:GetObject in
// buckets named ec2imagebuilder*, and on keys ending in .iso/.ISO/.Iso of the account's buckets).

const OTHER_ACCOUNT = '444455556666';
const PARAMETER_VALUES = ['v1', 'linux/x86_64*'];

// ---------------------------------------------------------------------------------------------------------------
// generators

// bucket names, some of them look-alikes of others ('art' / 'artifacts' / 'artifacts-2'); none starts with ec2imagebuilder
const BUCKET_NAMES = ['artifacts', 'artifacts-2', 'art', 'logs', 'team.logs', 'b00', 'my-bucket-1'];
const bucketName = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...BUCKET_NAMES) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9][a-z0-9.-]{1,12}[a-z0-9]$/).filter(validBucketName) },
);

/** Whether S3 takes the name (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). */
function validBucketName(name: string): boolean {
  return !/\.\.|\.-|-\./.test(name) && !/^\d+\.\d+\.\d+\.\d+$/.test(name) && !/^(xn--|sthree-|amzn-s3-demo-)/.test(name)
    && !/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name);
}

interface BucketSpec {
  readonly name: string;
  /** `new s3.Bucket` with that bucketName, or `s3.Bucket.fromBucketName` */
  readonly inApp: boolean;
}

const buckets = fc.uniqueArray(fc.record({ name: bucketName, inApp: fc.boolean() }), { minLength: 1, maxLength: 3, selector: b => b.name });

// characters and runs of a key: IAM's wildcards and variables, AWSTOE's {{ }}, unicode, punctuation; never '/', '\n' or ''
const LITERAL_FRAGMENTS = ['a', 'b', 'z', 'Q', '0', '7', '-', '_', '.', ' ', '*', '?', '$', '{{ v }}', '${aws:username}', '${*}',
  'é', '中', '😀', '+', '=', '@', '!', '(', ')', "'", '&', ':', ',', '#', '%'];
const literalSegment = fc.array(fc.constantFrom(...LITERAL_FRAGMENTS), { minLength: 1, maxLength: 4 }).map(f => f.join(''));
/** A folder prefix as a user writes it: 1-5 folder names, maybe a trailing slash; never a leading '/' or a '//'. */
const literalPrefix = fc.tuple(fc.array(literalSegment, { minLength: 1, maxLength: 5 }), fc.boolean())
  .map(([segments, slash]) => `${segments.join('/')}${slash ? '/' : ''}`);
// a parameter's value is used as given at deployment: no '*', '?' or '$' (see BucketLocation.keyPrefix)
const tokenSegment = fc.array(fc.constantFrom('a', 'b', '0', '-', '_', '.', 'é'), { minLength: 1, maxLength: 5 }).map(f => f.join(''));
const tokenPrefix = fc.tuple(fc.array(tokenSegment, { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([segments, slash]) => `${segments.join('/')}${slash ? '/' : ''}`);

interface LocationSpec {
  readonly bucket: number;
  /** the prefix as given (undefined: the whole bucket); for a token, the value the parameter takes at deployment */
  readonly prefix?: string;
  readonly token: boolean;
  /** artifactLocations, addArtifactLocation, or logLocation */
  readonly via: 'props' | 'add' | 'log';
}

const location = fc.oneof(
  { weight: 6, arbitrary: fc.record({ bucket: fc.nat(2), prefix: literalPrefix, token: fc.constant(false), via: fc.constantFrom<'props' | 'add'>('props', 'add') }) },
  { weight: 2, arbitrary: fc.record({ bucket: fc.nat(2), prefix: tokenPrefix, token: fc.constant(true), via: fc.constantFrom<'props' | 'add'>('props', 'add') }) },
  { weight: 1, arbitrary: fc.record({ bucket: fc.nat(2), token: fc.constant(false), via: fc.constantFrom<'props' | 'add'>('props', 'add') }) },
);
const logLocation = fc.oneof(
  { weight: 4, arbitrary: fc.record({ bucket: fc.nat(2), prefix: literalPrefix, token: fc.constant(false), via: fc.constant<'log'>('log') }) },
  { weight: 1, arbitrary: fc.record({ bucket: fc.nat(2), prefix: tokenPrefix, token: fc.constant(true), via: fc.constant<'log'>('log') }) },
);

/** Part of a key in a component document: literal text, or a {{ parameter }}. */
type Part = string | { readonly parameter: string };

// in documents, '{' and '}' come only in {{ parameters }} and ${aws:username}, so that every '{{' opens a parameter
const DOCUMENT_FRAGMENTS = LITERAL_FRAGMENTS.filter(f => f !== '{{ v }}' && f !== '${*}');
const documentLiteral = fc.array(fc.constantFrom(...DOCUMENT_FRAGMENTS), { minLength: 1, maxLength: 3 }).map(f => f.join(''));
const documentSegment: fc.Arbitrary<Part[]> = fc.array(
  fc.oneof({ weight: 4, arbitrary: documentLiteral }, { weight: 1, arbitrary: fc.constantFrom('version', 'platform').map(p => ({ parameter: p })) }),
  { minLength: 1, maxLength: 3 });
const fileName = fc.tuple(fc.constantFrom('install', 'tool', 'a', 'report'), fc.constantFrom('.sh', '.zip', '.ps1', '', '.tar.gz'))
  .map(([n, e]) => n + e);

interface InputSpec {
  readonly kind: 'download-object' | 'download-folder' | 'upload-object' | 'upload-folder';
  readonly bucket: string;
  /** the object's key or the folder's prefix (no trailing slash; [] is the whole bucket) */
  readonly key: readonly Part[];
  readonly owner?: string;
  /** how an upload names a folder: a destination ending in '/', with a plain file, a '*' source, or recurse */
  readonly uploadStyle: 'slash' | 'glob' | 'recurse';
}

function joinSegments(segments: Part[][]): Part[] {
  const parts: Part[] = [];
  segments.forEach((segment, i) => parts.push(...(i > 0 ? ['/'] : []), ...segment));
  return parts;
}

function input(bucketNames: readonly string[], action: 'download' | 'upload'): fc.Arbitrary<InputSpec> {
  const folder = fc.array(documentSegment, { minLength: 1, maxLength: 4 }).map(joinSegments);
  const kinds: InputSpec['kind'][] = action === 'download' ? ['download-object', 'download-folder'] : ['upload-object', 'upload-folder'];
  return fc.record({
    kind: fc.constantFrom(...kinds),
    bucket: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...bucketNames) }, { weight: 1, arbitrary: fc.constantFrom('component-bucket', 'artifacts') }),
    folder: fc.oneof({ weight: 12, arbitrary: folder }, { weight: 1, arbitrary: fc.constant<Part[]>([]) }),
    file: fileName,
    owner: fc.constantFrom(undefined, undefined, ACCOUNT, OTHER_ACCOUNT),
    uploadStyle: fc.constantFrom<InputSpec['uploadStyle']>('slash', 'glob', 'recurse'),
  }).map(({ kind, bucket, folder: prefix, file, owner, uploadStyle }) => ({
    kind,
    bucket,
    // an object is a file in the folder; only a download may name the whole bucket
    key: kind.endsWith('object') ? [...prefix, ...prefix.length > 0 ? ['/'] : [], file]
      : kind === 'upload-folder' && prefix.length === 0 ? ['uploads'] : prefix,
    owner,
    uploadStyle,
  }));
}

interface DocumentSpec {
  /** each step holds inputs of one action */
  readonly steps: readonly (readonly InputSpec[])[];
  readonly via: 'data' | 'component';
}

function documentSpec(bucketNames: readonly string[]): fc.Arbitrary<DocumentSpec> {
  const step = fc.constantFrom<'download' | 'upload'>('download', 'upload')
    .chain(action => fc.array(input(bucketNames, action), { minLength: 1, maxLength: 2 }));
  return fc.record({ steps: fc.array(step, { minLength: 1, maxLength: 3 }), via: fc.constantFrom<'data' | 'component'>('data', 'component') });
}

function keyText(parts: readonly Part[]): string {
  return parts.map(p => typeof p === 'string' ? p : `{{ ${p.parameter} }}`).join('');
}

/** The AWSTOE document (YAML) of a spec. */
function documentOf(spec: DocumentSpec): string {
  const uri = (i: InputSpec) => `s3://${i.bucket}/${keyText(i.key)}`;
  return stringify({
    name: 'generated',
    schemaVersion: '1.0',
    parameters: [{ version: { type: 'string' } }, { platform: { type: 'string' } }],
    phases: [{
      name: 'build',
      steps: spec.steps.map((inputs, s) => ({
        name: `Step${s + 1}`,
        action: inputs[0].kind.startsWith('download') ? 'S3Download' : 'S3Upload',
        inputs: inputs.map(i => {
          const owner = i.owner === undefined ? {} : { expectedBucketOwner: i.owner };
          switch (i.kind) {
            case 'download-object': return { source: uri(i), destination: '/tmp/file', ...owner };
            case 'download-folder': return { source: `${uri(i)}${i.key.length > 0 ? '/' : ''}*`, destination: '/tmp/folder/', ...owner };
            case 'upload-object': return { source: '/var/log/build.log', destination: uri(i), ...owner };
            case 'upload-folder': return {
              source: i.uploadStyle === 'glob' ? '/var/log/*.log' : i.uploadStyle === 'recurse' ? '/var/log' : '/var/log/build.log',
              destination: `${uri(i)}/`,
              ...i.uploadStyle === 'recurse' ? { recurse: 'true' } : {},
              ...owner,
            };
          }
        }),
      })),
    }],
  });
}

// ---------------------------------------------------------------------------------------------------------------
// the model of what must be allowed

interface Grant {
  readonly action: 's3:GetObject' | 's3:PutObject' | 's3:ListBucket';
  readonly bucket: string;
  /** matches the key (objects) or s3:prefix (listings); undefined: anything, and a listing without s3:prefix */
  readonly pattern?: RegExp;
  readonly owner?: string;
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/** A regex source for key parts: literal text, and any text for a parameter. */
function partsRegex(parts: readonly Part[]): string {
  return parts.map(p => typeof p === 'string' ? escapeRegex(p) : '.*').join('');
}

function folderGrants(access: 'read' | 'write', bucket: string, prefix: readonly Part[], owner?: string): Grant[] {
  const pattern = prefix.length === 0 ? undefined : new RegExp(`^${partsRegex(prefix)}/.*$`, 's');
  if (access === 'write') {
    return [{ action: 's3:PutObject', bucket, pattern: pattern ?? /^.*$/s, owner }];
  }
  return [{ action: 's3:GetObject', bucket, pattern: pattern ?? /^.*$/s, owner }, { action: 's3:ListBucket', bucket, pattern, owner }];
}

interface Probe {
  readonly action: string;
  readonly bucket: string;
  /** the object key, or for s3:ListBucket the s3:prefix (undefined: the request carries none) */
  readonly key?: string;
  readonly account: string;
  /** what needs it, for needs; else why it was probed */
  readonly why: string;
  readonly need: boolean;
}

function modelAllows(probe: Probe, grants: readonly Grant[]): boolean {
  if (probe.action === 's3:GetObject') {
    // EC2InstanceProfileForImageBuilder: AWS's ec2imagebuilder* buckets, and ISO images in the account's buckets
    if (probe.bucket.startsWith('ec2imagebuilder') || (/\.(iso|ISO|Iso)$/.test(probe.key!) && probe.account === ACCOUNT)) {
      return true;
    }
  }
  return grants.some(g => g.action === probe.action && g.bucket === probe.bucket && (g.owner === undefined || g.owner === probe.account)
    && (g.pattern === undefined || (probe.key !== undefined && g.pattern.test(probe.key))));
}

/** The parent folder of a key or prefix, with its slash ('' at the root). */
function parentOf(key: string): string {
  const slash = key.lastIndexOf('/', key.length - 2);
  return slash < 0 ? '' : key.slice(0, slash + 1);
}

/** Keys that differ from `text` where a grant could confuse them: a '*', '?' or '$' replaced, an IAM variable or {{ }} filled in, or the case. */
function literalLookalikes(text: string): string[] {
  const out: string[] = [];
  for (const special of ['*', '?', '$']) {
    const at = text.indexOf(special);
    if (at >= 0) {
      out.push(`${text.slice(0, at)}X${text.slice(at + 1)}`);
    }
  }
  if (text.includes('{{ v }}')) {
    out.push(text.replace('{{ v }}', 'v1'));
  }
  if (text.includes('${aws:username}')) {
    out.push(text.replace('${aws:username}', 'TeamRole'));
  }
  if (text.includes('${*}')) {
    out.push(text.replace('${*}', '*'));
  }
  if (text.toUpperCase() !== text) {
    out.push(text.toUpperCase());
  }
  return out;
}

/** What a folder needs, and requests near it that it does not: siblings, look-alikes, the parent, other actions. */
function folderProbes(access: 'read' | 'write', bucket: string, prefix: string, account: string, why: string, otherBuckets: readonly string[]): Probe[] {
  const get = access === 'read' ? 's3:GetObject' : 's3:PutObject';
  const wrong = access === 'read' ? 's3:PutObject' : 's3:GetObject';
  const folder = prefix === '' ? '' : `${prefix}/`;
  const need = (action: string, key: string | undefined, what: string): Probe => ({ action, bucket, key, account, why: `${why}: ${what}`, need: true });
  const near = (action: string, key: string | undefined, what: string, b = bucket, a = account): Probe =>
    ({ action, bucket: b, key, account: a, why: `${why}: ${what}`, need: false });
  const probes: Probe[] = [
    need(get, `${folder}install.sh`, 'an object in the folder'),
    need(get, `${folder}linux/x86/deep/é 中/tool.zip`, 'an object deep under the folder'),
    near(wrong, `${folder}install.sh`, 'the other action'),
    near('s3:DeleteObject', `${folder}install.sh`, 'deleting'),
    ...otherBuckets.map(other => near(get, `${folder}install.sh`, `the same key in the bucket '${other}'`, other)),
  ];
  if (access === 'read') {
    probes.push(need('s3:ListBucket', folder, 'listing the folder'));
    probes.push(need('s3:ListBucket', `${folder}linux/`, 'listing a subfolder'));
  } else {
    probes.push(near('s3:ListBucket', folder, 'listing a write-only folder'));
  }
  if (prefix !== '') {
    const parent = parentOf(folder);
    probes.push(
      near(get, `${prefix}-private/install.sh`, 'a sibling folder that starts like it'),
      near(get, `${prefix}x/install.sh`, 'a look-alike folder'),
      near(get, prefix, 'the object named like the folder'),
      near(get, `${parent}other/install.sh`, 'a sibling folder'),
      near(get, `${parent}install.sh`, 'the parent folder'),
      near('s3:ListBucket', undefined, 'listing the bucket without s3:prefix'),
      near('s3:ListBucket', '', 'listing the bucket root'),
      near('s3:ListBucket', parent, 'listing the parent folder'),
      near('s3:ListBucket', prefix, 'listing without the trailing slash'),
      near('s3:ListBucket', `${prefix}-private/`, 'listing a sibling folder that starts like it'),
      ...literalLookalikes(prefix).flatMap(p => [
        near(get, `${p}/install.sh`, `the look-alike folder '${p}'`),
        near('s3:ListBucket', `${p}/`, `listing the look-alike folder '${p}'`),
      ]),
    );
  }
  probes.push(near(get, `${folder}install.sh`, 'a bucket of another owner', bucket, account === ACCOUNT ? OTHER_ACCOUNT : ACCOUNT));
  return probes;
}

/** What an object needs, and requests near it that it does not. */
function objectProbes(access: 'read' | 'write', bucket: string, key: string, account: string, why: string, otherBuckets: readonly string[]): Probe[] {
  const action = access === 'read' ? 's3:GetObject' : 's3:PutObject';
  const wrong = access === 'read' ? 's3:PutObject' : 's3:GetObject';
  const near = (a: string, k: string | undefined, what: string, b = bucket, acc = account): Probe =>
    ({ action: a, bucket: b, key: k, account: acc, why: `${why}: ${what}`, need: false });
  return [
    { action, bucket, key, account, why: `${why}: the object`, need: true },
    near(action, `${key}.bak`, 'a key that starts like it'),
    near(action, `${key}/x`, 'a key under it'),
    near(action, key.slice(0, -1), 'a key one character shorter'),
    near(action, `${parentOf(key)}other.zip`, 'another object of its folder'),
    near(wrong, key, 'the other action'),
    near('s3:ListBucket', parentOf(key), 'listing its folder'),
    ...otherBuckets.map(other => near(action, key, `the same key in the bucket '${other}'`, other)),
    near(action, key, 'a bucket of another owner', bucket, account === ACCOUNT ? OTHER_ACCOUNT : ACCOUNT),
    ...literalLookalikes(key).map(k => near(action, k, `the look-alike key '${k}'`)),
  ];
}

function hasParameter(parts: readonly Part[]): boolean {
  return parts.some(p => typeof p !== 'string');
}

/** The key with every parameter given `value`. */
function concrete(parts: readonly Part[], value: string): string {
  return parts.map(p => typeof p === 'string' ? p : value).join('');
}

// ---------------------------------------------------------------------------------------------------------------
// running a scenario

interface Scenario {
  readonly buckets: readonly BucketSpec[];
  readonly locations: readonly LocationSpec[];
  readonly documents: readonly DocumentSpec[];
}

interface Built {
  readonly permissions: EffectivePermissions;
  readonly grants: Grant[];
  readonly probes: Probe[];
}

function build(scenario: Scenario): Built {
  const stack = new Stack(new App(), 'Stack');
  const bucketObjects = scenario.buckets.map((b, i) => b.inApp
    ? new s3.Bucket(stack, `Bucket${i}`, { bucketName: b.name })
    : s3.Bucket.fromBucketName(stack, `Bucket${i}`, b.name));
  const parameters: ParameterValues = {};
  const grants: Grant[] = [];
  const probes: Probe[] = [];
  const names = scenario.buckets.map(b => b.name);
  // a bucket of the same name with a suffix, and the scenario's other buckets (some are look-alikes: 'art', 'artifacts')
  const otherBucket = (name: string) => [`${name}-other`, ...names.filter(n => n !== name)];

  const given = scenario.locations.map((l, i) => {
    const bucket = bucketObjects[l.bucket % bucketObjects.length];
    const name = names[l.bucket % names.length];
    let keyPrefix = l.prefix;
    if (l.token && l.prefix !== undefined) {
      const parameter = new CfnParameter(stack, `Prefix${i}`);
      parameters[stack.getLogicalId(parameter)] = l.prefix;
      keyPrefix = parameter.valueAsString;
    }
    const access = l.via === 'log' ? 'write' : 'read';
    // the folder: the prefix as deployed, without its one trailing slash
    const folder = (l.prefix ?? '').replace(/\/$/, '');
    grants.push(...folderGrants(access, name, folder === '' ? [] : [folder]));
    probes.push(...folderProbes(access, name, folder, ACCOUNT, `${l.via} location ${i} '${l.prefix}'${l.token ? ' (a parameter)' : ''} in '${name}'`,
      otherBucket(name)));
    return { via: l.via, location: { bucket, keyPrefix } as BucketLocation };
  });

  const profile = new ImageBuilderInstanceProfile(stack, 'Profile', {
    artifactLocations: given.filter(g => g.via === 'props').map(g => g.location),
    logLocation: given.find(g => g.via === 'log')?.location,
  });
  for (const g of given.filter(x => x.via === 'add')) {
    profile.addArtifactLocation(g.location);
  }

  scenario.documents.forEach((document, d) => {
    const data = documentOf(document);
    if (document.via === 'data') {
      profile.addComponentData(data);
    } else {
      profile.addComponent(new imagebuilder.CfnComponent(stack, `Component${d}`, { name: `component-${d}`, platform: 'Linux', version: '1.0.0', data }));
    }
    document.steps.flat().forEach((i, n) => {
      const access = i.kind.startsWith('download') ? 'read' : 'write';
      const account = i.owner ?? ACCOUNT;
      const why = `document ${d} input ${n} ${i.kind} 's3://${i.bucket}/${keyText(i.key)}'${i.owner ? ` owned by ${i.owner}` : ''}`;
      if (i.kind.endsWith('folder')) {
        grants.push(...folderGrants(access, i.bucket, i.key, i.owner));
        PARAMETER_VALUES.forEach((value, v) => probes.push(...folderProbes(access, i.bucket, concrete(i.key, value), account,
          `${why} with parameters '${value}'`, otherBucket(i.bucket)).filter(p => v === 0 || (p.need && hasParameter(i.key)))));
      } else {
        grants.push({ action: access === 'read' ? 's3:GetObject' : 's3:PutObject', bucket: i.bucket, pattern: new RegExp(`^${partsRegex(i.key)}$`, 's'), owner: i.owner });
        PARAMETER_VALUES.forEach((value, v) => probes.push(...objectProbes(access, i.bucket, concrete(i.key, value), account,
          `${why} with parameters '${value}'`, otherBucket(i.bucket)).filter(p => v === 0 || (p.need && hasParameter(i.key)))));
      }
    });
  });

  const template = Template.fromStack(stack).toJSON() as any;
  const permissions = EffectivePermissions.ofRole(template, stack.getLogicalId(profile.role.node.defaultChild as iam.CfnRole), parameters);
  return { permissions, grants, probes };
}

function resourceOf(probe: Probe): string {
  return probe.action === 's3:ListBucket' ? `arn:aws:s3:::${probe.bucket}` : `arn:aws:s3:::${probe.bucket}/${probe.key}`;
}

function contextOf(probe: Probe): Record<string, string> {
  const context: Record<string, string> = { 'aws:PrincipalAccount': ACCOUNT, 's3:ResourceAccount': probe.account };
  if (probe.action === 's3:ListBucket' && probe.key !== undefined) {
    context['s3:prefix'] = probe.key;
  }
  return context;
}

const totals = { runs: 0, probes: 0, needs: 0, denied: 0 };

/** Decides every probe of the scenario with iam-simulate, and throws on the first ones that differ from the model. */
async function check(scenario: Scenario): Promise<void> {
  // given / when: the profile of the scenario, synthesized once
  const { permissions, grants, probes } = build(scenario);

  // then
  // the fast, unvalidated decisions agree with a validated run of iam-simulate (which also validates the policies)
  const plain = probes.find(p => !resourceOf(p).includes('*') && !Object.values(contextOf(p)).some(v => v.includes('*')));
  if (plain) {
    expect(permissions.decideLiterally(plain.action, resourceOf(plain), contextOf(plain)))
      .toEqual(await permissions.decide(plain.action, resourceOf(plain), contextOf(plain)));
  } else {
    await permissions.validate();
  }
  const wrong: string[] = [];
  for (const probe of probes) {
    const expected = modelAllows(probe, grants);
    if (probe.need && !expected) {
      throw new Error(`the model does not allow what ${probe.why} needs: the test is wrong`);
    }
    const decision = permissions.decideLiterally(probe.action, resourceOf(probe), contextOf(probe));
    if ((decision === 'Allowed') !== expected) {
      wrong.push(`${expected ? 'needed but' : 'outside but'} ${decision}: ${probe.action} ${resourceOf(probe)} `
        + `${JSON.stringify(contextOf(probe))} (${probe.why})`);
    }
    totals.probes++;
    totals.needs += probe.need ? 1 : 0;
    totals.denied += expected ? 0 : 1;
  }
  totals.runs++;
  if (wrong.length > 0) {
    const own = permissions.identityPolicies.filter(p => !p.name.startsWith('arn:'));
    throw new Error(`${wrong.length} of ${probes.length} requests are decided against the model:\n${wrong.slice(0, 8).join('\n')}\n`
      + `policies: ${JSON.stringify(own.map(p => p.policy.Statement))}`);
  }
}

const scenarioWithLocations: fc.Arbitrary<Scenario> = fc.record({
  buckets,
  locations: fc.tuple(fc.array(location, { minLength: 1, maxLength: 4 }), fc.option(logLocation, { freq: 2 }))
    .map(([artifacts, log]) => log ? [...artifacts, log] : artifacts),
  documents: fc.constant([]),
});

const scenarioWithDocuments: fc.Arbitrary<Scenario> = buckets.chain(bs => fc.record({
  buckets: fc.constant(bs),
  locations: fc.array(location, { maxLength: 1 }),
  documents: fc.array(documentSpec(bs.map(b => b.name)), { minLength: 1, maxLength: 2 }),
}));

describe('the profile\'s S3 permissions, decided by iam-simulate', () => {
  afterAll(() => {
    // eslint-disable-next-line no-console
    console.log(`properties: ${totals.runs} runs, ${totals.probes} requests, ${totals.needs} needed, ${totals.denied} expected denied`);
  });

  test('locations: every folder is readable (or writable) and listable under its prefix, and nothing near it is', async () => {
    // given buckets and folders in artifactLocations, addArtifactLocation and logLocation (literal or parameters),
    // when the profile is synthesized, then iam-simulate decides every request as the model does (see check)
    const before = { ...totals };

    await checkAsyncProperty(fc.asyncProperty(scenarioWithLocations, check), 200);

    // the runs reached both sides of the boundary, many times
    expect(totals.needs - before.needs).toBeGreaterThan(1_000);
    expect(totals.denied - before.denied).toBeGreaterThan(3_000);
  });

  test('component documents: every S3Download and S3Upload path is allowed for any value of its parameters and its owner, and nothing near it is', async () => {
    // given component documents (addComponentData and addComponent) and maybe a location, when the profile is
    // synthesized, then iam-simulate decides every request as the model does (see check)
    const before = { ...totals };

    await checkAsyncProperty(fc.asyncProperty(scenarioWithDocuments, check), 200);

    expect(totals.needs - before.needs).toBeGreaterThan(1_000);
    expect(totals.denied - before.denied).toBeGreaterThan(3_000);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// fuzzing the document reader through the construct

const YAML_NOISE = [':', '-', ' ', '  ', '\n', '\t', '[', ']', '{', '}', '{{', '}}', '&a', '*a', '!', '!!str', '|', '>', "'", '"', '%', '@',
  '`', '#', ',', '?', '<<', '---', '...', 's3://', 'S3Download', 'S3Upload', 'phases', 'steps', 'inputs', 'source', 'destination',
  '{{ aws:ssm:', 'expectedBucketOwner', 'recurse', '\u0000', '\uFEFF', '😀'];

/** A document mutated by deleting, inserting, duplicating or re-indenting a few pieces. */
function mutated(base: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const edit = fc.record({
    op: fc.constantFrom('delete', 'insert', 'duplicateLine', 'indent', 'truncate', 'swapLines'),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    length: fc.nat(20),
    text: fc.oneof(fc.constantFrom(...YAML_NOISE), fc.string({ maxLength: 5 })),
  });
  return fc.tuple(base, fc.array(edit, { minLength: 1, maxLength: 5 })).map(([text, edits]) => {
    let out = text;
    for (const e of edits) {
      const at = Math.floor(e.at * out.length);
      const lines = out.split('\n');
      const line = Math.floor(e.at * lines.length);
      switch (e.op) {
        case 'delete': out = out.slice(0, at) + out.slice(at + e.length); break;
        case 'insert': out = out.slice(0, at) + e.text + out.slice(at); break;
        case 'truncate': out = out.slice(0, at); break;
        case 'duplicateLine': lines.splice(line, 0, lines[line] ?? ''); out = lines.join('\n'); break;
        case 'indent': lines[line] = `${' '.repeat(e.length % 5)}${(lines[line] ?? '').trimStart()}`; out = lines.join('\n'); break;
        case 'swapLines': [lines[0], lines[line]] = [lines[line], lines[0]]; out = lines.join('\n'); break;
      }
    }
    return out;
  });
}

/** Valid documents whose phases, steps or inputs are replaced by arbitrary values. */
const structurallyOdd = fc.tuple(fc.constantFrom('phases', 'steps', 'inputs', 'input', 'source', 'expectedBucketOwner'), fc.jsonValue({ maxDepth: 3 }))
  .map(([where, value]) => {
    const document: any = { phases: [{ name: 'build', steps: [{ name: 'S', action: 'S3Download', inputs: [{ source: 's3://artifacts/a/*', destination: '/tmp' }] }] }] };
    const step = document.phases[0].steps[0];
    switch (where) {
      case 'phases': document.phases = value; break;
      case 'steps': document.phases[0].steps = value; break;
      case 'inputs': step.inputs = value; break;
      case 'input': step.inputs[0] = value; break;
      case 'source': step.inputs[0].source = value; break;
      case 'expectedBucketOwner': step.inputs[0].expectedBucketOwner = value; break;
    }
    return stringify(document);
  });

const validDocument = buckets.chain(bs => documentSpec(bs.map(b => b.name))).map(documentOf);

const fuzzedDocument = fc.oneof(
  { weight: 4, arbitrary: mutated(validDocument) },
  { weight: 2, arbitrary: structurallyOdd },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map(v => stringify(v)) },
  { weight: 1, arbitrary: fc.constantFrom('a: &a [*a, *a]', 'x: &x\n  - *x\n', '---\nphases: []\n---\nphases: []\n', '%YAML 9.9\n---\na: 1', '{{', '\u0000') },
);

describe('fuzzing component documents', () => {
  test('addComponentData and addComponent never throw, synthesis succeeds, and every warning names the component', () => {
    const labels = { data: 'the component document given to addComponentData', component: "component 'fuzzed-component'" };
    let warned = 0;
    checkProperty(fc.property(fuzzedDocument, data => {
      // given
      const stack = new Stack(new App(), 'Stack');
      const byData = new ImageBuilderInstanceProfile(stack, 'ByData');
      const byComponent = new ImageBuilderInstanceProfile(stack, 'ByComponent');
      // aws-cdk-lib itself cannot synthesize a CfnComponent whose data holds text shaped like one of its tokens
      const cfnCanHoldIt = !/[$#]\{Token\[|-1\.\d{10,16}e\+289/.test(data);

      // when
      byData.addComponentData(data);
      if (cfnCanHoldIt) {
        byComponent.addComponent(new imagebuilder.CfnComponent(stack, 'Component', { name: 'fuzzed-component', platform: 'Linux', version: '1.0.0', data }));
      }
      Template.fromStack(stack);

      // then
      for (const [profile, label] of [[byData, labels.data], [byComponent, labels.component]] as const) {
        const warnings = profile.node.metadata.filter(m => m.type === 'aws:cdk:warning').map(m => String(m.data));
        warned += warnings.length;
        for (const warning of warnings) {
          if (!warning.includes(label)) {
            throw new Error(`a warning of '${profile.node.path}' does not name ${label}: ${warning}`);
          }
        }
      }
    }), 300);
    // most fuzzed documents are read with warnings: the check above is not vacuous
    expect(warned).toBeGreaterThan(300);
  });
});
