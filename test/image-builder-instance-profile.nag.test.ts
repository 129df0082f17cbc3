import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { ImageBuilderInstanceProfile } from '../src';
import { downloadDocument } from './helpers/component-documents';
import { awsSolutionsFindings, CDK_VERSION, nagFindings, NAG_MAJOR, NAG_V3_PLUGIN_FAILURE, PackName, PACKS } from './helpers/nag';
import { FullFeaturedStack, scaleProfile } from './helpers/scenarios';
import { WorkshopStack } from '../examples/workshop';
import { flattenCfnReference } from '../src/private/nag';

// cdk-nag 2 is tested with the aws-cdk-lib floor; .ci/test-aws-cdk-lib-versions.sh runs these tests on releases
// across the supported range, with cdk-nag 3 from aws-cdk-lib 2.257.0 on
function workshop(): { app: App; stack: Stack; bucket: s3.Bucket; profile: ImageBuilderInstanceProfile } {
  const app = new App();
  const stack = new Stack(app, 'Stack');
  const bucket = new s3.Bucket(stack, 'Bucket', { encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
  const profile = new ImageBuilderInstanceProfile(stack, 'Profile', {
    roleName: 'TeamRole',
    containerBuilds: true,
    artifactLocations: [{ bucket, keyPrefix: 'components' }, { bucket: s3.Bucket.fromBucketName(stack, 'Shared', 'shared-artifacts'), keyPrefix: 'team' }],
    logLocation: { bucket, keyPrefix: 'logs' },
  });
  return { app, stack, bucket, profile };
}

// on aws-cdk-lib 2.257.0, cdk-nag 3's packs cannot run as validation plugins at all (see the test at the end)
const whenNagRuns = NAG_V3_PLUGIN_FAILURE === undefined ? test : test.skip;

const ownFindings = (findings: string[]) => findings.filter(f => f.startsWith('/Stack/Profile/') || f.startsWith('Stack/Profile/'));

whenNagRuns(`cdk-nag ${NAG_MAJOR} AwsSolutions reports nothing about the construct's own choices`, () => {
  const { app } = workshop();

  const findings = awsSolutionsFindings(app);

  expect(ownFindings(findings)).toEqual([]);
});

whenNagRuns('without the acknowledgments, AwsSolutions would report the managed policies and the folder wildcards', () => {
  // proves the test above can fail: the same policies on a plain role are reported
  const app = new App();
  const stack = new Stack(app, 'Stack');
  const bucket = new s3.Bucket(stack, 'Bucket');
  const role = new iam.Role(stack, 'Plain', {
    assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('EC2InstanceProfileForImageBuilder')],
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('components/*')] }));

  const findings = awsSolutionsFindings(app).filter(f => f.includes('/Plain/'));

  expect(findings).toEqual(expect.arrayContaining([
    expect.stringMatching(/AwsSolutions-IAM4\[Policy::arn:<AWS::Partition>:iam::aws:policy\/EC2InstanceProfileForImageBuilder\]/),
    expect.stringMatching(/AwsSolutions-IAM5\[Resource::<Bucket.*\.Arn>\/components\/\*\]/),
  ]));
});

whenNagRuns('an AWS managed policy that the user adds is still reported', () => {
  const { app, profile } = workshop();

  profile.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonS3ReadOnlyAccess'));

  expect(ownFindings(awsSolutionsFindings(app))).toEqual([
    expect.stringMatching(/Profile\/Role.*: AwsSolutions-IAM4\[Policy::arn:<AWS::Partition>:iam::aws:policy\/AmazonS3ReadOnlyAccess\]$/),
  ]);
});

whenNagRuns('a wildcard grant that the user adds is still reported', () => {
  const { app, bucket, profile } = workshop();

  bucket.grantRead(profile);

  const findings = ownFindings(awsSolutionsFindings(app));
  expect(findings).toEqual(expect.arrayContaining([
    expect.stringMatching(/AwsSolutions-IAM5\[Action::s3:GetObject\*\]$/),
    expect.stringMatching(/AwsSolutions-IAM5\[Resource::<Bucket.*\.Arn>\/\*\]$/),
  ]));
  expect(findings.filter(f => /components|logs/.test(f))).toEqual([]);
});

whenNagRuns('a whole bucket given as an artifact location is reported: the user chose it, and nothing narrower is true', () => {
  const { app, profile, stack } = workshop();

  profile.addArtifactLocation({ bucket: s3.Bucket.fromBucketName(stack, 'Everything', 'everything') });

  expect(ownFindings(awsSolutionsFindings(app))).toEqual([
    expect.stringMatching(/Profile\/Policy\/Resource: AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:s3:::everything\/\*\]$/),
  ]);
});

