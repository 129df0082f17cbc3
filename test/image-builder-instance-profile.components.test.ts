import { App, Aws, CfnParameter, CustomResource, Fn, Lazy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { ImageBuilderInstanceProfile } from '../src';
import { downloadDocument, uploadDocument } from './helpers/component-documents';
import { ACCOUNT, EffectivePermissions, REGION } from './helpers/effective-permissions';
import { checkAsyncProperty, checkProperty } from './private/property-helpers';

// document shapes as AWS documents them for the S3Download and S3Upload action modules:
// https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-action-modules.html
const DOWNLOADS = `
name: download-artifacts
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: DownloadMyFiles
        action: S3Download
        inputs:
          - source: s3://mybucket/path/to/file.txt
            destination: C:\\myfolder\\file.txt
            expectedBucketOwner: 123456789022
            overwrite: false
          - source: s3://mybucket/path/to/folder/*
            destination: C:\\myfolder\\
`;

const UPLOADS = `
name: upload-results
schemaVersion: 1.0
phases:
  - name: test
    steps:
      - name: MyS3UploadFile
        action: S3Upload
        onFailure: Abort
        maxAttempts: 3
        inputs:
          - source: C:\\myfolder\\package.zip
            destination: s3://results/path/to/package.zip
            expectedBucketOwner: 123456789022
          - source: C:\\myfolder\\*
            destination: s3://results/reports
          - source: /var/log/
            destination: s3://results/logs/
            recurse: true
`;

function withComponent(data: string, add: (profile: ImageBuilderInstanceProfile, component: imagebuilder.CfnComponent) => void) {
  const stack = new Stack(new App(), 'Stack');
  const profile = new ImageBuilderInstanceProfile(stack, 'Profile');
  const component = new imagebuilder.CfnComponent(stack, 'Component', { name: 'my-component', platform: 'Linux', version: '1.0.0', data });
  add(profile, component);
  const template = Template.fromStack(stack);
  const permissions = EffectivePermissions.ofRole(template.toJSON() as any, stack.getLogicalId(profile.role.node.defaultChild as iam.CfnRole));
  return { stack, permissions, template };
}

describe('addComponent', () => {
  const { permissions } = withComponent(DOWNLOADS, (profile, component) => profile.addComponent(component));

  test('an S3Download of one object grants reading that object only, in a bucket of its expectedBucketOwner', async () => {
    const owner = { 's3:ResourceAccount': '123456789022' };
    expect(await permissions.decide('s3:GetObject', 'arn:aws:s3:::mybucket/path/to/file.txt', owner)).toEqual('Allowed');
    expect(await permissions.decide('s3:GetObject', 'arn:aws:s3:::mybucket/path/to/other.txt', owner)).toEqual('ImplicitlyDenied');
    // a bucket of that name in another account: AWSTOE would refuse it, and IAM does too
    expect(await permissions.decide('s3:GetObject', 'arn:aws:s3:::mybucket/path/to/file.txt', { 's3:ResourceAccount': '999988887777' })).toEqual('ImplicitlyDenied');
  });

  test('an S3Download of a folder (/*) grants reading and listing that folder only', async () => {
    expect(await permissions.decide('s3:GetObject', 'arn:aws:s3:::mybucket/path/to/folder/a/b.sh')).toEqual('Allowed');
    expect(await permissions.decide('s3:ListBucket', 'arn:aws:s3:::mybucket', { 's3:prefix': 'path/to/folder/' })).toEqual('Allowed');
    expect(await permissions.decide('s3:ListBucket', 'arn:aws:s3:::mybucket', { 's3:prefix': 'path/' })).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('s3:GetObject', 'arn:aws:s3:::mybucket/path/to/folder-other/x')).toEqual('ImplicitlyDenied');
  });

  test('downloads grant nothing to write', async () => {
    expect(await permissions.decide('s3:PutObject', 'arn:aws:s3:::mybucket/path/to/file.txt')).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('s3:PutObject', 'arn:aws:s3:::mybucket/path/to/folder/x')).toEqual('ImplicitlyDenied');
  });

  test('a construct that holds no CfnComponent is an error that names it', () => {
    const stack = new Stack(new App(), 'Stack');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');
    const notAComponent = new Construct(stack, 'NotAComponent');
    new s3.Bucket(notAComponent, 'Bucket');

    expect(() => profile.addComponent(notAComponent)).toThrow(/^addComponent: 'Stack\/NotAComponent' is not an Image Builder component/);
  });
});

