import { App, Aws, CfnParameter, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { checkProperty, iamGlobMatches } from './property-helpers';
import { ComponentNeeds, forMessages, keyPattern, KeyPart, readComponentDocument, S3Need } from '../../src/private/component-document';
import { readTokenizedDocument } from '../../src/private/component-tokens';

// property runs take tens of seconds on a busy 2-core machine; jest's default of 5 s would cut them off
jest.setTimeout(180_000);

const COMPONENT = "component 'docs'";

/** A component document with one phase 'build' holding the given steps (YAML, indented as list items of steps). */
function document(steps: string, phase = 'build'): string {
  return `name: test\nschemaVersion: 1.0\nphases:\n  - name: ${phase}\n    steps:\n${steps.replace(/^\n/, '').replace(/^/gm, '      ')}\n`;
}

function read(data: string): ComponentNeeds {
  return readComponentDocument(data, COMPONENT);
}

/** What a document's reading says: what could not be read, then what was widened. */
function messages(needs: ComponentNeeds): string[] {
  return [...needs.warnings, ...needs.grantNotes];
}

/** The one S3 need and the warnings of a document with one S3 input. */
function readOne(data: string): { need: S3Need; warnings: readonly string[] } {
  const needs = read(data);
  expect(needs.s3).toHaveLength(1);
  return { need: needs.s3[0], warnings: messages(needs) };
}

function download(source: string, extra = ''): string {
  return document(`
- name: Fetch
  action: S3Download
  inputs:
    - source: '${source}'
      destination: /tmp/x${extra}
`);
}

function upload(destination: string, source = '/var/log/app.log', extra = ''): string {
  return document(`
- name: Put
  action: S3Upload
  inputs:
    - source: '${source}'
      destination: '${destination}'${extra}
`);
}

describe('S3Download, with the examples of the AWSTOE documentation', () => {
  // https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-action-modules.html#action-modules-s3download
  test('copying one object to a local file needs reading that object, with its expected bucket owner', () => {
    // given
    const data = document(`
- name: DownloadMyFile
  action: S3Download
  inputs:
    - source: s3://mybucket/path/to/package.zip
      destination: C:\\myfolder\\package.zip
      expectedBucketOwner: 123456789022
      overwrite: false
    - source: s3://mybucket/path/to/package.zip
      destination: C:\\myfolder\\package.zip
      expectedBucketOwner: 123456789022
      overwrite: true
    - source: s3://mybucket/path/to/package.zip
      destination: C:\\myfolder\\package.zip
      expectedBucketOwner: 123456789022
`);

    // when
    const needs = read(data);

    // then
    expect(messages(needs)).toEqual([]);
    expect(needs.s3).toEqual([1, 2, 3].map(i => ({
      access: 'read',
      bucketName: 'mybucket',
      key: ['path/to/package.zip'],
      folder: false,
      expectedBucketOwner: '123456789022',
      step: `${COMPONENT}, step 'build/DownloadMyFile' (S3Download), input ${i}`,
      uri: 's3://mybucket/path/to/package.zip',
    })));
  });

  test('copying all objects under a key prefix (/*) needs reading that folder', () => {
    // given
    const data = document(`
- name: MyS3DownloadKeyprefix
  action: S3Download
  maxAttempts: 3
  inputs:
    - source: s3://mybucket/path/to/*
      destination: C:\\myfolder\\
      expectedBucketOwner: 123456789022
`);

    // when
    const { need, warnings } = readOne(data);

    // then
    expect(warnings).toEqual([]);
    expect(need).toEqual({
      access: 'read',
      bucketName: 'mybucket',
      key: ['path/to'],
      folder: true,
      expectedBucketOwner: '123456789022',
      step: `${COMPONENT}, step 'build/MyS3DownloadKeyprefix' (S3Download)`,
      uri: 's3://mybucket/path/to/*',
    });
  });

  test('the chaining example of the documentation needs reading both of its objects', () => {
    // given: https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-use-documents.html (chaining)
    const data = `
phases:
  - name: 'build'
    steps:
      - name: SampleS3Download
        action: S3Download
        timeoutSeconds: 60
        onFailure: Abort
        maxAttempts: 3
        inputs:
          - source: 's3://sample-bucket/sample1.ps1'
            destination: 'C:\\sample1.ps1'
          - source: 's3://sample-bucket/sample2.ps1'
            destination: 'C:\\sample2.ps1'
`;

    // when
    const needs = read(data);

    // then
    expect(needs.s3.map(n => [n.bucketName, n.key, n.folder])).toEqual([
      ['sample-bucket', ['sample1.ps1'], false],
      ['sample-bucket', ['sample2.ps1'], false],
    ]);
    expect(messages(needs)).toEqual([]);
  });

  test('a source of the whole bucket (s3://bucket/*) needs reading the whole bucket, as written', () => {
    // when
    const { need, warnings } = readOne(download('s3://mybucket/*'));

    // then
    expect(need).toMatchObject({ bucketName: 'mybucket', key: [], folder: true });
    expect(warnings).toEqual([]);
  });

  test('a step given one input as a map, not a list, is read', () => {
    // given
    const data = document(`
- name: Fetch
  action: S3Download
  inputs:
    source: s3://mybucket/app.zip
    destination: /tmp/app.zip
`);

    // when
    const { need } = readOne(data);

    // then
    expect(need).toMatchObject({ key: ['app.zip'], step: `${COMPONENT}, step 'build/Fetch' (S3Download)` });
  });

  test('an action written in another case is read as the AWSTOE action', () => {
    // when
    const { need } = readOne(download('s3://mybucket/app.zip').replace('S3Download', 's3download'));

    // then
    expect(need.step).toEqual(`${COMPONENT}, step 'build/Fetch' (S3Download)`);
  });
});

describe('S3Upload, with the examples of the AWSTOE documentation', () => {
  // https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-action-modules.html#action-modules-s3upload
  test('copying a local file to an object needs writing that object', () => {
    // given
    const data = document(`
- name: MyS3UploadFile
  action: S3Upload
  onFailure: Abort
  maxAttempts: 3
  inputs:
    - source: C:\\myfolder\\package.zip
      destination: s3://mybucket/path/to/package.zip
      expectedBucketOwner: 123456789022
`, 'test');

    // when
    const { need, warnings } = readOne(data);

    // then
    expect(warnings).toEqual([]);
    expect(need).toEqual({
      access: 'write',
      bucketName: 'mybucket',
      key: ['path/to/package.zip'],
      folder: false,
      expectedBucketOwner: '123456789022',
      step: `${COMPONENT}, step 'test/MyS3UploadFile' (S3Upload)`,
      uri: 's3://mybucket/path/to/package.zip',
    });
  });

  test.each([
    ['the files of a local folder (*) to a key prefix', 'C:\\myfolder\\*', 's3://mybucket/path/to/', ''],
    ['a local folder recursively to a key prefix', 'C:\\myfolder\\*', 's3://mybucket/path/to/', '\n      recurse: true'],
    ['a local folder with recurse written as a string', '/var/log', 's3://mybucket/path/to', "\n      recurse: 'True'"],
    ['files matched by a * to a prefix without a trailing slash', '/var/log/*.log', 's3://mybucket/path/to', ''],
  ])('copying %s needs writing under that folder', (_, source, destination, extra) => {
    // when
    const { need, warnings } = readOne(upload(destination, source, extra));

    // then
    expect(need).toMatchObject({ access: 'write', bucketName: 'mybucket', key: ['path/to'], folder: true });
    expect(warnings).toEqual([]);
  });

  test('recurse false with a single file needs writing that object only', () => {
    // when
    const { need } = readOne(upload('s3://mybucket/logs/app.log', '/var/log/app.log', '\n      recurse: false'));

    // then
    expect(need).toMatchObject({ key: ['logs/app.log'], folder: false });
  });

  test('a folder with several trailing slashes keeps all but the last one in its prefix', () => {
    // when
    const { need } = readOne(upload('s3://mybucket/logs//', '/var/log/*'));

    // then
    expect(need).toMatchObject({ key: ['logs/'], folder: true });
  });

  test('a destination of the whole bucket (s3://bucket/) needs writing the whole bucket, as written', () => {
    // when
    const { need, warnings } = readOne(upload('s3://mybucket/', '/var/log/*'));

    // then
    expect(need).toMatchObject({ key: [], folder: true });
    expect(warnings).toEqual([]);
  });

  test('a recurse known only when the build runs needs the object and the folder, with a warning', () => {
    // when
    const needs = read(upload('s3://mybucket/out', '/var/out', "\n      recurse: '{{ recurse }}'"));

    // then
    expect(needs.s3.map(n => [n.key, n.folder])).toEqual([[['out'], false], [['out'], true]]);
    expect(messages(needs)).toEqual([expect.stringMatching(
      /^component 'docs', step 'build\/Put' \(S3Upload\): its recurse \('\{\{ recurse \}\}'\) is not 'true' or 'false'.*'out' and 'out\/\*' in bucket 'mybucket' was granted/)]);
  });

  test('a local source known only when the build runs needs the object and the folder, with a warning', () => {
    // when
    const needs = read(upload('s3://mybucket/out.zip', '{{ build.Zip.outputs.stdout }}'));

    // then
    expect(needs.s3.map(n => n.folder)).toEqual([false, true]);
    expect(messages(needs)).toEqual([expect.stringContaining("its local source '{{ build.Zip.outputs.stdout }}' is known only when the build runs")]);
  });

  test('an upload without a local source is a warning, and needs nothing', () => {
    // given
    const data = document(`
- name: Put
  action: S3Upload
  inputs:
    - destination: s3://mybucket/out.zip
`);

    // when
    const needs = read(data);

    // then
    expect(needs.s3).toEqual([]);
    expect(messages(needs)).toEqual([expect.stringContaining("Put' (S3Upload): the input has no local source string (got nothing), so nothing was granted for 's3://mybucket/out.zip'")]);
  });
});

describe('buckets', () => {
  test('an upload to a URI that is not an s3:// URI is a warning that says to add an upload location, in Python too', () => {
    // when
    const needs = read(upload('https://mybucket.s3.amazonaws.com/out/'));

    // then
    expect(needs.s3).toEqual([]);
    expect(messages(needs)).toEqual([
      "component 'docs', step 'build/Put' (S3Upload): 'https://mybucket.s3.amazonaws.com/out/' is not an s3:// URI, so nothing was granted for it; "
      + 'write it as s3://bucket/key, or add its folder with addUploadLocation / add_upload_location instead',
    ]);
  });

  test('a bucket that is a {{ parameter }} is a warning naming the component, the step and the URI, and needs nothing', () => {
    // when
    const needs = read(download('s3://{{ Bucket }}/installer.msi'));

    // then
    expect(needs.s3).toEqual([]);
    expect(messages(needs)).toEqual([
      "component 'docs', step 'build/Fetch' (S3Download): the bucket of 's3://{{ Bucket }}/installer.msi' is not known until the build runs, "
      + 'so nothing was granted for it; add its folder with addArtifactLocation / add_artifact_location instead',
    ]);
  });

  test('a bucket that is partly a parameter is a warning, and needs nothing', () => {
    // when
    const needs = read(upload('s3://logs-{{ env }}/app/'));

    // then
    expect(needs.s3).toEqual([]);
    expect(messages(needs)).toEqual([expect.stringContaining("the bucket of 's3://logs-{{ env }}/app/' is not known until the build runs")]);
  });

  test('a bucket that is a token is a warning saying it is known at deployment, and needs nothing', () => {
    // given
    const bucket = new s3.Bucket(new Stack(new App(), 'Stack'), 'Bucket');

    // when
    const needs = read(download(`s3://${bucket.bucketName}/app.zip`));

    // then
    expect(needs.s3).toEqual([]);
    expect(messages(needs)).toEqual([expect.stringMatching(/the bucket of 's3:\/\/<a value known at deployment>\/app.zip' is not known until deployment/)]);
  });

  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
  test.each([
    ['My_Bucket', 'only lowercase letters, digits, dots and hyphens are allowed'],
    ['DocExampleBucket', 'only lowercase letters'],
    ['doc_example_bucket', 'only lowercase letters'],
    ['ab', 'it has 2 characters, not 3-63'],
    ['a'.repeat(64), 'it has 64 characters, not 3-63'],
    ['doc-example-bucket-', 'it must begin and end with a letter or digit'],
    ['.bucket', 'it must begin and end with a letter or digit'],
    ['my..bucket', 'two adjacent dots'],
    ['192.168.5.4', 'formatted as an IP address'],
    ['xn--bucket', "the prefix 'xn--' is reserved"],
    ['sthree-bucket', "the prefix 'sthree-' is reserved"],
    ['amzn-s3-demo-bucket', "the prefix 'amzn-s3-demo-' is reserved"],
    ['my-ap-abcdef-s3alias', "the suffix '-s3alias' is reserved"],
    ['my-olap--ol-s3', "the suffix '--ol-s3' is reserved"],
    ['mrap.mrap', "the suffix '.mrap' is reserved"],
    ['express--use1-az4--x-s3', "the suffix '--x-s3' is reserved"],
    ['tables--table-s3', "the suffix '--table-s3' is reserved"],
  ])("'%s' is not a valid bucket name: a warning that says why, and no need", (bucket, why) => {
    // when
    const needs = read(download(`s3://${bucket}/app.zip`));

    // then
    expect(needs.s3).toEqual([]);
    expect(messages(needs)).toEqual([expect.stringContaining(`'${bucket}' in 's3://${bucket}/app.zip' is not a valid S3 bucket name (`)]);
    expect(messages(needs)[0]).toContain(why);
  });

  test('an empty bucket (s3:///key) is a warning, and needs nothing', () => {
    // when
    const needs = read(download('s3:///app.zip'));

    // then
    expect(needs.s3).toEqual([]);
    expect(messages(needs)).toEqual([expect.stringContaining("'' in 's3:///app.zip' is not a valid S3 bucket name (it is empty)")]);
  });

  test.each(['docexamplebucket1', 'log-delivery-march-2020', 'docexamplewebsite.com', 'my.example.s3.bucket', '123', 'a'.repeat(63)])(
    "'%s' is a valid bucket name", (bucket) => {
      // when
      const { need, warnings } = readOne(download(`s3://${bucket}/app.zip`));

      // then
      expect(need.bucketName).toEqual(bucket);
      expect(warnings).toEqual([]);
    });

  test.each([
    ['https://mybucket.s3.amazonaws.com/app.zip', "'https://mybucket.s3.amazonaws.com/app.zip' is not an s3:// URI"],
    ['S3://mybucket/app.zip', "'S3://mybucket/app.zip' is not an s3:// URI"],
    ['{{ Source }}', "'{{ Source }}' is known only when the build runs"],
  ])('a source %s that is not an s3:// URI is a warning, and needs nothing', (source, message) => {
    // when
    const needs = read(download(source));

    // then
    expect(needs.s3).toEqual([]);
    expect(messages(needs)).toEqual([expect.stringContaining(`(S3Download): ${message}, so nothing was granted for it`)]);
  });
});

describe('keys', () => {
  test('a key with a parameter keeps the parameter as a variable, with a warning naming the pattern granted', () => {
    // when
    const { need, warnings } = readOne(download('s3://artifacts/{{ version }}/app.zip'));

    // then
    expect(need.key).toEqual([{ variable: '{{ version }}' }, '/app.zip']);
    expect(keyPattern(need.key)).toEqual('*/app.zip');
    expect(warnings).toEqual([
      "component 'docs', step 'build/Fetch' (S3Download): the key of 's3://artifacts/{{ version }}/app.zip' depends on '{{ version }}', "
      + "so read access to '*/app.zip' in bucket 'artifacts' was granted; write the key without it to grant only what it names, or declare "
      + 'its folder with artifactLocations / artifact_locations or addArtifactLocation / add_artifact_location and leave the component out of '
      + 'addComponent / add_component and addComponentData / add_component_data, for ComponentAccessChecks to check against that folder, '
      + "or acknowledge this warning when '*/app.zip' is what you want granted",
    ]);
  });

  test('a key with the same parameter twice names it once', () => {
    // when
    const { warnings } = readOne(download('s3://artifacts/releases/{{ version }}/app-{{ version }}.zip'));

    // then
    expect(warnings).toEqual([expect.stringContaining("the key of 's3://artifacts/releases/{{ version }}/app-{{ version }}.zip' depends on "
      + "'{{ version }}', so read access to 'releases/*/app-*.zip' in bucket 'artifacts' was granted; write the key without it to grant")]);
  });

  test('a key with two parameters names both, and says to write the key without them', () => {
    // when
    const { warnings } = readOne(download('s3://artifacts/releases/{{ version }}/app-{{ arch }}.zip'));

    // then
    expect(warnings).toEqual([expect.stringContaining("depends on '{{ version }}' and '{{ arch }}', so read access to 'releases/*/app-*.zip' "
      + "in bucket 'artifacts' was granted; write the key without them to grant only what it names")]);
  });

  test('an upload whose key has a parameter says to declare its folder with addUploadLocation', () => {
    // when
    const { warnings } = readOne(upload('s3://logs/builds/{{ build }}/app.log'));

    // then
    expect(warnings).toEqual([expect.stringContaining("so write access to 'builds/*/app.log' in bucket 'logs' was granted; write the key without it "
      + 'to grant only what it names, or declare its folder with addUploadLocation / add_upload_location and leave the component out of '
      + 'addComponent / add_component and addComponentData / add_component_data, for ComponentAccessChecks to check against that folder')]);
  });

  test('a key with a parameter in the middle keeps its literal parts on both sides', () => {
    // when
    const { need } = readOne(download('s3://artifacts/releases/{{ Version }}/app-{{ arch }}.zip'));

    // then
    expect(need.key).toEqual(['releases/', { variable: '{{ Version }}' }, '/app-', { variable: '{{ arch }}' }, '.zip']);
    expect(keyPattern(need.key)).toEqual('releases/*/app-*.zip');
  });

  test.each([
    ['s3://artifacts/{{ key }}', false, "'*'"],
    ['s3://artifacts/{{ a }}{{ b }}', false, "'**'"],
    ['s3://artifacts/{{ prefix }}/*', true, "'*/*'"],
  ])('a key %s that is only variables still needs the whole bucket, with a warning saying so and why', (source, folder, pattern) => {
    // when
    const { need, warnings } = readOne(download(source));

    // then
    expect(need.folder).toBe(folder);
    expect(need.key.every(part => typeof part !== 'string')).toBe(true);
    expect(warnings).toEqual([expect.stringMatching(new RegExp(
      `the key of '.*' is only .*, known when the build runs, so read access to the whole bucket 'artifacts' was granted \\(${pattern.replace(/\*/g, '\\*')}\\)`))]);
  });

  test('an upload folder whose prefix is a parameter needs the whole bucket, with a warning', () => {
    // when
    const { need, warnings } = readOne(upload('s3://logs/{{ host }}/', '/var/log/*'));

    // then
    expect(need).toMatchObject({ key: [{ variable: '{{ host }}' }], folder: true });
    expect(warnings).toEqual([expect.stringContaining("so write access to the whole bucket 'logs' was granted ('*/*')")]);
  });

  test("a '*' at the end of a source without a slash is read as AWSTOE's key-prefix wildcard, with a warning", () => {
    // when
    const { need, warnings } = readOne(download('s3://artifacts/logs/app-*'));

    // then
    expect(need).toMatchObject({ key: ['logs/app-', { variable: '*' }], folder: false });
    expect(keyPattern(need.key)).toEqual('logs/app-*');
    expect(warnings).toEqual([expect.stringContaining(
      "depends on a '*' at the end (AWSTOE reads it as a key prefix), so read access to 'logs/app-*' in bucket 'artifacts' was granted")]);
  });

  test("a '*' elsewhere in a key is a literal character, escaped in the pattern, with a warning", () => {
    // when
    const { need, warnings } = readOne(download('s3://artifacts/a*b/file.zip'));

    // then
    expect(need).toMatchObject({ key: ['a*b/file.zip'], folder: false });
    expect(keyPattern(need.key)).toEqual('a${*}b/file.zip');
    expect(warnings).toEqual([expect.stringContaining("the '*' in the key of 's3://artifacts/a*b/file.zip' is read as a literal character")]);
  });

  test("a '*' in an upload destination is a literal character, with a warning", () => {
    // when
    const { need, warnings } = readOne(upload('s3://artifacts/reports/*'));

    // then
    expect(need).toMatchObject({ key: ['reports/*'], folder: false });
    expect(warnings).toEqual([expect.stringContaining('end the destination with / to upload into a folder')]);
  });

  test("'?', '$' and '${' in a key are literal characters without a warning, escaped in the pattern", () => {
    // when
    const { need, warnings } = readOne(download('s3://artifacts/what?/${aws:username}/$5.zip'));

    // then
    expect(need.key).toEqual(['what?/${aws:username}/$5.zip']);
    expect(keyPattern(need.key)).toEqual('what${?}/${$}{aws:username}/${$}5.zip');
    expect(warnings).toEqual([]);
  });

  test('a key with a token keeps the token as a variable, with a warning', () => {
    // given
    const bucket = new s3.Bucket(new Stack(new App(), 'Stack'), 'Bucket');

    // when
    const { need, warnings } = readOne(download(`s3://artifacts/${bucket.bucketName}/app.zip`));

    // then
    expect(need.key).toEqual([{ variable: bucket.bucketName }, '/app.zip']);
    expect(warnings).toEqual([expect.stringContaining('(known at deployment)')]);
  });

  test('a nested reference in a key is one variable, and an unclosed {{ is literal text', () => {
    // when
    const nested = readOne(download('s3://artifacts/{{ aws:ssm:{{ env }}/dir }}/app.zip'));
    const unclosed = readOne(download('s3://artifacts/{{ not closed/app.zip'));

    // then
    expect(nested.need.key).toEqual([{ variable: '{{ aws:ssm:{{ env }}/dir }}' }, '/app.zip']);
    expect(unclosed.need.key).toEqual(['{{ not closed/app.zip']);
  });

  test.each(['s3://artifacts', 's3://artifacts/'])('a download of %s names no object: a warning, and no need', (source) => {
    // when
    const needs = read(download(source));

    // then
    expect(needs.s3).toEqual([]);
    expect(messages(needs)).toEqual([expect.stringContaining(`'${source}' names no object, so nothing was granted for it`)]);
  });

  test.each([
    [download('s3://artifacts//*'), "'s3://artifacts//*' downloads the keys that begin with '/', which is not a folder that IAM can name apart from "
      + 'the whole bucket, so nothing was granted for it; add the folder with addArtifactLocation / add_artifact_location instead'],
    [upload('s3://artifacts//', '/var/log/*'), "'s3://artifacts//' uploads under the prefix '/', which is not a folder that IAM can name apart from "
      + 'the whole bucket, so nothing was granted for it; add the folder with addUploadLocation / add_upload_location instead'],
  ])('a folder whose prefix is a lone slash is a warning that says what to declare instead, in Python too, and no need', (data, message) => {
    // when
    const needs = read(data);

    // then
    expect(needs.s3).toEqual([]);
    expect(messages(needs)).toEqual([expect.stringContaining(message)]);
  });
});

describe('expectedBucketOwner', () => {
  test.each([
    ['123456789022', '123456789022'],
    ["'123456789022'", '123456789022'],
    // YAML 1.2 reads an unquoted 012345678901 as a number; the document's text is kept
    ['012345678901', '012345678901'],
  ])('a literal 12-digit account id %s is the expected owner', (written, owner) => {
    // when
    const { need, warnings } = readOne(download('s3://mybucket/app.zip', `\n      expectedBucketOwner: ${written}`));

    // then
    expect(need.expectedBucketOwner).toEqual(owner);
    expect(warnings).toEqual([]);
  });

  test.each([
    ["'{{ owner }}'", "the expectedBucketOwner '{{ owner }}' of 's3://mybucket/app.zip' is known only when the build runs"],
    ['1234', "the expectedBucketOwner '1234' of 's3://mybucket/app.zip' is not a 12-digit account id"],
    ['[123456789022]', 'the expectedBucketOwner a list ["123456789022"] of \'s3://mybucket/app.zip\' is not a 12-digit account id'],
  ])('an owner %s that is not a literal account id is a warning, and the need has no owner', (written, message) => {
    // when
    const { need, warnings } = readOne(download('s3://mybucket/app.zip', `\n      expectedBucketOwner: ${written}`));

    // then
    expect(need.expectedBucketOwner).toBeUndefined();
    expect('expectedBucketOwner' in need).toBe(false);
    expect(warnings).toEqual([expect.stringContaining(message)]);
  });
});

describe('{{ aws:ssm:NAME }} references', () => {
  test('the documented example needs its parameter, in any action', () => {
    // given: https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-user-defined-variables.html#toe-ssm-parameters
    const data = `
name: UseSSMParameterVariable
description: This is a sample component document that prints out the value of an SSM Parameter. Never do this for a SecureString parameter.
schemaVersion: 1.0

phases:
  - name: verify
    steps:
      - name: EchoParameterValue
        action: ExecuteBash
        inputs:
          commands:
            - echo "Log SSM parameter name: /my/test/param, value {{ aws:ssm:/my/test/param }}."
`;

    // when
    const needs = read(data);

    // then
    expect(needs.parameters).toEqual([{
      name: '/my/test/param',
      step: `${COMPONENT}, step 'verify/EchoParameterValue' (ExecuteBash)`,
      reference: '{{ aws:ssm:/my/test/param }}',
    }]);
    expect(messages(needs)).toEqual([]);
  });

  test('a Secrets Manager secret read through Parameter Store is a parameter need', () => {
    // when
    const needs = read(document(`
- name: UseSecret
  action: ExecutePowerShell
  inputs:
    commands:
      - $password = '{{ aws:ssm:/aws/reference/secretsmanager/test/test-secret }}'
`));

    // then
    expect(needs.parameters.map(p => p.name)).toEqual(['/aws/reference/secretsmanager/test/test-secret']);
  });

  test('the documented resolve function is a warning naming the component, the step and the reference, and needs nothing', () => {
    // given: the resolve example of the AWSTOE documentation
    const data = `
name: SsmParameterTest
description: This component verifies an SSM parameter variable reference with the echo command.
schemaVersion: 1.0

parameters:
  - parameter-name:
      type: string
      description: "test"

phases:
  - name: validate
    steps:
      - name: PrintDynamicVariable
        action: ExecuteBash
        inputs:
          commands:
            - echo "{{ aws:ssm:resolve(parameter-name) }}"
`;

    // when
    const needs = read(data);

    // then
    expect(needs.parameters).toEqual([]);
    expect(messages(needs)).toEqual([
      "component 'docs', step 'validate/PrintDynamicVariable' (ExecuteBash): '{{ aws:ssm:resolve(parameter-name) }}' names its parameter only "
      + 'when the build runs (resolve), so no ssm:GetParameter was granted for it; reference the parameter by its literal name, or grant '
      + 'ssm:GetParameter on the parameters it may name with addToPrincipalPolicy / add_to_principal_policy',
    ]);
  });

  test('references anywhere in the inputs and the loop of any step are read: nested maps and lists, several in a string, keys', () => {
    // given
    const data = document(`
- name: Configure
  action: CreateFile
  inputs:
    - path: /etc/app/{{ aws:ssm:/app/file-name }}
      content: |
        user={{aws:ssm:/app/user}} password={{ aws:ssm:/app/password }}
      nested:
        deeper: [plain, '{{ aws:ssm:/app/deep }}', { '{{ aws:ssm:/app/key }}': value }]
- name: Loop
  action: ExecuteBash
  loop:
    forEach:
      list: '{{ aws:ssm:/app/hosts }}'
  inputs:
    commands:
      - ping {{ loop.value }}
`);

    // when
    const needs = read(data);

    // then
    expect(needs.parameters.map(p => [p.step.replace(`${COMPONENT}, step `, ''), p.name]).sort()).toEqual([
      ["'build/Configure' (CreateFile)", '/app/deep'],
      ["'build/Configure' (CreateFile)", '/app/file-name'],
      ["'build/Configure' (CreateFile)", '/app/key'],
      ["'build/Configure' (CreateFile)", '/app/password'],
      ["'build/Configure' (CreateFile)", '/app/user'],
      ["'build/Loop' (ExecuteBash)", '/app/hosts'],
    ]);
    expect(messages(needs)).toEqual([]);
  });

  test('the name is trimmed and the reference is kept as written', () => {
    // when
    const needs = read(document(`
- name: Echo
  action: ExecuteBash
  inputs:
    commands: ['echo "{{   aws:ssm:   /my/param   }}"']
`));

    // then
    expect(needs.parameters).toEqual([expect.objectContaining({ name: '/my/param', reference: '{{   aws:ssm:   /my/param   }}' })]);
  });

  test('an identical name in one step is one need; in two steps, two', () => {
    // when
    const needs = read(document(`
- name: One
  action: ExecuteBash
  inputs:
    commands: ['echo {{ aws:ssm:/p }} {{aws:ssm:/p}}', 'echo {{ aws:ssm:/p }}']
- name: Two
  action: ExecuteBash
  inputs:
    commands: ['echo {{ aws:ssm:/p }}']
`));

    // then
    expect(needs.parameters.map(p => p.step)).toEqual([
      `${COMPONENT}, step 'build/One' (ExecuteBash)`,
      `${COMPONENT}, step 'build/Two' (ExecuteBash)`,
    ]);
  });

  test('a reference in an S3 path is a parameter need, and makes the key a variable', () => {
    // when
    const needs = read(download('s3://artifacts/{{ aws:ssm:/app/version }}/app.zip'));

    // then
    expect(needs.parameters).toEqual([expect.objectContaining({ name: '/app/version', step: `${COMPONENT}, step 'build/Fetch' (S3Download)` })]);
    expect(needs.s3[0].key).toEqual([{ variable: '{{ aws:ssm:/app/version }}' }, '/app.zip']);
  });

  test.each([
    ['{{ aws:ssm:{{ env }}/param }}', 'names its parameter with another {{ }} reference, known only when the build runs'],
    ['{{ aws:ssm: }}', 'names no parameter'],
    ['{{ aws:ssm:resolve(aws:ssm:/my/param) }}', 'names its parameter only when the build runs (resolve)'],
    ['{{ AWS:SSM:/my/param }}', 'holds an aws:ssm: reference that is not of the form {{ aws:ssm:NAME }}'],
    ['{{ join {{ aws:ssm:/my/param }} }}', 'holds an aws:ssm: reference that is not of the form {{ aws:ssm:NAME }}'],
  ])('%s is a warning, and needs nothing', (reference, message) => {
    // when
    const needs = read(document(`
- name: Echo
  action: ExecuteBash
  inputs:
    commands: ['echo "${reference}"']
`));

    // then
    expect(needs.parameters).toEqual([]);
    expect(messages(needs)).toEqual([`${COMPONENT}, step 'build/Echo' (ExecuteBash): '${reference}' ${message}, so no ${message.startsWith('holds')
      ? 'parameter was granted for it; write it as {{ aws:ssm:/parameter/name }}, or grant ssm:GetParameter with addToPrincipalPolicy / add_to_principal_policy'
      : 'ssm:GetParameter was granted for it; reference the parameter by its literal name, or grant ssm:GetParameter on the parameters it may name with addToPrincipalPolicy / add_to_principal_policy'}`]);
  });

  test('a reference that is never closed is a warning, and needs nothing', () => {
    // when
    const needs = read(document(`
- name: Echo
  action: ExecuteBash
  inputs:
    commands: ['echo "{{ aws:ssm:/my/param"']
`));

    // then
    expect(needs.parameters).toEqual([]);
    expect(messages(needs)).toEqual([expect.stringContaining("'{{ aws:ssm:/my/param\"' opens a {{ aws:ssm: reference that is never closed")]);
  });

  test('a reference whose name is a token is a warning, and needs nothing', () => {
    // given
    const bucket = new s3.Bucket(new Stack(new App(), 'Stack'), 'Bucket');

    // when
    const needs = read(document(`
- name: Echo
  action: ExecuteBash
  inputs:
    commands: ['echo "{{ aws:ssm:${bucket.bucketName} }}"']
`));

    // then
    expect(needs.parameters).toEqual([]);
    expect(messages(needs)).toEqual([expect.stringContaining('names its parameter with a token, known only at deployment')]);
  });
});

test('what was widened is a grant note, apart from what could not be read', () => {
  const needs = readComponentDocument(download('s3://artifacts/{{ version }}/app.zip'), "component 'x'");

  expect(needs.warnings).toEqual([]);
  expect(needs.grantNotes).toEqual([expect.stringContaining("so read access to '*/app.zip' in bucket 'artifacts' was granted")]);
});

describe('what is not a component document is a warning, never an exception', () => {
  test.each([
    ['phases: [\n  - name: build\n', "component 'docs': the component document is not valid YAML ("],
    ['a: 1\n---\nb: 2', "component 'docs': the component document is not valid YAML (Source contains multiple documents"],
    ['phases: []\nphases: []', "component 'docs': the component document is not valid YAML (Map keys must be unique"],
    ['just a string', "component 'docs': the component document has no list of phases (got 'just a string')"],
    ['- a\n- b', "component 'docs': the component document has no list of phases (got a list"],
    ['', "component 'docs': the component document has no list of phases (got an empty document)"],
    ['phases: build', "component 'docs': the component document has no list of phases (got 'build')"],
    ['phases: [build]', "component 'docs': phase 1 is not a map with a name and steps (got 'build')"],
    ['phases: [{name: build, steps: {a: b}}]', "component 'docs': phase 'build' has no list of steps (got a map {\"a\":\"b\"})"],
    ['phases: [{name: build, steps: [step]}]', "component 'docs': step 1 of phase 'build' is not a map with a name, an action and inputs (got 'step')"],
    ['phases: [{name: build, steps: [{name: s, action: S3Download}]}]', "component 'docs', step 'build/s' (S3Download): the step has no inputs"],
    ['phases: [{name: build, steps: [{name: s, action: S3Download, inputs: [x]}]}]',
      "component 'docs', step 'build/s' (S3Download): the input is not a map with a source (got 'x')"],
    ['phases: [{name: build, steps: [{name: s, action: S3Download, inputs: [{source: [a]}]}]}]',
      "component 'docs', step 'build/s' (S3Download): the input has no source string (got a list [\"a\"])"],
  ])('%j is a warning that names the component', (data, message) => {
    // when
    const needs = read(data);

    // then
    expect(needs.s3).toEqual([]);
    expect(needs.parameters).toEqual([]);
    expect(messages(needs)).toEqual([expect.stringContaining(message)]);
  });

  test('a document that expands exponentially through aliases is a warning', () => {
    // given
    const data = 'a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n'
      + 'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\nphases: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]';

    // when
    const needs = read(data);

    // then
    expect(messages(needs)).toEqual([expect.stringContaining("component 'docs': the component document could not be expanded (")]);
  });

  test('aliases that make a value hold itself are read once, and steps shared through aliases are read for each step', () => {
    // given
    const data = `
common: &common
  - source: s3://mybucket/app.zip
    destination: /tmp/app.zip
    self: &self [*self]
phases:
  - name: build
    steps:
      - { name: One, action: S3Download, inputs: *common }
      - { name: Two, action: S3Download, inputs: *common }
`;

    // when
    const needs = read(data);

    // then
    expect(needs.s3.map(n => n.step)).toEqual([`${COMPONENT}, step 'build/One' (S3Download)`, `${COMPONENT}, step 'build/Two' (S3Download)`]);
  });

  test('an input list that holds itself is a warning that shows it shortly', () => {
    // when
    const needs = read('phases: [{name: build, steps: [{name: s, action: S3Download, inputs: &in [*in]}]}]');

    // then
    expect(messages(needs)).toEqual([expect.stringContaining("step 'build/s' (S3Download): the input is not a map with a source (got a list [...])")]);
  });

  test('merge keys (<<) are read as AWSTOE reads them', () => {
    // given
    const data = `
defaults: &defaults
  source: s3://mybucket/app.zip
phases:
  - name: build
    steps:
      - name: Fetch
        action: S3Download
        inputs:
          - <<: *defaults
            destination: /tmp/app.zip
`;

    // when
    const { need } = readOne(data);

    // then
    expect(need.key).toEqual(['app.zip']);
  });

  test('a document nested too deeply to parse is a warning', () => {
    // when
    const needs = read(`phases: ${'['.repeat(5000)}${']'.repeat(5000)}`);

    // then
    expect(messages(needs)).toEqual([expect.stringContaining("component 'docs': the component document ")]);
  });

  test('a value that is not a string is a warning', () => {
    // when
    const needs = readComponentDocument(42 as unknown as string, COMPONENT);

    // then
    expect(needs).toEqual({ s3: [], parameters: [], grantNotes: [], warnings: ["component 'docs': the component document is not a string (got number 42), so nothing was granted for it"] });
  });

  test('long values are cut in warnings', () => {
    // when
    const needs = read(download(`https://example.com/${'x'.repeat(1000)}`));

    // then
    expect(messages(needs)[0].length).toBeLessThan(600);
    expect(messages(needs)[0]).toContain('...');
  });

  test('a step with a list of 150,000 commands is read', () => {
    // given
    const data = document(`
- name: Echo
  action: ExecuteBash
  inputs:
    commands: [${Array.from({ length: 150_000 }, () => 'x').join(',')}, '{{ aws:ssm:/last }}']
`);

    // when
    const needs = read(data);

    // then
    expect(needs.parameters.map(p => p.name)).toEqual(['/last']);
    expect(messages(needs)).toEqual([]);
  });

  test('a document with thousands of S3 steps is read quickly', () => {
    // given
    const steps = Array.from({ length: 3000 }, (_, i) => `
- name: Fetch${i}
  action: S3Download
  inputs:
    - source: s3://mybucket/releases/{{ version }}/file-${i}.zip
      destination: /tmp/file-${i}.zip
      expectedBucketOwner: 123456789022
- name: Echo${i}
  action: ExecuteBash
  inputs:
    commands: ['echo {{ aws:ssm:/app/param-${i} }}']`).join('');
    const data = document(steps);

    // when
    const started = Date.now();
    const needs = read(data);
    const elapsed = Date.now() - started;

    // then
    expect(needs.s3).toHaveLength(3000);
    expect(needs.parameters).toHaveLength(3000);
    expect(elapsed).toBeLessThan(10_000);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// properties

const LITERAL_CHARS = ['a', 'b', 'Z', '0', '/', '-', '_', '.', ' ', '*', '?', '$', '{', '}', '${', '${*}', 'é', '日', '😀', '\u00a0', '+', '%'];
const literalText = fc.array(fc.constantFrom(...LITERAL_CHARS), { minLength: 1, maxLength: 8 }).map(chars => chars.join(''));
const keyParts: fc.Arbitrary<KeyPart[]> = fc.array(
  fc.oneof({ weight: 3, arbitrary: literalText }, { weight: 1, arbitrary: fc.constantFrom('{{ version }}', '{{ aws:ssm:/p }}', '*').map(v => ({ variable: v })) }),
  { maxLength: 6 });

describe('forMessages', () => {
  test('replaces text shaped like any aws-cdk-lib string or number token, so resolving a message cannot fail', () => {
    // given
    const stack = new Stack(new App(), 'Stack');
    const text = 'get s3://${Token[TOKEN.99999]}/a #{Token[X.1]} -1.8881545897087968e+289 ${Token[';

    // when
    const shown = forMessages(text);

    // then
    expect(shown).toBe('get s3://<a value known at deployment>/a <a value known at deployment> <a number known at deployment> ${Token[');
    expect(stack.resolve(shown)).toBe(shown);
    expect(() => stack.resolve(text)).toThrow();
  });

  test('leaves other text as it is', () => {
    expect(forMessages("downloads 's3://b/{{ v }}/${*}-1.5e+289'")).toBe("downloads 's3://b/{{ v }}/${*}-1.5e+289'");
  });
});

describe('keyPattern (property)', () => {
  test('the pattern of a literal key matches that key exactly, and nothing one character different', () => {
    checkProperty(fc.property(fc.array(literalText, { minLength: 1, maxLength: 6 }), fc.constantFrom(...LITERAL_CHARS), (literals, extra) => {
      // given
      const key = literals.join('');

      // when
      const pattern = keyPattern(literals);

      // then
      expect(iamGlobMatches(pattern, key)).toBe(true);
      expect(iamGlobMatches(pattern, key + extra)).toBe(false);
      expect(iamGlobMatches(pattern, extra + key)).toBe(false);
      expect(iamGlobMatches(pattern, key.slice(0, -1))).toBe(false);
    }), 300);
  });

  test('the pattern of a key with variables matches every value the variables may take', () => {
    checkProperty(fc.property(keyParts, fc.array(fc.string({ unit: 'grapheme', maxLength: 6 }), { minLength: 6, maxLength: 6 }), (key, values) => {
      // given
      let v = 0;
      const substituted = key.map(part => typeof part === 'string' ? part : values[v++ % values.length]).join('');

      // when
      const pattern = keyPattern(key);

      // then
      expect(iamGlobMatches(pattern, substituted)).toBe(true);
      expect(pattern.includes('${') ? /\$\{[^*?$]/.test(pattern) : false).toBe(false);
    }), 300);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// fuzz

const SEEDS = [
  download('s3://mybucket/path/to/*', '\n      expectedBucketOwner: 123456789022'),
  upload('s3://results/{{ host }}/logs/', '/var/log/*', '\n      recurse: true'),
  document(`
- name: DownloadMyFile
  action: S3Download
  inputs:
    - source: s3://mybucket/path/to/package.zip
      destination: C:\\myfolder\\package.zip
      expectedBucketOwner: 123456789022
    - source: 's3://{{ Bucket }}/a*b/{{ aws:ssm:/app/key }}'
      destination: C:\\myfolder\\
- name: Echo
  action: ExecuteBash
  loop:
    forEach:
      list: '{{ aws:ssm:/hosts }}'
  inputs:
    commands: ['echo {{ aws:ssm:/my/param }} {{ aws:ssm:resolve(p) }}', { x: ['{{ aws:ssm:/deep }}'] }]
`),
  document(`
- name: MyS3UploadFolder
  action: S3Upload
  onFailure: Abort
  maxAttempts: 3
  inputs:
    - source: C:\\myfolder\\*
      destination: s3://mybucket/path/to/
      recurse: true
      expectedBucketOwner: 123456789022
    - source: '{{ src }}'
      destination: s3://mybucket/{{ aws:ssm:/prefix }}/out.zip
      recurse: '{{ r }}'
`, 'test'),
  'a: &a [x, *a]\nphases: [{name: b, steps: [{name: s, action: S3Upload, inputs: {source: "*", destination: "s3://b-b/x", recurse: "{{ r }}"}}]}]',
];
const YAML_BITS = ['\n', ' ', '  ', '- ', ': ', '{', '}', '[', ']', ',', "'", '"', '&a ', '*a', '!!str ', '<<: ', '#', '|', '>', '---', '~',
  'phases', 'steps', 'name', 'action', 'inputs', 'source', 'destination', 'recurse', 'expectedBucketOwner', 'S3Download', 'S3Upload',
  's3://', 'my-bucket', '/', '*', '?', '$', '{{ ', ' }}', 'aws:ssm:', '/p', 'resolve(', ')', 'true', '123456789022', '\t', '\\', 'é', '😀'];
const yamlish = fc.array(fc.constantFrom(...YAML_BITS), { maxLength: 60 }).map(bits => bits.join(''));

type Mutation = (text: string) => string;
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // delete a run of characters
  fc.tuple(fc.nat(), fc.nat({ max: 20 })).map(([at, length]): Mutation => t => {
    const start = at % (t.length + 1);
    return t.slice(0, start) + t.slice(start + length);
  }),
  // duplicate a run of characters
  fc.tuple(fc.nat(), fc.nat({ max: 40 })).map(([at, length]): Mutation => t => {
    const start = at % (t.length + 1);
    return t.slice(0, start + length) + t.slice(start, start + length) + t.slice(start + length);
  }),
  // replace a character with a piece of YAML
  fc.tuple(fc.nat(), fc.constantFrom(...YAML_BITS)).map(([at, bit]): Mutation => t => {
    const start = at % (t.length + 1);
    return t.slice(0, start) + bit + t.slice(start + 1);
  }),
  // change the type of a value
  fc.tuple(fc.nat(), fc.constantFrom('[a, b]', '{x: 1}', '~', '42', "''", '[]', '{}', '*a', '&a x')).map(([at, value]): Mutation => t => {
    const colons = [...t.matchAll(/: /g)];
    if (colons.length === 0) {
      return t;
    }
    const colon = colons[at % colons.length].index! + 2;
    const end = t.indexOf('\n', colon);
    return t.slice(0, colon) + value + (end < 0 ? '' : t.slice(end));
  }),
);
const mutatedDocument = fc.tuple(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 3 }))
  .map(([seed, mutations]) => mutations.reduce((text, mutate) => mutate(text), seed));

// valid YAML whose values have the wrong types, or surprising strings, in random places
const VALUES: unknown[] = [null, true, 42, '', 'x', [], {}, ['a', 'b'], { source: 's3://b-b/k' }, 's3://', 's3://{{ b }}/k', 's3://b-b/{{ k }}',
  's3://b-b/*', 's3://b-b//', 's3://My_Bucket/k', 's3://b-b/a*b?c$d', '{{ aws:ssm:/p }}', '{{ aws:ssm:resolve(x) }}', '{{ aws:ssm:', '*', 'true', 'TRUE',
  '${Token[TOKEN.12]}', '012345678901', '{{ owner }}', 'S3Download', 'S3Upload', 'ExecuteBash'];
type Edit = [number, 'replace' | 'delete' | 'duplicate', number];
const edit: fc.Arbitrary<Edit> = fc.tuple(fc.nat(), fc.constantFrom('replace' as const, 'delete' as const, 'duplicate' as const), fc.nat());
const structuredDocument = fc.tuple(fc.constantFrom(...SEEDS), fc.array(edit, { minLength: 1, maxLength: 4 })).map(([seed, edits]) => {
  let root: unknown;
  try {
    root = parse(seed, { maxAliasCount: -1 });
  } catch {
    return seed;
  }
  for (const [at, op, value] of edits) {
    // every (container, key) below the root, in document order
    const slots: Array<[any, string | number]> = [];
    const stack: unknown[] = [root];
    const seen = new Set<unknown>();
    while (stack.length > 0) {
      const node = stack.pop();
      if (typeof node !== 'object' || node === null || seen.has(node)) {
        continue;
      }
      seen.add(node);
      for (const key of Object.keys(node)) {
        slots.push([node, Array.isArray(node) ? Number(key) : key]);
        stack.push((node as any)[key]);
      }
    }
    if (slots.length === 0) {
      break;
    }
    const [container, key] = slots[at % slots.length];
    if (op === 'replace') {
      container[key] = structuredClone(VALUES[value % VALUES.length]);
    } else if (op === 'delete') {
      if (Array.isArray(container)) {
        container.splice(key as number, 1);
      } else {
        delete container[key];
      }
    } else if (Array.isArray(container)) {
      container.splice(key as number, 0, structuredClone(container[key as number]));
    }
  }
  try {
    return stringify(root);
  } catch {
    return seed;
  }
});

describe('readComponentDocument (fuzz)', () => {
  test('never throws, always returns arrays, and every warning and need names the component', () => {
    const started = Date.now();
    const input = fc.oneof(
      { weight: 2, arbitrary: structuredDocument }, { weight: 2, arbitrary: mutatedDocument }, { weight: 1, arbitrary: yamlish });
    checkProperty(fc.property(input, (data) => {
      // when
      let needs: ComponentNeeds | undefined;
      expect(() => { needs = readComponentDocument(data, COMPONENT); }).not.toThrow();

      // then
      expect(Array.isArray(needs!.s3) && Array.isArray(needs!.parameters) && Array.isArray(needs!.warnings)).toBe(true);
      for (const warning of needs!.warnings) {
        expect(typeof warning === 'string' && warning.startsWith(COMPONENT)).toBe(true);
      }
      for (const need of [...needs!.s3, ...needs!.parameters]) {
        expect(need.step.startsWith(`${COMPONENT}, step '`)).toBe(true);
      }
      for (const need of needs!.s3) {
        expect(need.bucketName).toMatch(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/);
        expect(need.key.every(part => part !== '')).toBe(true);
        expect(need.expectedBucketOwner === undefined || /^\d{12}$/.test(need.expectedBucketOwner)).toBe(true);
      }
    }), 1000);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

describe('documents that hold tokens', () => {
  /** The needs of a document whose text holds tokens, read like the data of a component of `stack`. */
  function readTokenized(stack: Stack, data: string): ComponentNeeds {
    const tokenized = readTokenizedDocument(stack, data)!;
    return readComponentDocument(tokenized.data, COMPONENT, tokenized.tokens);
  }

  test('given the bucketName of a bucket of the app, the need is in that bucket, whose name is never checked as a literal', () => {
    // given
    const stack = new Stack(new App(), 'Stack');
    const bucket = new s3.Bucket(stack, 'Artifacts');

    // when
    const needs = readTokenized(stack, download(`s3://${bucket.bucketName}/components/install.sh`));

    // then
    expect(messages(needs)).toEqual([]);
    expect(needs.s3).toHaveLength(1);
    expect(needs.s3[0].appBucket).toBe(bucket);
    expect(stack.resolve(needs.s3[0].bucketName)).toEqual({ Ref: stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket) });
    expect(needs.s3[0].key).toEqual(['components/install.sh']);
    expect(needs.s3[0].uri).toBe('s3://<bucket Stack/Artifacts>/components/install.sh');
  });

  test('given an expectedBucketOwner that is a deploy-time value, the warning says it is known at deployment, not when the build runs', () => {
    // given
    const stack = new Stack(new App(), 'Stack');

    // when the owner is the account of the stack, which CloudFormation fills in
    const needs = readTokenized(stack, download('s3://artifacts/app.zip', `\n      expectedBucketOwner: '${Aws.ACCOUNT_ID}'`));

    // then
    expect(messages(needs)).toEqual([expect.stringContaining("the expectedBucketOwner '<AWS::AccountId>' of 's3://artifacts/app.zip' is known only at deployment")]);
  });

  test('given a pseudo parameter in a key, the grant pattern keeps the same token, without a warning', () => {
    // given
    const stack = new Stack(new App(), 'Stack');

    // when
    const needs = readTokenized(stack, download(`s3://artifacts/accounts/${Aws.ACCOUNT_ID}/app.zip`));

    // then
    expect(messages(needs)).toEqual([]);
    expect(needs.s3[0].key).toEqual(['accounts/', { variable: Aws.ACCOUNT_ID, followed: true }, '/app.zip']);
    expect(stack.resolve(keyPattern(needs.s3[0].key))).toEqual({ 'Fn::Join': ['', ['accounts/', { Ref: 'AWS::AccountId' }, '/app.zip']] });
  });

  test('given a token it cannot follow in a key, a warning names the step and the unknown part, and the component once', () => {
    // given
    const stack = new Stack(new App(), 'Stack');
    const version = new CfnParameter(stack, 'Version');

    // when
    const needs = readTokenized(stack, download(`s3://artifacts/releases/${version.valueAsString}/app.zip`));

    // then
    expect(keyPattern(needs.s3[0].key)).toBe('releases/*/app.zip');
    expect(messages(needs)).toEqual([`${COMPONENT}, step 'build/Fetch' (S3Download): the key of 's3://artifacts/releases/<Version>/app.zip' depends on `
      + "'<Version>' (known at deployment), so read access to 'releases/*/app.zip' in bucket 'artifacts' was granted; write the key without it "
      + 'to grant only what it names, or declare its folder with artifactLocations / artifact_locations or addArtifactLocation / add_artifact_location '
      + 'and leave the component out of addComponent / add_component and addComponentData / add_component_data, for ComponentAccessChecks to check '
      + "against that folder, or acknowledge this warning when 'releases/*/app.zip' is what you want granted"]);
  });

  test('given a bucket name made of literal text and a pseudo parameter, the need is in that bucket, its name kept as text and token', () => {
    // given
    const stack = new Stack(new App(), 'Stack');

    // when
    const needs = readTokenized(stack, download(`s3://artifacts-${Aws.ACCOUNT_ID}/app.zip`));

    // then
    expect(messages(needs)).toEqual([]);
    expect(needs.s3).toHaveLength(1);
    expect(needs.s3[0].appBucket).toBeUndefined();
    expect(stack.resolve(needs.s3[0].bucketName)).toEqual({ 'Fn::Join': ['', ['artifacts-', { Ref: 'AWS::AccountId' }]] });
    expect(needs.s3[0].uri).toBe('s3://artifacts-<AWS::AccountId>/app.zip');
  });

  test('given a bucket name of a pseudo parameter and text that no bucket name may hold, a warning names the step and the bucket, and nothing is needed', () => {
    // given
    const stack = new Stack(new App(), 'Stack');

    // when
    const needs = readTokenized(stack, download(`s3://Artifacts_${Aws.ACCOUNT_ID}/app.zip`));

    // then
    expect(needs.s3).toEqual([]);
    expect(messages(needs)).toEqual([expect.stringMatching(
      /^component 'docs', step 'build\/Fetch' \(S3Download\): the bucket of 's3:\/\/Artifacts_<AWS::AccountId>\/app.zip' is not a valid S3 bucket name/)]);
  });

  test('given a bucket name with a token it cannot follow, a warning names the step and the bucket, and nothing is needed', () => {
    // given
    const stack = new Stack(new App(), 'Stack');
    const suffix = new CfnParameter(stack, 'Suffix');

    // when
    const needs = readTokenized(stack, download(`s3://artifacts-${suffix.valueAsString}/app.zip`));

    // then
    expect(needs.s3).toEqual([]);
    expect(messages(needs)).toEqual([expect.stringMatching(
      /^component 'docs', step 'build\/Fetch' \(S3Download\): the bucket of 's3:\/\/artifacts-<Suffix>\/app.zip' is not known until deployment/)]);
  });

  test('property: the needs of a document with app bucket and pseudo parameter tokens are those of the document with the values written out', () => {
    const part = fc.constantFrom('app', 'v1', 'x.sh', '{{ version }}', 'ACCOUNT', 'REGION');
    const step = fc.record({ bucket: fc.constantFrom('alpha', 'beta', 'gamma'), key: fc.array(part, { minLength: 1, maxLength: 4 }), folder: fc.boolean() });
    checkProperty(fc.property(fc.array(step, { minLength: 1, maxLength: 4 }), steps => {
      // given
      const stack = new Stack(new App(), 'Stack', { env: { account: '111122223333', region: 'eu-west-1' } });
      const names = { alpha: 'alpha-bucket', beta: 'beta-bucket', gamma: 'gamma-bucket' };
      const buckets = { alpha: new s3.Bucket(stack, 'Alpha', { bucketName: names.alpha }), beta: new s3.Bucket(stack, 'Beta', { bucketName: names.beta }) };
      const documentOf = (tokens: boolean) => document(steps.map((s, i) => {
        const bucket = tokens && s.bucket !== 'gamma' ? buckets[s.bucket as 'alpha' | 'beta'].bucketName : names[s.bucket as keyof typeof names];
        const key = s.key.map(k => k === 'ACCOUNT' ? (tokens ? Aws.ACCOUNT_ID : '111122223333') : k === 'REGION' ? (tokens ? Aws.REGION : 'eu-west-1') : k).join('/');
        return `- name: Fetch${i}\n  action: S3Download\n  inputs:\n    - source: 's3://${bucket}/${key}${s.folder ? '/*' : ''}'\n      destination: /tmp/x\n`;
      }).join(''));

      // when
      const literal = read(documentOf(false));
      const tokenized = readTokenized(stack, documentOf(true));

      // then: the values CloudFormation gives the tokens are the values written out
      const values: Record<string, string> = {
        'AWS::AccountId': '111122223333',
        'AWS::Region': 'eu-west-1',
        [stack.getLogicalId(buckets.alpha.node.defaultChild as s3.CfnBucket)]: names.alpha,
        [stack.getLogicalId(buckets.beta.node.defaultChild as s3.CfnBucket)]: names.beta,
      };
      const deployed = (value: any): string => typeof value === 'string' ? value
        : value.Ref !== undefined ? values[value.Ref] : value['Fn::Join'][1].map(deployed).join(value['Fn::Join'][0]);
      const grants = (needs: ComponentNeeds) => needs.s3.map(n => ({
        bucket: deployed(stack.resolve(n.appBucket ? n.appBucket.bucketName : n.bucketName)),
        pattern: deployed(stack.resolve(keyPattern(n.key))),
        folder: n.folder,
        access: n.access,
      }));
      expect(grants(tokenized)).toEqual(grants(literal));
      expect(tokenized.s3.filter(n => n.appBucket).length).toBe(steps.filter(s => s.bucket !== 'gamma').length);
      expect(tokenized.warnings).toEqual(literal.warnings);
    }), 50);
  });
});