whenNagRuns('a whole bucket that a component downloads as a folder is reported: nothing narrower is true', () => {
  const { app, profile } = workshop();

  profile.addComponentData(downloadDocument('everything', 's3://everything/*', '/tmp/everything'));

  expect(ownFindings(awsSolutionsFindings(app))).toEqual([
    expect.stringMatching(/AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:s3:::everything\/\*\]$/),
  ]);
});

whenNagRuns('a document key built from a parameter is acknowledged with a reason that says so; a key that is all parameter is reported', () => {
  const { app, profile } = workshop();

  profile.addComponentData(downloadDocument('versioned', 's3://team-artifacts/releases/{{ version }}/app.zip', '/tmp/app.zip', ['version']));
  profile.addComponentData(downloadDocument('anything', 's3://team-anything/{{ key }}', '/tmp/x', ['key']));

  expect(ownFindings(awsSolutionsFindings(app))).toEqual([
    expect.stringMatching(/AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:s3:::team-anything\/\*\]$/),
  ]);
  if (NAG_MAJOR < 3) {
    const reasons = profile.node.findAll().flatMap(c => (c as any).getMetadata?.('cdk_nag')?.rules_to_suppress ?? []).map((r: any) => r.reason);
    expect(reasons).toEqual(expect.arrayContaining([expect.stringMatching(/downloads 's3:\/\/team-artifacts\/releases\/\{\{ version \}\}\/app.zip', whose key holds '\{\{ version \}\}'/)]));
  }
});

/**
 * The acknowledgments recorded under the construct, as `<rule>[<finding>]` with their reasons: cdk-nag 2's
 * `cdk_nag` metadata, one entry per finding it applies to, or cdk-nag 3's acknowledged-rules metadata.
 */
function acknowledgments(scope: Construct): { id: string; reason: string }[] {
  if (NAG_MAJOR < 3) {
    return scope.node.findAll().flatMap(c => (c as any).getMetadata?.('cdk_nag')?.rules_to_suppress ?? [])
      .flatMap((r: any) => (r.applies_to ?? ['']).map((finding: string) => ({ id: finding ? `${r.id}[${finding}]` : r.id, reason: r.reason })));
  }
  return scope.node.findAll().flatMap(c => c.node.metadata.filter(m => m.type === 'aws:cdk:acknowledged-rules'))
    .flatMap(m => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ id: id.replace(/^annotation::/, ''), reason })));
}

whenNagRuns('the acknowledgments give the reasons the README states: managed policies, folder wildcards and literal stars', () => {
  // given the workshop profile, and a document that downloads an object whose key holds the character '*'
  const { app, profile } = workshop();
  profile.addComponentData(downloadDocument('starred', 's3://team-artifacts/builds/a*b.zip', '/tmp/ab.zip'));

  // when a pack checks it
  const findings = awsSolutionsFindings(app);

  // then the acknowledgments cover every finding about the construct's own choices, with these reasons
  expect(ownFindings(findings)).toEqual([]);
  expect(acknowledgments(profile)).toEqual(expect.arrayContaining([
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/EC2InstanceProfileForImageBuilder]',
      reason: expect.stringMatching(/^EC2 Image Builder requires this AWS managed policy on the instance profile of its build and test instances; AWS maintains it as the service changes\.$/),
    },
    {
      id: expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<Bucket[^>]*\.Arn>\/components\/\*\]$/),
      reason: expect.stringMatching(/the wildcard is limited to that folder/),
    },
    {
      // cdk-nag names the escaped '${*}' as a reference: '<*>'
      id: expect.stringMatching(/^AwsSolutions-IAM5\[Resource::.*team-artifacts\/builds\/a<\*>b\.zip\]$/),
      reason: expect.stringMatching(/downloads 's3:\/\/team-artifacts\/builds\/a\*b\.zip': its '\*' is a character of the key, escaped for IAM as \$\{\*\}, not a wildcard/),
    },
  ]));
});

/** A profile with 80 folders in 80 buckets, whose statements fill several managed policies. */
function eightyFolders() {
  const app = new App();
  const stack = new Stack(app, 'Stack');
  const profile = new ImageBuilderInstanceProfile(stack, 'Profile');
  for (let i = 0; i < 80; i++) {
    const bucket = s3.Bucket.fromBucketName(stack, `Bucket${i}`, `artifact-bucket-with-a-rather-long-name-${i}`);
    profile.addArtifactLocation({ bucket, keyPrefix: `components/team-${i}/with/a/deep/prefix` });
  }
  return { app, stack, profile };
}