describe('addComponentData', () => {
  const { permissions } = withComponent(DOWNLOADS, profile => profile.addComponentData(UPLOADS));

  test('an S3Upload of one file grants writing that object only, in a bucket of its expectedBucketOwner', async () => {
    const owner = { 's3:ResourceAccount': '123456789022' };
    expect(await permissions.decide('s3:PutObject', 'arn:aws:s3:::results/path/to/package.zip', owner)).toEqual('Allowed');
    expect(await permissions.decide('s3:PutObject', 'arn:aws:s3:::results/path/to/other.zip', owner)).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('s3:PutObject', 'arn:aws:s3:::results/path/to/package.zip', { 's3:ResourceAccount': '999988887777' })).toEqual('ImplicitlyDenied');
  });

  test('an S3Upload whose source has a * or that recurses grants writing under the destination folder', async () => {
    expect(await permissions.decide('s3:PutObject', 'arn:aws:s3:::results/reports/a.txt')).toEqual('Allowed');
    expect(await permissions.decide('s3:PutObject', 'arn:aws:s3:::results/logs/messages')).toEqual('Allowed');
    expect(await permissions.decide('s3:PutObject', 'arn:aws:s3:::results/reports-other/a.txt')).toEqual('ImplicitlyDenied');
  });

  test('uploads grant nothing to read or list', async () => {
    expect(await permissions.decide('s3:GetObject', 'arn:aws:s3:::results/reports/a.txt')).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('s3:ListBucket', 'arn:aws:s3:::results', { 's3:prefix': 'reports/' })).toEqual('ImplicitlyDenied');
  });

  test('a document that is only given to addComponentData is not granted by the component that is not added', async () => {
    expect(await permissions.decide('s3:GetObject', 'arn:aws:s3:::mybucket/path/to/file.txt')).toEqual('ImplicitlyDenied');
  });
});

describe('keys are data, not patterns', () => {
  const data = downloadDocument('odd-keys', 's3://artifacts/scripts/install?.sh', '/tmp/install.sh')
    + downloadDocument('more', 's3://artifacts/home/${aws:username}/x.sh', '/tmp/x.sh').replace(/^[\s\S]*?phases:\n  - name: build\n    steps:\n/, '')
      .replace('- name: Fetch', '- name: FetchHome');
  const { stack, permissions } = withComponent(data, profile => profile.addComponentData(data));

  test('a ? in a key is the character, escaped for IAM, not a wildcard', () => {
    const json = JSON.stringify(Template.fromStack(stack).toJSON());
    expect(json).toContain(':s3:::artifacts/scripts/install${?}.sh');
    expect(json).not.toContain(':s3:::artifacts/scripts/install?.sh');
  });

  test('${aws:username} in a key is text, not a policy variable: it reads that object, not the user\'s folder', async () => {
    expect(await permissions.decide('s3:GetObject', 'arn:aws:s3:::artifacts/home/${aws:username}/x.sh', { 'aws:username': 'alice' })).toEqual('Allowed');
    expect(await permissions.decide('s3:GetObject', 'arn:aws:s3:::artifacts/home/alice/x.sh', { 'aws:username': 'alice' })).toEqual('ImplicitlyDenied');
  });

  test('an invalid bucket name is a warning that names the component, the step and the name, not aws-cdk-lib\'s bare error', () => {
    const { stack: invalid, template } = withComponent(downloadDocument('bad', 's3://My_Bucket/x.sh', '/tmp/x.sh'),
      (profile, component) => profile.addComponent(component));

    Annotations.fromStack(invalid).hasWarning('/Stack/Profile', Match.stringLikeRegexp(
      "component 'my-component', step 'build/Fetch' \\(S3Download\\): 'My_Bucket' in 's3://My_Bucket/x.sh' is not a valid S3 bucket name"));
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });
});