whenNagRuns('statements that fill several managed policies stay acknowledged', () => {
  const { app, stack } = eightyFolders();

  const findings = awsSolutionsFindings(app);

  expect(stack.node.findAll().filter(c => c instanceof iam.ManagedPolicy).length).toBeGreaterThan(0);
  expect(ownFindings(findings)).toEqual([]);
});

/** The resources whose AwsSolutions-IAM5 findings a managed policy acknowledges, as cdk-nag names them. */
function acknowledgedResources(policy: iam.ManagedPolicy): string[] {
  const ids = NAG_MAJOR < 3
    ? ((policy.node.defaultChild as iam.CfnManagedPolicy).getMetadata('cdk_nag')?.rules_to_suppress ?? [])
      .filter((rule: any) => rule.id === 'AwsSolutions-IAM5').flatMap((rule: any) => rule.applies_to ?? [])
      .map((finding: string) => `AwsSolutions-IAM5[${finding}]`)
    : policy.node.metadata.filter(m => m.type === 'aws:cdk:acknowledged-rules').flatMap(m => Object.keys(m.data))
      .map(id => id.replace(/^annotation::/, ''));
  return ids.map((id: string) => {
    const resource = /^AwsSolutions-IAM5\[Resource::(.*)\]$/.exec(id);
    if (!resource) {
      throw new Error(`unexpected acknowledgment on ${policy.node.path}: ${id}`);
    }
    return resource[1];
  });
}

whenNagRuns('each managed policy acknowledges only the wildcard resources that its own statements hold, and all of them', () => {
  // given
  const { app, stack, profile } = eightyFolders();

  // when
  const findings = awsSolutionsFindings(app);

  // then
  const policies = profile.node.findAll().filter((c): c is iam.ManagedPolicy => c instanceof iam.ManagedPolicy);
  expect(policies.length).toBeGreaterThan(2);
  const acknowledged = policies.map(policy => {
    const statements: any[] = stack.resolve((policy.node.defaultChild as iam.CfnManagedPolicy).policyDocument).Statement;
    const resources = statements.flatMap(statement => [statement.Resource].flat()).map(flattenCfnReference);
    return {
      policy: policy.node.id,
      outside: acknowledgedResources(policy).filter(r => !resources.includes(r)),
      wildcards: resources.filter(r => r.includes('*')).sort(),
      acknowledged: [...new Set(acknowledgedResources(policy))].sort(),
    };
  });
  expect(acknowledged.map(a => ({ policy: a.policy, outside: a.outside }))).toEqual(policies.map(p => ({ policy: p.node.id, outside: [] })));
  expect(acknowledged.map(a => a.acknowledged)).toEqual(acknowledged.map(a => a.wildcards));
  expect(acknowledged.flatMap(a => a.acknowledged)).toHaveLength(80);
  expect(ownFindings(findings)).toEqual([]);
});

whenNagRuns('a role that the user brings gets the same acknowledgments, and only those', () => {
  const app = new App();
  const stack = new Stack(app, 'Stack');
  const bucket = s3.Bucket.fromBucketName(stack, 'Bucket', 'artifacts');
  const role = new iam.Role(stack, 'Mine', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('private/*')] }));

  new ImageBuilderInstanceProfile(stack, 'Profile', { role, artifactLocations: [{ bucket, keyPrefix: 'components' }] });

  expect(awsSolutionsFindings(app).filter(f => f.includes('/Mine/'))).toEqual([
    expect.stringMatching(/AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:s3:::artifacts\/private\/\*\]$/),
  ]);
});

(NAG_MAJOR < 3 ? test : test.skip)('cdk-nag 2 suppressions are granular: every one names its findings and gives a reason', () => {
  const { stack, profile } = workshop();

  awsSolutionsFindings(stack.node.root as App);

  const resources = profile.node.findAll().filter(c => (c as any).cfnOptions);
  const suppressions = resources.flatMap(r => (r as any).getMetadata('cdk_nag')?.rules_to_suppress ?? []);
  expect(suppressions.map((s: any) => s.id).sort()).toEqual(['AwsSolutions-IAM4', 'AwsSolutions-IAM5']);
  for (const suppression of suppressions) {
    expect(suppression.applies_to.length).toBeGreaterThan(0);
    expect(suppression.reason.length).toBeGreaterThan(20);
  }
});

test('an app without cdk-nag carries no cdk_nag metadata', () => {
  const { stack } = workshop();

  const template = JSON.stringify(Template.fromStack(stack).toJSON());

  expect(template).not.toContain('cdk_nag');
});

test('an app without cdk-nag records no acknowledgments at all', () => {
  const { app } = workshop();

  app.synth();

  const recorded = app.node.findAll().flatMap(c => c.node.metadata.map(m => m.type))
    .filter(type => type === 'aws:cdk:acknowledged-rules' || type === 'cdk_nag');
  expect(recorded).toEqual([]);
});

(NAG_V3_PLUGIN_FAILURE === undefined ? test.skip : test)(`on aws-cdk-lib ${CDK_VERSION} a cdk-nag 3 pack fails on its own and the profile still synthesizes`, () => {
  // cdk-nag 3.0.2 needs the construct tree on the validation context, which aws-cdk-lib carries from 2.258.0:
  // users of 2.257.0 get the pack's own error, never one from this construct
  const { app } = workshop();

  expect(() => awsSolutionsFindings(app)).toThrow(/the AwsSolutions pack did not run: .*construct tree/);
  const template = app.synth().getStackByName('Stack').template;
  expect(Object.values(template.Resources).map((r: any) => r.Type)).toEqual(expect.arrayContaining(['AWS::IAM::Role', 'AWS::IAM::InstanceProfile']));
});

describe.each(Object.keys(PACKS) as PackName[])(`cdk-nag ${NAG_MAJOR} %s`, pack => {
  const own = (findings: string[], profilePath: string) => findings.filter(f => f.startsWith(`/${profilePath}/`));

  whenNagRuns('reports nothing about the construct\'s own choices in the workshop stack', () => {
    const app = new App();
    const stack = new WorkshopStack(app, 'Workshop');

    expect(own(nagFindings(app, pack), stack.profile.node.path)).toEqual([]);
  });

  whenNagRuns('reports nothing about the construct\'s own choices in the full-featured stack', () => {
    const app = new App();
    const stack = new FullFeaturedStack(app, 'FullFeatured');

    expect(own(nagFindings(app, pack), stack.profile.node.path)).toEqual([]);
  });

  whenNagRuns('reports nothing about the construct\'s own choices with 60 folders in 20 buckets', () => {
    const app = new App();
    const profile = scaleProfile(new Stack(app, 'Scale'));

    expect(profile.node.findAll().filter(c => c instanceof iam.CfnManagedPolicy).length).toBeGreaterThan(1);
    expect(own(nagFindings(app, pack), profile.node.path)).toEqual([]);
  });

  whenNagRuns('reports nothing about the construct\'s own choices with parameters, secrets and container repositories', () => {
    const app = new App();
    const stack = new Stack(app, 'Scoped');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', {
      readAllParameters: false,
      containerRepositories: [ecr.Repository.fromRepositoryName(stack, 'Images', 'team/images')],
    });
    profile.addParameter(ssm.StringParameter.fromStringParameterName(stack, 'Version', '/team/app/version'));
    profile.addSecret(secretsmanager.Secret.fromSecretNameV2(stack, 'Db', 'prod/db'));

    expect(own(nagFindings(app, pack), profile.node.path)).toEqual([]);
  });

  whenNagRuns('still reports the user\'s own choices: a wildcard grant, an AWS managed policy, an inline statement', () => {
    // given the same grants on a plain role, the findings the pack reports for them
    const findingsOf = (target: (stack: Stack) => iam.IGrantable & { addManagedPolicy?: (p: iam.IManagedPolicy) => void }) => {
      const app = new App();
      const stack = new Stack(app, 'Stack');
      const bucket = new s3.Bucket(stack, 'Bucket');
      const grantee = target(stack);
      bucket.grantRead(grantee);
      grantee.addManagedPolicy?.(iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonS3ReadOnlyAccess'));
      return nagFindings(app, pack).map(f => f.replace(/^\/Stack\/[^/]+\//, '').replace(/^Role\//, ''));
    };
    const plain = findingsOf(stack => new iam.Role(stack, 'Plain', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') }));

    // when the same grants go to a profile
    const profile = findingsOf(stack => new ImageBuilderInstanceProfile(stack, 'Profile', { roleName: 'TeamRole' }));

    // then every finding about the user's grants is still there
    const users = plain.filter(f => !/AwsSolutions-IAM4\[Policy::.*(AmazonSSMManagedInstanceCore|EC2InstanceProfileForImageBuilder)\]/.test(f));
    expect(profile).toEqual(expect.arrayContaining(users));
    expect(users.length).toBeGreaterThan(0);
  });
});