describe('what cannot be read is never guessed', () => {
  // which of these shapes a release takes for a token varies across aws-cdk-lib 2.x: either way, nothing is granted
  test.each([
    ['a number', '"":\n  - -1.0000000000000003e+289\n'],
    ['a string', 'name: ${Token[TOKEN.99999]}\n'],
  ])('a document with text shaped like an aws-cdk-lib token (%s) is a warning that nothing was granted, and the synthesis succeeds', (_, data) => {
    const stack = new Stack(new App(), 'Stack');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');

    profile.addComponentData(data);

    expect(() => Template.fromStack(stack)).not.toThrow();
    // a token: 'addComponentData: the component document is not known until deployment, ...'; text: no phases
    Annotations.fromStack(stack).hasWarning('/Stack/Profile', Match.stringLikeRegexp(
      '^(addComponentData: the component document is not known until deployment|the component document given to addComponentData: .*), '
      + 'so nothing was granted for it'));
    Template.fromStack(stack).resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  test('a component given by uri is a warning naming it once, and grants nothing', () => {
    const stack = new Stack(new App(), 'Stack');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');
    const component = new imagebuilder.CfnComponent(stack, 'Component', {
      name: 'from-s3', platform: 'Linux', version: '1.0.0', uri: 's3://components/from-s3.yml',
    });

    profile.addComponent(component);

    Annotations.fromStack(stack).hasWarning('/Stack/Profile', Match.stringLikeRegexp("^addComponent: component 'from-s3' is given by uri \\('s3://components/from-s3.yml'\\)"));
    Template.fromStack(stack).resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  test('a component whose document cannot be read is a warning that says how to grant what it needs, in Python too', () => {
    // given a component given by uri, and a document known only at deployment
    const stack = new Stack(new App(), 'Stack');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');
    const component = new imagebuilder.CfnComponent(stack, 'Component', {
      name: 'from-s3', platform: 'Linux', version: '1.0.0', uri: 's3://components/from-s3.yml',
    });
    const document = new CustomResource(stack, 'Document', { serviceToken: 'arn:aws:lambda:us-east-1:111122223333:function:f' });

    // when
    profile.addComponent(component);
    profile.addComponentData(document.getAttString('Yaml'));

    // then
    const fix = 'add its S3 folders with addArtifactLocation / add_artifact_location, its parameters with addParameter / add_parameter';
    const warnings = Annotations.fromStack(stack).findWarning('/Stack/Profile', Match.anyValue()).map(w => String(w.entry.data).replace(/ \[ack: .*\]$/, ''));
    expect(warnings).toEqual([
      expect.stringMatching(new RegExp(`^addComponent: component 'from-s3' is given by uri .*, so what its steps need cannot be read and nothing was granted for it: ${fix}$`)),
      `addComponentData: the component document is not known until deployment, so nothing was granted for it: ${fix}`,
    ]);
  });

  test('a bucket that is a parameter is a warning naming the component and the step, and grants nothing', () => {
    const data = downloadDocument('parameterized', 's3://{{ Bucket }}/installer.msi', 'C:\\installer.msi', ['Bucket']);
    const { stack, template } = withComponent(data, (profile, component) => profile.addComponent(component));

    Annotations.fromStack(stack).hasWarning('/Stack/Profile',
      Match.stringLikeRegexp("component 'my-component', step 'build/Fetch' \\(S3Download\\): the bucket of 's3://\\{\\{ Bucket \\}\\}/installer.msi' is not known"));
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  test('a key with a parameter grants the narrowest pattern that covers its values, with a warning that names it', async () => {
    const data = downloadDocument('versioned', 's3://artifacts/releases/{{ Version }}/app.zip', '/tmp/app.zip');
    const { stack, permissions } = withComponent(data, (profile, component) => profile.addComponent(component));

    Annotations.fromStack(stack).hasWarning('/Stack/Profile', Match.stringLikeRegexp("read access to 'releases/\\*/app.zip' in bucket 'artifacts' was granted"));
    expect(await permissions.decide('s3:GetObject', 'arn:aws:s3:::artifacts/releases/1.2.3/app.zip')).toEqual('Allowed');
    expect(await permissions.decide('s3:GetObject', 'arn:aws:s3:::artifacts/releases/1.2.3/secrets.txt')).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('s3:GetObject', 'arn:aws:s3:::artifacts/other/app.zip')).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('s3:ListBucket', 'arn:aws:s3:::artifacts', { 's3:prefix': 'releases/' })).toEqual('ImplicitlyDenied');
  });

  test('a document that is one value known only at deployment (an attribute of a custom resource) is a warning naming the component once, and grants nothing', () => {
    const stack = new Stack(new App(), 'Stack');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');
    const document = new CustomResource(stack, 'Document', { serviceToken: 'arn:aws:lambda:us-east-1:111122223333:function:f' });
    const component = new imagebuilder.CfnComponent(stack, 'Component', {
      name: Lazy.string({ produce: () => 'named-later' }), platform: 'Linux', version: '1.0.0', data: document.getAttString('Yaml'),
    });

    profile.addComponent(component);
    profile.addComponentData(component.data!);

    Annotations.fromStack(stack).hasWarning('/Stack/Profile', Match.stringLikeRegexp("^addComponent: component 'Stack/Component' has data that is not known until deployment"));
    Annotations.fromStack(stack).hasWarning('/Stack/Profile', Match.stringLikeRegexp('^addComponentData: the component document is not known until deployment'));
    Template.fromStack(stack).resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  test('a malformed document is a warning, and grants nothing', () => {
    const { stack, template } = withComponent('phases: [\n  - name: build\n', (profile, component) => profile.addComponent(component));

    Annotations.fromStack(stack).hasWarning('/Stack/Profile', Match.stringLikeRegexp("component 'my-component': the component document is not valid YAML"));
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });
});

describe('component documents that hold tokens', () => {
  /** A stack with a profile, two buckets of the app (without names: CloudFormation names them) and a component of `data`. */
  function withAppBuckets(data: (artifacts: s3.Bucket, other: s3.Bucket) => string,
    add: (profile: ImageBuilderInstanceProfile, component: imagebuilder.CfnComponent) => void) {
    const stack = new Stack(new App(), 'Stack');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');
    const artifacts = new s3.Bucket(stack, 'Artifacts');
    const other = new s3.Bucket(stack, 'Other');
    const component = new imagebuilder.CfnComponent(stack, 'Component', { name: 'my-component', platform: 'Linux', version: '1.0.0', data: data(artifacts, other) });
    add(profile, component);
    const template = Template.fromStack(stack);
    const permissions = EffectivePermissions.ofRole(template.toJSON() as any, stack.getLogicalId(profile.role.node.defaultChild as iam.CfnRole));
    // how the test helper names a bucket without a BucketName: its logical id in lower case
    const arnOf = (bucket: s3.Bucket) => `arn:aws:s3:::${stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket).toLowerCase()}`;
    return { stack, permissions, template, artifacts: arnOf(artifacts), other: arnOf(other) };
  }

  const INSTALL = (bucket: s3.Bucket) => downloadDocument('install', `s3://${bucket.bucketName}/components/install.sh`, '/tmp/install.sh');

  test('given a download from a bucket of the app by its bucketName, addComponent grants s3:GetObject on that key of that bucket only', async () => {
    const { permissions, artifacts, other, stack } = withAppBuckets(INSTALL, (profile, component) => profile.addComponent(component));

    expect(await permissions.decide('s3:GetObject', `${artifacts}/components/install.sh`)).toEqual('Allowed');
    expect(await permissions.decide('s3:GetObject', `${artifacts}/components/other.sh`)).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('s3:GetObject', `${other}/components/install.sh`)).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('s3:GetObject', 'arn:aws:s3:::mybucket/components/install.sh')).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('s3:ListBucket', artifacts, { 's3:prefix': 'components/' })).toEqual('ImplicitlyDenied');
    Annotations.fromStack(stack).hasNoWarning('/Stack/Profile', Match.anyValue());
  });

  test('given a KMS-encrypted bucket of the app by its bucketName, addComponent grants kms:Decrypt on its key through S3, and nothing to encrypt', async () => {
    // given
    const stack = new Stack(new App(), 'Stack');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');
    const key = new kms.Key(stack, 'Key');
    const bucket = new s3.Bucket(stack, 'Artifacts', { encryptionKey: key });
    const component = new imagebuilder.CfnComponent(stack, 'Component', { name: 'c', platform: 'Linux', version: '1.0.0', data: INSTALL(bucket) });

    // when
    profile.addComponent(component);

    // then
    const roleId = stack.getLogicalId(profile.role.node.defaultChild as iam.CfnRole);
    const permissions = EffectivePermissions.ofRole(Template.fromStack(stack).toJSON() as any, roleId);
    const keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${stack.getLogicalId(key.node.defaultChild as kms.CfnKey)}`;
    const object = `arn:aws:s3:::${stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket).toLowerCase()}/components/install.sh`;
    const viaS3 = {
      'kms:CallerAccount': ACCOUNT,
      'kms:ViaService': `s3.${REGION}.amazonaws.com`,
      'aws:CalledVia': ['s3.amazonaws.com'],
      'kms:EncryptionContext:aws:s3:arn': object,
      'kms:EncryptionContextKeys': ['aws:s3:arn'],
    };
    expect(await permissions.decide('kms:Decrypt', keyArn, viaS3)).toEqual('Allowed');
    expect(await permissions.decide('kms:Decrypt', keyArn, { ...viaS3, 'kms:EncryptionContext:aws:s3:arn': `${object}.other` })).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('kms:GenerateDataKey', keyArn, viaS3)).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('kms:Decrypt', `arn:aws:kms:${REGION}:${ACCOUNT}:key/another`, viaS3)).toEqual('ImplicitlyDenied');
  });

  test('given the same document to addComponentData, it grants the same', async () => {
    let data = '';
    const { permissions, artifacts, other } = withAppBuckets(bucket => data = INSTALL(bucket), profile => profile.addComponentData(data));

    expect(await permissions.decide('s3:GetObject', `${artifacts}/components/install.sh`)).toEqual('Allowed');
    expect(await permissions.decide('s3:GetObject', `${other}/components/install.sh`)).toEqual('ImplicitlyDenied');
  });

  test('given data written with Fn.sub (a variable of the map, a logical id, a pseudo parameter), the grants follow the buckets it names', async () => {
    const { permissions, artifacts, other } = withAppBuckets((bucket, second) => Fn.sub(`
name: mixed
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Publish
        action: S3Upload
        inputs:
          - source: /tmp/report.txt
            destination: s3://\${Target}/reports/\${AWS::Region}/report.txt
      - name: Fetch
        action: S3Download
        inputs:
          - source: s3://\${${(second.node.defaultChild as s3.CfnBucket).logicalId}}/tools/tool.sh
            destination: /tmp/tool.sh
`, { Target: bucket.bucketName }), (profile, component) => profile.addComponent(component));

    expect(await permissions.decide('s3:PutObject', `${artifacts}/reports/us-east-1/report.txt`)).toEqual('Allowed');
    expect(await permissions.decide('s3:PutObject', `${artifacts}/reports/eu-west-1/report.txt`)).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('s3:PutObject', `${other}/reports/us-east-1/report.txt`)).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('s3:GetObject', `${other}/tools/tool.sh`)).toEqual('Allowed');
    expect(await permissions.decide('s3:GetObject', `${artifacts}/tools/tool.sh`)).toEqual('ImplicitlyDenied');
  });

  test('given a pseudo parameter in the key, the grant keeps it as the same token, resolved at deployment', async () => {
    const { permissions, artifacts, template } = withAppBuckets(
      bucket => downloadDocument('install', `s3://${bucket.bucketName}/accounts/${Aws.ACCOUNT_ID}/install.sh`, '/tmp/install.sh'),
      (profile, component) => profile.addComponent(component));

    expect(await permissions.decide('s3:GetObject', `${artifacts}/accounts/${ACCOUNT}/install.sh`)).toEqual('Allowed');
    expect(await permissions.decide('s3:GetObject', `${artifacts}/accounts/999988887777/install.sh`)).toEqual('ImplicitlyDenied');
    expect(JSON.stringify(template.toJSON())).toContain('{"Ref":"AWS::AccountId"}');
  });

  test('given a pseudo parameter in the bucket name, the grant is on the bucket of that name at deployment', async () => {
    const { permissions } = withAppBuckets(() => downloadDocument('install', `s3://artifacts-${Aws.ACCOUNT_ID}/app/install.sh`, '/tmp/install.sh'),
      (profile, component) => profile.addComponent(component));

    expect(await permissions.decide('s3:GetObject', `arn:aws:s3:::artifacts-${ACCOUNT}/app/install.sh`, { 's3:ResourceAccount': undefined })).toEqual('Allowed');
    expect(await permissions.decide('s3:GetObject', 'arn:aws:s3:::artifacts-999988887777/app/install.sh', { 's3:ResourceAccount': undefined })).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('s3:GetObject', `arn:aws:s3:::artifacts-${ACCOUNT}/app/other.sh`, { 's3:ResourceAccount': undefined })).toEqual('ImplicitlyDenied');
  });

  test('given a token the library cannot follow in the key, a warning names the step and the unknown part, and the component once', () => {
    const { stack } = withAppBuckets(bucket => {
      const version = new CfnParameter(bucket.stack, 'Version');
      return downloadDocument('install', `s3://${bucket.bucketName}/releases/${version.valueAsString}/install.sh`, '/tmp/install.sh');
    }, (profile, component) => profile.addComponent(component));

    const warnings = Annotations.fromStack(stack).findWarning('/Stack/Profile', Match.stringLikeRegexp('releases'));
    expect(warnings.map(w => w.entry.data)).toEqual([expect.stringMatching(
      /^component 'my-component', step 'build\/Fetch' \(S3Download\): the key of 's3:\/\/<bucket Stack\/Artifacts>\/releases\/<Version>\/install.sh' depends on '<Version>'/)]);
    expect(warnings[0].entry.data).not.toMatch(/my-component.*my-component/);
  });

  test('property: the grants of a document with app bucket tokens equal those of the same document with the names written out', () => {
    const step = fc.record({
      bucket: fc.constantFrom('alpha', 'beta', 'literal'),
      key: fc.array(fc.constantFrom('app', 'v1', 'x.sh', 'dir', '{{ version }}', '*', 'ACCOUNT'), { minLength: 1, maxLength: 4 }),
      folder: fc.boolean(),
      upload: fc.boolean(),
    });
    checkProperty(fc.property(fc.array(step, { minLength: 1, maxLength: 4 }), steps => {
      const grants = (tokens: boolean) => {
        const stack = new Stack(new App(), 'Stack', { env: { account: tokens ? undefined : ACCOUNT } });
        const profile = new ImageBuilderInstanceProfile(stack, 'Profile');
        const buckets: Record<string, string> = {
          alpha: new s3.Bucket(stack, 'Alpha', { bucketName: 'alpha-bucket' }).bucketName,
          beta: new s3.Bucket(stack, 'Beta', { bucketName: 'beta-bucket' }).bucketName,
          literal: 'literal-bucket',
        };
        const documents = steps.map((s, i) => {
          const bucket = tokens ? buckets[s.bucket] : `${s.bucket === 'literal' ? 'literal' : s.bucket}-bucket`;
          const key = s.key.map(k => k === 'ACCOUNT' ? (tokens ? Aws.ACCOUNT_ID : ACCOUNT) : k).join('/');
          return s.upload
            ? uploadDocument(`up${i}`, s.folder ? '/tmp/out/*' : '/tmp/out.txt', `s3://${bucket}/${key}${s.folder ? '/' : ''}`)
            : downloadDocument(`down${i}`, `s3://${bucket}/${key}${s.folder ? '/*' : ''}`, '/tmp/in');
        });
        documents.forEach(d => profile.addComponentData(d));
        const template = Template.fromStack(stack).toJSON() as any;
        const permissions = EffectivePermissions.ofRole(template, stack.getLogicalId(profile.role.node.defaultChild as iam.CfnRole));
        return statementsOf(permissions.identityPolicies.map(p => p.policy));
      };
      expect(grants(true)).toEqual(grants(false));
    }), 25);
  });
});

/** The allowed (action, resource, condition) triples of policy documents, sorted: how they are grouped into statements does not matter. */
function statementsOf(documents: any[]): string[] {
  const out = new Set<string>();
  for (const document of documents) {
    for (const statement of [document.Statement].flat()) {
      for (const action of [statement.Action].flat()) {
        for (const resource of [statement.Resource].flat()) {
          out.add(JSON.stringify([statement.Effect, action, resource, sortDeep(statement.Condition)]));
        }
      }
    }
  }
  return [...out].sort();
}

function sortDeep(value: any): any {
  if (Array.isArray(value)) {
    return value.map(sortDeep).sort();
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map(k => [k, sortDeep(value[k])]));
  }
  return value;
}
describe('a bucket of the app behind a literal name', () => {
  // what S3 sends to KMS for the caller of an SSE-KMS GetObject or PutObject of the object
  const VIA_S3 = (object: string) => ({
    'kms:ViaService': `s3.${REGION}.amazonaws.com`,
    'kms:CallerAccount': ACCOUNT,
    'kms:EncryptionContext:aws:s3:arn': `arn:aws:s3:::team-artifacts/${object}`,
    'kms:EncryptionContextKeys': ['aws:s3:arn'],
  });

  function withAppBucket(data: string, bucketFirst = true) {
    const stack = new Stack(new App(), 'Stack');
    const addBucket = () => new s3.Bucket(stack, 'A', { bucketName: 'team-artifacts', encryption: s3.BucketEncryption.KMS });
    const before = bucketFirst ? addBucket() : undefined;
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');
    const component = new imagebuilder.CfnComponent(stack, 'Component', { name: 'my-component', platform: 'Linux', version: '1.0.0', data });
    const bucket = before ?? addBucket();
    profile.addComponent(component);
    const template = Template.fromStack(stack).toJSON() as any;
    const permissions = EffectivePermissions.ofRole(template, stack.getLogicalId(profile.role.node.defaultChild as iam.CfnRole));
    const keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${stack.getLogicalId(bucket.encryptionKey!.node.defaultChild as kms.CfnKey)}`;
    return { permissions, keyArn };
  }

  test('given an SSE-KMS bucket of the app, when the instance calls KMS directly or through another service, then its key decrypts nothing', async () => {
    // given a download from the bucket, granted with addComponent
    const { permissions, keyArn } = withAppBucket(downloadDocument('install', 's3://team-artifacts/app/install.sh', '/tmp/install.sh'));

    // when the instance calls kms:Decrypt itself (no kms:ViaService), or through Secrets Manager, with the same key
    const direct = await permissions.decide('kms:Decrypt', keyArn, { 'kms:CallerAccount': ACCOUNT });
    const viaSecretsManager = await permissions.decide('kms:Decrypt', keyArn, { ...VIA_S3, 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` });

    // then only S3 may use the key for it
    expect(direct).toEqual('ImplicitlyDenied');
    expect(viaSecretsManager).toEqual('ImplicitlyDenied');
  });

  test('given an SSE-KMS bucket of the app, when a component downloads from it by name, then its key decrypts the object', async () => {
    const { permissions, keyArn } = withAppBucket(downloadDocument('install', 's3://team-artifacts/app/install.sh', '/tmp/install.sh'));

    expect(await permissions.decide('s3:GetObject', 'arn:aws:s3:::team-artifacts/app/install.sh')).toEqual('Allowed');
    expect(await permissions.decide('kms:Decrypt', keyArn, VIA_S3('app/install.sh'))).toEqual('Allowed');
    expect(await permissions.decide('kms:Decrypt', keyArn, VIA_S3('app/other.sh'))).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('kms:GenerateDataKey', keyArn, VIA_S3('app/install.sh'))).toEqual('ImplicitlyDenied');
  });

  test('given an SSE-KMS bucket of the app, when a component uploads into it by name, then its key encrypts the object', async () => {
    const { permissions, keyArn } = withAppBucket(uploadDocument('publish', '/tmp/report.txt', 's3://team-artifacts/reports/report.txt'));

    expect(await permissions.decide('s3:PutObject', 'arn:aws:s3:::team-artifacts/reports/report.txt')).toEqual('Allowed');
    expect(await permissions.decide('kms:GenerateDataKey', keyArn, VIA_S3('reports/report.txt'))).toEqual('Allowed');
    expect(await permissions.decide('kms:Decrypt', keyArn, VIA_S3('reports/report.txt'))).toEqual('Allowed');
  });

  test('given the bucket is defined after the component, when the component is added, then the bucket is found all the same', async () => {
    const { permissions, keyArn } = withAppBucket(downloadDocument('install', 's3://team-artifacts/app/install.sh', '/tmp/install.sh'), false);

    expect(await permissions.decide('kms:Decrypt', keyArn, VIA_S3('app/install.sh'))).toEqual('Allowed');
  });

  test('given an SSE-KMS bucket of that name in another stack, when a component downloads by name, then its key is not granted and a warning says how, in Python too', () => {
    const app = new App();
    new s3.Bucket(new Stack(app, 'Storage'), 'A', { bucketName: 'team-artifacts', encryption: s3.BucketEncryption.KMS });
    const stack = new Stack(app, 'Stack');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');

    profile.addComponentData(downloadDocument('install', 's3://team-artifacts/app/install.sh', '/tmp/install.sh'));

    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('kms:');
    Annotations.fromStack(stack).hasWarning('/Stack/Profile', Match.stringLikeRegexp(
      "A component names the bucket 'team-artifacts', which is 'Storage/A' of another stack: its KMS key was not granted. "
      + 'Add the folder with addArtifactLocation / add_artifact_location, which grants the key, or grant kms:Decrypt on the key yourself'));
  });

  test('given a bucket of that name in a stack of another region, when a component downloads by name, then its key is not granted', () => {
    const app = new App();
    const other = new Stack(app, 'Other', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    new s3.Bucket(other, 'A', { bucketName: 'team-artifacts', encryption: s3.BucketEncryption.KMS });
    const stack = new Stack(app, 'Stack', { env: { account: ACCOUNT, region: REGION } });
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');

    profile.addComponentData(downloadDocument('install', 's3://team-artifacts/app/install.sh', '/tmp/install.sh'));

    const json = JSON.stringify(Template.fromStack(stack).toJSON());
    expect(json).toContain(':s3:::team-artifacts/app/install.sh');
    expect(json).not.toContain('kms:');
  });
});

describe('a download of the keys that begin with a prefix', () => {
  const { permissions } = withComponent(downloadDocument('releases', 's3://team-artifacts/releases/app-*', '/tmp/releases/'),
    (profile, component) => profile.addComponent(component));

  test('given s3://bucket/releases/app-*, when added, then the objects under that prefix can be read, and no other', async () => {
    expect(await permissions.decide('s3:GetObject', 'arn:aws:s3:::team-artifacts/releases/app-1.2.3.zip')).toEqual('Allowed');
    expect(await permissions.decide('s3:GetObject', 'arn:aws:s3:::team-artifacts/releases/other.zip')).toEqual('ImplicitlyDenied');
  });

  test('given s3://bucket/releases/app-*, when added, then AWSTOE may list exactly that prefix, and nothing wider', async () => {
    expect(await permissions.decide('s3:ListBucket', 'arn:aws:s3:::team-artifacts', { 's3:prefix': 'releases/app-' })).toEqual('Allowed');
    expect(await permissions.decide('s3:ListBucket', 'arn:aws:s3:::team-artifacts', { 's3:prefix': 'releases/' })).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('s3:ListBucket', 'arn:aws:s3:::team-artifacts', { 's3:prefix': 'releases/app-1' })).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('s3:ListBucket', 'arn:aws:s3:::team-artifacts', { 's3:prefix': '' })).toEqual('ImplicitlyDenied');
    expect(await permissions.decide('s3:ListBucket', 'arn:aws:s3:::team-artifacts')).toEqual('ImplicitlyDenied');
  });
});

describe('key-prefix listings, for any literal prefix', () => {
  const segment = fc.stringMatching(/^[a-z0-9*?$._-]{1,8}$/);
  const prefixes = fc.array(segment, { minLength: 1, maxLength: 3 }).map(parts => parts.join('/'));

  test('given s3://bucket/<prefix>*, when added, then listing exactly <prefix> is allowed, and one character more or less is not', async () => {
    await checkAsyncProperty(fc.asyncProperty(prefixes, async prefix => {
      const { permissions } = withComponent(downloadDocument('releases', `s3://team-artifacts/${prefix}*`, '/tmp/releases/'),
        (profile, component) => profile.addComponent(component));
      await permissions.validate();
      const list = (value: string) => permissions.decideLiterally('s3:ListBucket', 'arn:aws:s3:::team-artifacts',
        { 'aws:PrincipalAccount': ACCOUNT, 's3:prefix': value });

      expect([prefix, list(prefix)]).toEqual([prefix, 'Allowed']);
      expect([prefix, list(`${prefix}x`)]).toEqual([prefix, 'ImplicitlyDenied']);
      expect([prefix, list(prefix.slice(0, -1))]).toEqual([prefix, 'ImplicitlyDenied']);
    }), 25);
  });
});
