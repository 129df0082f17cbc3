import { App, ArnFormat, Aspects, Aws, CfnCondition, CfnParameter, Fn, Lazy, NestedStack, Stack, StackProps } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { ComponentAccessChecks, ImageBuilderInstanceProfile, ImageBuilderInstanceProfileProps } from '../src';
import { bashDocument, downloadDocument, replaceOnce, uploadDocument } from './helpers/component-documents';
import { EffectivePermissions } from './helpers/effective-permissions';
import * as componentDocument from '../src/private/component-document';
import * as policyEvaluation from '../src/private/iam/policies';

const DOWNLOAD = downloadDocument('install-app', 's3://team-artifacts/app/install.sh', '/tmp/install.sh');
const FOLDER_DOWNLOAD = downloadDocument('install-app', 's3://team-artifacts/app/*', '/tmp/app/');

interface Pipeline {
  readonly app: App;
  readonly stack: Stack;
  readonly profile: ImageBuilderInstanceProfile;
  readonly component: imagebuilder.CfnComponent;
  readonly recipe: imagebuilder.CfnImageRecipe;
  readonly infrastructure: imagebuilder.CfnInfrastructureConfiguration;
}

interface PipelineOptions {
  readonly data?: string;
  readonly extraComponentArns?: string[];
  readonly profile?: (stack: Stack) => ImageBuilderInstanceProfileProps;
  readonly stack?: StackProps;
}

function pipeline(options: PipelineOptions = {}): Pipeline {
  const app = new App();
  const stack = new Stack(app, 'Stack', options.stack);
  const profile = new ImageBuilderInstanceProfile(stack, 'Profile', options.profile?.(stack));
  const component = new imagebuilder.CfnComponent(stack, 'Component', {
    name: 'install-app', platform: 'Linux', version: '1.0.0', data: options.data ?? DOWNLOAD,
  });
  const recipe = new imagebuilder.CfnImageRecipe(stack, 'Recipe', {
    name: 'recipe',
    version: '1.0.0',
    parentImage: 'ami-0123456789abcdef0',
    components: [{ componentArn: component.attrArn }, ...(options.extraComponentArns ?? []).map(componentArn => ({ componentArn }))],
  });
  const infrastructure = new imagebuilder.CfnInfrastructureConfiguration(stack, 'Infrastructure', {
    name: 'infrastructure', instanceProfileName: profile.instanceProfileName,
  });
  new imagebuilder.CfnImagePipeline(stack, 'Pipeline', {
    name: 'pipeline', imageRecipeArn: recipe.attrArn, infrastructureConfigurationArn: infrastructure.attrArn,
  });
  Aspects.of(app).add(new ComponentAccessChecks());
  return { app, stack, profile, component, recipe, infrastructure };
}

const UNCOVERED = "image pipeline 'Stack/Pipeline': component 'install-app', step 'build/Fetch' \\(S3Download\\) downloads "
  + "'s3://team-artifacts/app/install.sh', but the instance profile 'Stack/Profile' cannot read it: call the profile's addComponent / add_component for component 'install-app'";
const UNDECIDED = "downloads 's3://team-artifacts/app/install.sh'; whether the instance profile 'Stack/Profile' can read it cannot be decided at synthesis";

function expectCovered(stack: Stack): void {
  Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
  Annotations.fromStack(stack).hasNoWarning('/Stack/Pipeline', Match.anyValue());
}

function expectUncovered(stack: Stack, message = UNCOVERED): void {
  Annotations.fromStack(stack).hasError('/Stack/Pipeline', Match.stringLikeRegexp(message));
}

function expectUndecided(stack: Stack, because: string): void {
  Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
  Annotations.fromStack(stack).hasWarning('/Stack/Pipeline', Match.stringLikeRegexp(`${UNDECIDED}.*${because}`));
}

/** A role of a stack 'Roles' of the app of `stack`, whose default policy grants nothing the tests need. */
function roleOfAnotherStack(stack: Stack): iam.Role {
  const roles = new Stack(stack.node.root as App, 'Roles');
  const role = new iam.Role(roles, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::other-bucket/*'] }));
  return role;
}

const artifacts = (stack: Stack) => s3.Bucket.fromBucketName(stack, 'Artifacts', 'team-artifacts');

describe('what the check proves', () => {
  test('a path the profile does not cover is an error naming the pipeline, component, step and path', () => {
    const { stack } = pipeline();

    expectUncovered(stack);
  });

  test('the finding is an error-level message of the cloud assembly, which makes cdk synth fail', () => {
    const { app } = pipeline();

    const messages = app.synth().getStackByName('Stack').messages;
    expect(messages.filter(m => m.level === 'error').map(m => m.entry.data)).toEqual([expect.stringMatching(/cannot read it/)]);
  });

  test('a finding does not end in parenthesized text, which the CDK CLI would read as a rule name, and shows the full ARN', () => {
    // given a path the profile does not cover, and one whose answer depends on a deploy-time condition
    const { app } = pipeline({
      profile: stack => ({
        artifactLocations: [{ bucket: s3.Bucket.fromBucketName(stack, 'Isos', 'team-isos'), keyPrefix: 'isos' }],
      }),
      data: downloadDocument('install-app', 's3://team-artifacts/app/install.sh', '/tmp/install.sh'),
    });

    // when the app is synthesized
    const messages = app.synth().getStackByName('Stack').messages;

    // then every error ends in a sentence, and its reasons name the object by its whole ARN
    const errors = messages.filter(m => m.level === 'error').map(m => String(m.entry.data));
    expect(errors).toHaveLength(1);
    expect(errors[0]).not.toMatch(/\)\s*$/);
    expect(errors[0]).toMatch(/\.$/);
    expect(errors[0]).toContain('Why: no statement of');
    expect(errors[0]).toContain("s3:GetObject on 'arn:aws:s3:::team-artifacts/app/install.sh'");
  });

  test('the path is covered once addComponent is called', () => {
    const { stack, profile, component } = pipeline();

    profile.addComponent(component);

    expectCovered(stack);
  });

  test('a path inside an artifact location is covered; a path in another folder of the same bucket is not', () => {
    const inside = pipeline();
    inside.profile.addArtifactLocation({ bucket: artifacts(inside.stack), keyPrefix: 'app' });
    const other = pipeline();
    other.profile.addArtifactLocation({ bucket: artifacts(other.stack), keyPrefix: 'app-other' });

    expectCovered(inside.stack);
    expectUncovered(other.stack);
  });

  test('a statement of the role with literal ARNs and wildcards covers a path; one for another action does not', () => {
    const wildcards = pipeline();
    wildcards.profile.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:Get*'], resources: ['arn:aws:s3:::team-*/app/*'] }));
    const otherAction = pipeline();
    otherAction.profile.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: ['arn:aws:s3:::team-artifacts/*'] }));

    expectCovered(wildcards.stack);
    expectUncovered(otherAction.stack);
  });

  test('an Allow written with NotAction or NotResource covers a path', () => {
    const notAction = pipeline();
    notAction.profile.addToPrincipalPolicy(new iam.PolicyStatement({ notActions: ['s3:Delete*'], resources: ['arn:aws:s3:::team-artifacts/*'] }));
    const notResource = pipeline();
    notResource.profile.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], notResources: ['arn:aws:s3:::team-artifacts/secrets/*'] }));

    expectCovered(notAction.stack);
    expectCovered(notResource.stack);
  });

  test('iam.Policy and iam.ManagedPolicy attached with roles: cover a path, wherever they are created', () => {
    const statement = () => new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::team-artifacts/app/*'] });
    const inline = pipeline();
    new iam.Policy(inline.stack, 'Inline', { roles: [inline.profile.role], statements: [statement()] });
    const managed = pipeline();
    new iam.ManagedPolicy(managed.stack, 'Managed', { roles: [managed.profile.role], statements: [statement()] });

    expectCovered(inline.stack);
    expectCovered(managed.stack);
  });

  test('a role of another stack: the profile\'s own policies, in the profile\'s stack, cover a path', () => {
    // given
    const built = pipeline({ profile: s => ({ role: roleOfAnotherStack(s) }) });

    // when
    built.profile.addComponent(built.component);

    // then
    expectCovered(built.stack);
  });

  test('a role of another stack: a secret that the profile\'s own policies grant in their stack\'s region is covered', () => {
    // given
    const data = bashDocument('install-app', 'echo {{ aws:ssm:/aws/reference/secretsmanager/team/token }}');
    const built = pipeline({ data, profile: s => ({ role: roleOfAnotherStack(s) }) });

    // when
    built.profile.addComponent(built.component);

    // then
    expectCovered(built.stack);
  });

  test('a role of another stack: a path that no policy of either stack covers is an error', () => {
    const { stack } = pipeline({ profile: s => ({ role: roleOfAnotherStack(s) }) });

    expectUncovered(stack);
  });

  test('a customer managed policy of the app passed in managedPolicies covers a path', () => {
    const { stack } = pipeline({
      profile: s => ({
        managedPolicies: [new iam.ManagedPolicy(s, 'Team', {
          statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::team-artifacts/*'] })],
        })],
      }),
    });

    expectCovered(stack);
  });

  test('the AWS managed policies cover what they allow: the ec2imagebuilder* buckets', () => {
    const { stack } = pipeline({ data: downloadDocument('install-app', 's3://ec2imagebuilder-us-east-1/tools/x.sh', '/tmp/x.sh') });

    expectCovered(stack);
  });

  test('.iso objects: covered in a bucket of the account, a warning when the bucket\'s owner is not known', () => {
    // EC2InstanceProfileForImageBuilder reads */*.iso in buckets of the principal's account
    const iso = (source: string, owner?: string) => replaceOnce(downloadDocument('install-app', source, '/tmp/x.iso'),
      '            destination:', `${owner ? `            expectedBucketOwner: ${owner}\n` : ''}            destination:`);
    const env = { account: '111122223333', region: 'us-east-1' };
    const ofTheAccount = pipeline({ data: iso('s3://team-isos/windows.iso', '111122223333'), stack: { env } });
    const appBucket = pipeline({ data: iso('s3://team-isos/windows.iso') });
    new s3.Bucket(appBucket.stack, 'Isos', { bucketName: 'team-isos' });
    const otherAccount = pipeline({ data: iso('s3://team-isos/windows.iso', '999988887777'), stack: { env } });
    const unknownOwner = pipeline({ data: iso('s3://team-isos/windows.iso') });

    expectCovered(ofTheAccount.stack);
    expectCovered(appBucket.stack);
    expectUncovered(otherAccount.stack, "downloads 's3://team-isos/windows.iso', but the instance profile 'Stack/Profile' cannot read it");
    Annotations.fromStack(unknownOwner.stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(unknownOwner.stack).hasWarning('/Stack/Pipeline',
      Match.stringLikeRegexp("downloads 's3://team-isos/windows.iso'; whether .* can read it cannot be decided at synthesis\\. Why: .*s3:ResourceAccount"));
  });

  test('an explicit Deny on the path is an error, even where an Allow covers it', () => {
    const { stack, profile } = pipeline();
    profile.addArtifactLocation({ bucket: artifacts(stack), keyPrefix: 'app' });

    profile.addToPrincipalPolicy(new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['s3:*'], resources: ['arn:aws:s3:::team-artifacts/app/*'] }));

    expectUncovered(stack);
  });

  test('an Allow with a condition that synthesis cannot decide (aws:SourceVpce) is a warning that names the statement', () => {
    const { stack, profile } = pipeline();

    profile.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject'], resources: ['arn:aws:s3:::team-artifacts/*'], conditions: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } },
    }));

    expectUndecided(stack, 'condition on aws:SourceVpce');
  });

  test('a permissions boundary that does not allow S3 is an error', () => {
    const { stack } = pipeline({
      profile: s => ({
        artifactLocations: [{ bucket: artifacts(s), keyPrefix: 'app' }],
        permissionsBoundary: new iam.ManagedPolicy(s, 'Boundary', {
          statements: [new iam.PolicyStatement({ actions: ['ssm:*', 'ssmmessages:*', 'ec2messages:*'], resources: ['*'] })],
        }),
      }),
    });

    expectUncovered(stack);
  });

  test('a permissions boundary whose document the app does not hold is a warning', () => {
    const { stack } = pipeline({
      profile: s => ({
        artifactLocations: [{ bucket: artifacts(s), keyPrefix: 'app' }],
        permissionsBoundary: iam.ManagedPolicy.fromManagedPolicyName(s, 'Boundary', 'TeamBoundary'),
      }),
    });

    expectUndecided(stack, 'TeamBoundary');
  });

  test('a permissions boundary whose document the app does not hold is named once, readably, as the reason', () => {
    // given
    const { stack } = pipeline({
      profile: s => ({
        artifactLocations: [{ bucket: artifacts(s), keyPrefix: 'app' }],
        permissionsBoundary: iam.ManagedPolicy.fromManagedPolicyName(s, 'Boundary', 'TeamBoundary'),
      }),
    });

    // when
    const warnings = Annotations.fromStack(stack).findWarning('/Stack/Pipeline', Match.anyValue()).map(w => String(w.entry.data));

    // then
    expect(warnings).toEqual([`image pipeline 'Stack/Pipeline': component 'install-app', step 'build/Fetch' (S3Download) ${UNDECIDED}. `
      + "Why: the app does not hold the document of the permissions boundary 'arn:aws:iam::<account of Stack>:policy/TeamBoundary'. "
      + '[ack: cdk-imagebuilder-instance-profile:componentAccessCheck]']);
  });

  test('a folder download needs the listing too: GetObject without ListBucket is an error', () => {
    const { stack, profile } = pipeline({ data: FOLDER_DOWNLOAD });

    profile.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::team-artifacts/app/*'] }));

    expectUncovered(stack, "downloads 's3://team-artifacts/app/\\*', but the instance profile 'Stack/Profile' cannot read it");
  });

  test('a folder download is covered by an artifact location of that folder', () => {
    const { stack, profile } = pipeline({ data: FOLDER_DOWNLOAD });

    profile.addArtifactLocation({ bucket: artifacts(stack), keyPrefix: 'app' });

    expectCovered(stack);
  });

  test('an object named like a granted folder (s3://b/app when only app/ is granted) is an error', () => {
    const { stack, profile } = pipeline({ data: downloadDocument('install-app', 's3://team-artifacts/app', '/tmp/app') });

    profile.addArtifactLocation({ bucket: artifacts(stack), keyPrefix: 'app' });

    expectUncovered(stack, "downloads 's3://team-artifacts/app', but the instance profile 'Stack/Profile' cannot read it");
  });

  test('a statement whose resources are known only at deployment makes a path it might cover a warning, not an error', () => {
    const { stack, profile } = pipeline();

    new s3.Bucket(stack, 'Generated').grantRead(profile);

    expectUndecided(stack, 'may or may not match');
  });

  test('a key with a build-time parameter is covered only when every value is', () => {
    const data = downloadDocument('install-app', 's3://team-artifacts/app/{{ version }}/install.sh', '/tmp/install.sh', ['version']);
    const folder = pipeline({ data });
    folder.profile.addArtifactLocation({ bucket: artifacts(folder.stack), keyPrefix: 'app' });
    const narrower = pipeline({ data });
    narrower.profile.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::team-artifacts/app/1.*'] }));

    expectCovered(folder.stack);
    Annotations.fromStack(narrower.stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(narrower.stack).hasWarning('/Stack/Pipeline', Match.stringLikeRegexp('cannot be decided at synthesis'));
  });
});

describe('what the check passes on from the component document', () => {
  test('a bucket that is a {{ parameter }} is the document reader\'s warning, on the pipeline', () => {
    const { stack } = pipeline({ data: downloadDocument('install-app', 's3://{{ bucket }}/app/install.sh', '/tmp/install.sh', ['bucket']) });

    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasWarning('/Stack/Pipeline',
      Match.stringLikeRegexp("image pipeline 'Stack/Pipeline': component 'install-app', step 'build/Fetch' \\(S3Download\\): the bucket of .* is not known"));
  });

  test('a malformed document is a warning on the pipeline', () => {
    const { stack } = pipeline({ data: 'phases: [\n  - name: build\n' });

    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasWarning('/Stack/Pipeline', Match.stringLikeRegexp("component 'install-app': the component document is not valid YAML"));
  });

  test('an upload to a folder outside the log location is an error that suggests addUploadLocation', () => {
    const upload = uploadDocument('install-app', '/var/log/build.log', 's3://team-logs/builds/');
    const { stack, profile } = pipeline({ data: upload });
    profile.addArtifactLocation({ bucket: s3.Bucket.fromBucketName(stack, 'Logs', 'team-logs') });

    expectUncovered(stack, "uploads to 's3://team-logs/builds/', but .* cannot write it: .* or add an upload location \\(addUploadLocation / add_upload_location\\) that holds it");
  });

  test('a parameter that components read is covered by AmazonSSMManagedInstanceCore by default', () => {
    const data = downloadDocument('install-app', 's3://team-artifacts/app/install.sh', '/tmp/{{ aws:ssm:/team/install-dir }}/install.sh');
    const { stack, profile, component } = pipeline({ data });

    profile.addComponent(component);

    expectCovered(stack);
  });

  test('a secret read by a partial ARN (without its random suffix) is covered by the grant of addComponent', () => {
    // given
    const secret = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:mysecret';
    const data = bashDocument('install-app', `echo {{ aws:ssm:/aws/reference/secretsmanager/${secret} }}`);
    const granted = pipeline({ data });
    const notGranted = pipeline({ data });

    // when
    granted.profile.addComponent(granted.component);

    // then
    expectCovered(granted.stack);
    expectUncovered(notGranted.stack, `reads the parameter \\{\\{ aws:ssm:/aws/reference/secretsmanager/${secret} \\}\\}, `
      + "but the instance profile 'Stack/Profile' cannot read it: call the profile's addParameter / add_parameter or addSecret / add_secret");
  });
});

describe('log delivery', () => {
  function withLogs(logLocation: (bucket: s3.IBucket) => ImageBuilderInstanceProfileProps['logLocation'], prefix = 'logs'): Pipeline {
    const built = pipeline({ profile: s => ({ logLocation: logLocation(new s3.Bucket(s, 'Logs')) }) });
    built.profile.addComponent(built.component);
    const bucket = built.stack.node.findChild('Logs') as s3.Bucket;
    built.infrastructure.logging = { s3Logs: { s3BucketName: bucket.bucketName, s3KeyPrefix: prefix } };
    return built;
  }

  test('logs to the logLocation of the profile are covered', () => {
    const { stack } = withLogs(bucket => ({ bucket, keyPrefix: 'logs' }));

    expectCovered(stack);
  });

  test('logs to a folder the profile cannot write are an error that names the configuration, the folder and logLocation / log_location', () => {
    const { stack } = withLogs(bucket => ({ bucket, keyPrefix: 'logs' }), 'build-logs');

    expectUncovered(stack, "its infrastructure configuration 'Stack/Infrastructure' delivers build logs to S3 at 's3://<bucket Stack/Logs/Resource>/build-logs/', "
      + "but the instance profile 'Stack/Profile' cannot write there: make that folder the profile's logLocation / log_location");
  });

  test('logs to another bucket of the app are an error: two buckets of the app never share a name', () => {
    const { stack, infrastructure } = withLogs(bucket => ({ bucket, keyPrefix: 'logs' }));

    infrastructure.logging = { s3Logs: { s3BucketName: new s3.Bucket(stack, 'Other').bucketName, s3KeyPrefix: 'logs' } };

    expectUncovered(stack, 'delivers build logs to S3 at .*Stack/Other/Resource.*cannot write there');
  });
});

describe('links the check cannot follow are warnings, never errors', () => {
  test('an AWS-managed component that needs nothing more is covered', () => {
    const { stack, profile, component } = pipeline({
      extraComponentArns: [`arn:${Aws.PARTITION}:imagebuilder:${Aws.REGION}:aws:component/update-linux/x.x.x`],
    });

    profile.addComponent(component);

    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('a component that is not of this app', () => {
    const { stack, profile, component } = pipeline({
      extraComponentArns: ['arn:aws:imagebuilder:us-east-1:111122223333:component/shared/1.0.0'],
    });

    profile.addComponent(component);

    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasWarning('/Stack/Pipeline',
      Match.stringLikeRegexp("its component 'arn:aws:imagebuilder:us-east-1:111122223333:component/shared/1.0.0' is not a component of this app"));
  });

  test('an imported profile', () => {
    const { stack, infrastructure } = pipeline();

    infrastructure.instanceProfileName = ImageBuilderInstanceProfile.fromInstanceProfileName(stack, 'Team', 'TeamRole').instanceProfileName;

    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasWarning('/Stack/Pipeline', Match.stringLikeRegexp("its instance profile \\('TeamRole'\\) is not created by an ImageBuilderInstanceProfile"));
  });

  test('a profile imported with its role is a warning that says why it is not checked, not that the import is wrong', () => {
    // given the hosted event's existing TeamRole, imported as README recommends
    const { stack, infrastructure } = pipeline();
    const existing = ImageBuilderInstanceProfile.fromInstanceProfileAttributes(stack, 'Team', {
      instanceProfileName: 'TeamRole',
      role: iam.Role.fromRoleName(stack, 'TeamRoleRole', 'TeamRole'),
    });

    // when
    infrastructure.instanceProfileName = existing.instanceProfileName;

    // then
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasWarning('/Stack/Pipeline', Match.stringLikeRegexp(
      "its instance profile \\('TeamRole'\\) is not created by an ImageBuilderInstanceProfile of this app \\(an imported or existing "
      + 'profile, such as one from ImageBuilderInstanceProfile.fromInstanceProfileAttributes / from_instance_profile_attributes\\), '
      + 'whose policies synthesis cannot see'));
  });

  test('an imported recipe', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack');
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile');
    const infrastructure = new imagebuilder.CfnInfrastructureConfiguration(stack, 'Infrastructure', { name: 'i', instanceProfileName: profile.instanceProfileName });
    new imagebuilder.CfnImagePipeline(stack, 'Pipeline', {
      name: 'p', imageRecipeArn: 'arn:aws:imagebuilder:us-east-1:111122223333:image-recipe/shared/1.0.0', infrastructureConfigurationArn: infrastructure.attrArn,
    });
    Aspects.of(app).add(new ComponentAccessChecks());

    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasWarning('/Stack/Pipeline', Match.stringLikeRegexp('its recipe is not an image or container recipe of this app'));
  });

  test('recipe components given as a token (Lazy) are a warning that names the recipe', () => {
    // given
    const { stack, recipe, component } = pipeline();

    // when
    recipe.components = Lazy.any({ produce: () => [{ componentArn: component.attrArn }] });

    // then
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasWarning('/Stack/Pipeline', Match.stringLikeRegexp("the components of its recipe 'Stack/Recipe' are not a list until deployment"));
  });

  test('a role imported into the app: what it holds outside the app is not known', () => {
    const { stack } = pipeline({
      profile: s => ({ role: iam.Role.fromRoleName(s, 'Team', 'TeamRole'), artifactLocations: [{ bucket: artifacts(s), keyPrefix: 'app' }] }),
    });

    expectUndecided(stack, "the policies that the imported role 'Stack/Team' has outside this app");
  });
});

test('a CfnImage is checked like a pipeline', () => {
  const { stack, recipe, infrastructure } = pipeline();

  new imagebuilder.CfnImage(stack, 'Image', { imageRecipeArn: recipe.attrArn, infrastructureConfigurationArn: infrastructure.attrArn });

  Annotations.fromStack(stack).hasError('/Stack/Image', Match.stringLikeRegexp("image 'Stack/Image': component 'install-app', step 'build/Fetch'"));
});

describe('cost', () => {
  afterEach(() => jest.restoreAllMocks());

  test('a component held by many recipes is read once, and each request of the role is decided once', () => {
    // given three pipelines whose recipes hold the same component, which makes one S3 request
    const { app, stack, component, infrastructure } = pipeline();
    for (const i of [2, 3]) {
      const recipe = new imagebuilder.CfnImageRecipe(stack, `Recipe${i}`, {
        name: `recipe-${i}`, version: '1.0.0', parentImage: 'ami-0123456789abcdef0', components: [{ componentArn: component.attrArn }],
      });
      new imagebuilder.CfnImagePipeline(stack, `Pipeline${i}`, {
        name: `pipeline-${i}`, imageRecipeArn: recipe.attrArn, infrastructureConfigurationArn: infrastructure.attrArn,
      });
    }
    const reads = jest.spyOn(componentDocument, 'readComponentDocument');
    const decisions = jest.spyOn(policyEvaluation, 'evaluate');

    // when the app is synthesized
    const messages = app.synth().getStackByName('Stack').messages;

    // then each pipeline gets its finding, from one reading and one decision
    expect(messages.filter(m => m.level === 'error').map(m => m.id).sort()).toEqual(['/Stack/Pipeline', '/Stack/Pipeline2', '/Stack/Pipeline3']);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(decisions).toHaveBeenCalledTimes(1);
  });
});

describe('components whose documents hold tokens', () => {
  /**
   * A pipeline whose component reads (or writes) `key` in the bucket 'Artifacts' of the app, named by its bucketName;
   * the stack has another bucket 'Other'. The buckets are named `names` when given, else by CloudFormation.
   */
  function tokenizedPipeline(key: (stack: Stack) => string, options: {
    profile?: (stack: Stack) => ImageBuilderInstanceProfileProps;
    names?: boolean;
    upload?: boolean;
  } = {}): Pipeline {
    const p = pipeline({
      profile: stack => {
        new s3.Bucket(stack, 'Artifacts', { bucketName: options.names ? 'team-components' : undefined });
        new s3.Bucket(stack, 'Other', { bucketName: options.names ? 'team-other' : undefined });
        return options.profile?.(stack) ?? {};
      },
    });
    const uri = `s3://${bucketNamed(p.stack, 'Artifacts').bucketName}/${key(p.stack)}`;
    p.component.data = options.upload ? uploadDocument('install-app', '/tmp/report.txt', uri) : downloadDocument('install-app', uri, '/tmp/install.sh');
    return p;
  }
  const bucketNamed = (stack: Stack, id: string) => stack.node.findChild(id) as s3.Bucket;

  test('given a download from a bucket of the app by its bucketName, addComponent makes it covered', () => {
    const { stack, profile, component } = tokenizedPipeline(() => 'components/install.sh');

    profile.addComponent(component);

    expectCovered(stack);
  });

  test('given only an artifact location of another folder of that bucket, the check fails with an error naming the step and the path', () => {
    const { stack } = tokenizedPipeline(() => 'components/install.sh', {
      names: true, profile: s => ({ artifactLocations: [{ bucket: bucketNamed(s, 'Artifacts'), keyPrefix: 'other' }] }),
    });

    expectUncovered(stack, "image pipeline 'Stack/Pipeline': component 'install-app', step 'build/Fetch' \\(S3Download\\) downloads "
      + "'s3://team-components/components/install.sh', but the instance profile 'Stack/Profile' cannot read it");
  });

  test('given a bucket named by CloudFormation, a grant on another folder leaves a warning: the AWS managed policy reads ec2imagebuilder* buckets', () => {
    const { stack } = tokenizedPipeline(() => 'components/install.sh', {
      profile: s => ({ artifactLocations: [{ bucket: bucketNamed(s, 'Artifacts'), keyPrefix: 'other' }] }),
    });

    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasWarning('/Stack/Pipeline', Match.stringLikeRegexp(
      "downloads 's3://<bucket Stack/Artifacts>/components/install.sh'; whether .* cannot be decided .*ec2imagebuilder\\*"));
  });

  test('given an artifact location of that folder of that bucket, it is covered', () => {
    const { stack } = tokenizedPipeline(() => 'components/install.sh', {
      profile: s => ({ artifactLocations: [{ bucket: bucketNamed(s, 'Artifacts'), keyPrefix: 'components' }] }),
    });

    expectCovered(stack);
  });

  test('given the log location in that folder of another bucket of the app, an upload is an error: two buckets of the app never share a name', () => {
    const { stack } = tokenizedPipeline(() => 'components/report.txt', {
      upload: true, profile: s => ({ logLocation: { bucket: bucketNamed(s, 'Other'), keyPrefix: 'components' } }),
    });

    expectUncovered(stack, "step 'build/Publish' \\(S3Upload\\) uploads to 's3://<bucket Stack/Artifacts>/components/report.txt', "
      + "but the instance profile 'Stack/Profile' cannot write it");
  });

  test('given the log location in that folder of that bucket, an upload is covered', () => {
    const { stack } = tokenizedPipeline(() => 'components/report.txt', {
      upload: true, profile: s => ({ logLocation: { bucket: bucketNamed(s, 'Artifacts'), keyPrefix: 'components' } }),
    });

    expectCovered(stack);
  });

  test('given a pseudo parameter in the key, addComponent makes it covered; a folder of one account id is a warning, the account being known at deployment', () => {
    const covered = tokenizedPipeline(() => `accounts/${Aws.ACCOUNT_ID}/install.sh`);
    covered.profile.addComponent(covered.component);
    const other = tokenizedPipeline(() => `accounts/${Aws.ACCOUNT_ID}/install.sh`, {
      names: true, profile: s => ({ artifactLocations: [{ bucket: bucketNamed(s, 'Artifacts'), keyPrefix: 'accounts/999988887777' }] }),
    });

    expectCovered(covered.stack);
    Annotations.fromStack(other.stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(other.stack).hasWarning('/Stack/Pipeline', Match.stringLikeRegexp(
      "downloads 's3://team-components/accounts/<AWS::AccountId>/install.sh'; whether the instance profile 'Stack/Profile' can read it cannot be decided"));
  });

  test('given a pseudo parameter in the key and a stack of a known account, a folder of another account id is an error', () => {
    const p = pipeline({
      stack: { env: { account: '111122223333', region: 'us-east-1' } },
      profile: s => ({ artifactLocations: [{ bucket: new s3.Bucket(s, 'Artifacts', { bucketName: 'team-components' }), keyPrefix: 'accounts/999988887777' }] }),
    });
    p.component.data = downloadDocument('install-app', `s3://${bucketNamed(p.stack, 'Artifacts').bucketName}/accounts/${Aws.ACCOUNT_ID}/install.sh`, '/tmp/i.sh');

    expectUncovered(p.stack, "downloads 's3://team-components/accounts/<AWS::AccountId>/install.sh', but the instance profile 'Stack/Profile' cannot read it");
  });

  test('given a pseudo parameter in the bucket name, addComponent grants the read; the bucket\'s owner is not known, so the check warns', () => {
    const { stack, profile, component } = pipeline({ data: downloadDocument('install-app', `s3://artifacts-${Aws.ACCOUNT_ID}/app/install.sh`, '/tmp/i.sh') });

    profile.addComponent(component);

    // the identity policies allow it; a bucket the app does not hold, named at deployment, may be of another account
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasWarning('/Stack/Pipeline', Match.stringLikeRegexp(
      "downloads 's3://artifacts-<AWS::AccountId>/app/install.sh'; whether .* cannot be decided .*the account that owns the bucket 'artifacts-<account of Stack>' is not known"));
  });

  test('given a pseudo parameter in the bucket name and a stack of a known account, a location in the bucket of that name covers it, one of another account\'s name does not', () => {
    const env = { account: '111122223333', region: 'us-east-1' };
    const data = downloadDocument('install-app', `s3://artifacts-${Aws.ACCOUNT_ID}/app/install.sh`, '/tmp/i.sh');
    const same = pipeline({ data, stack: { env }, profile: s => ({ artifactLocations: [{ bucket: s3.Bucket.fromBucketName(s, 'A', 'artifacts-111122223333'), keyPrefix: 'app' }] }) });
    const other = pipeline({ data, stack: { env }, profile: s => ({ artifactLocations: [{ bucket: s3.Bucket.fromBucketName(s, 'A', 'artifacts-999988887777'), keyPrefix: 'app' }] }) });

    expectCovered(same.stack);
    expectUncovered(other.stack, "downloads 's3://artifacts-<AWS::AccountId>/app/install.sh', but the instance profile 'Stack/Profile' cannot read it");
  });

  test('given a token the check cannot follow in the key, a warning names the step and the unknown part, and the component once', () => {
    const { stack } = tokenizedPipeline(s => `releases/${new CfnParameter(s, 'Version').valueAsString}/install.sh`, {
      names: true, profile: s => ({ artifactLocations: [{ bucket: bucketNamed(s, 'Artifacts'), keyPrefix: 'releases/v1' }] }),
    });

    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    const warnings = Annotations.fromStack(stack).findWarning('/Stack/Pipeline', Match.anyValue()).map(w => w.entry.data);
    expect(warnings).toEqual([expect.stringMatching(new RegExp("^image pipeline 'Stack/Pipeline': component 'install-app', step 'build/Fetch' \\(S3Download\\) "
      + "downloads 's3://team-components/releases/<Version>/install.sh'; whether the instance profile 'Stack/Profile' can read it cannot be decided"))]);
    expect(warnings[0]).not.toMatch(/install-app.*install-app/);
  });
});

describe('the check reads every policy of the role wherever the app attaches it, and the boundary however it is set', () => {
  const DENY_DOWNLOAD = { Effect: 'Deny', Action: 's3:GetObject', Resource: 'arn:aws:s3:::team-artifacts/*' };
  const denyDownload = () => new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['s3:GetObject'], resources: ['arn:aws:s3:::team-artifacts/*'] });
  const allowDownload = () => new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::team-artifacts/app/*'] });

  test('a boundary applied org-wide with PermissionsBoundary.of, after the check is added, that does not allow the path is an error naming it', () => {
    // given: the check is added to the app first, so the boundary's aspect runs after it
    const { app, stack, profile, component } = pipeline();
    profile.addComponent(component);
    const boundary = new iam.ManagedPolicy(stack, 'OrgBoundary', {
      statements: [new iam.PolicyStatement({ actions: ['ec2:*'], resources: ['*'] })],
    });

    // when
    iam.PermissionsBoundary.of(app).apply(boundary);

    // then
    expectUncovered(stack, `${UNCOVERED}.*the permissions boundary 'Stack/OrgBoundary/Resource' does not allow`);
  });

  test('a boundary applied with PermissionsBoundary.of that allows the path leaves it covered', () => {
    // given
    const { stack, profile, component } = pipeline();
    profile.addComponent(component);
    const boundary = new iam.ManagedPolicy(stack, 'OrgBoundary', {
      statements: [new iam.PolicyStatement({ actions: ['s3:*', 'ssm:*', 'ssmmessages:*', 'ec2messages:*'], resources: ['*'] })],
    });

    // when
    iam.PermissionsBoundary.of(stack).apply(boundary);

    // then
    expectCovered(stack);
  });

  test('a boundary set by a raw override of the role is read', () => {
    // given
    const { stack, profile, component } = pipeline();
    profile.addComponent(component);
    const boundary = new iam.ManagedPolicy(stack, 'OrgBoundary', {
      statements: [new iam.PolicyStatement({ actions: ['ec2:*'], resources: ['*'] })],
    });

    // when
    (profile.role.node.defaultChild as iam.CfnRole).addOverride('Properties.PermissionsBoundary', boundary.managedPolicyArn);

    // then
    expectUncovered(stack, `${UNCOVERED}.*the permissions boundary 'Stack/OrgBoundary/Resource' does not allow`);
  });

  test('a boundary applied with PermissionsBoundary.of that the app does not hold is a warning naming it', () => {
    // given
    const { stack, profile, component } = pipeline({ stack: { env: { account: '111122223333', region: 'eu-west-1' } } });
    profile.addComponent(component);

    // when
    iam.PermissionsBoundary.of(stack).apply(iam.ManagedPolicy.fromManagedPolicyName(stack, 'OrgBoundary', 'OrgBoundary'));

    // then
    expectUndecided(stack, 'arn:aws:iam::111122223333:policy/OrgBoundary');
  });

  test('a Deny in an iam.CfnRolePolicy of the role is an error naming it', () => {
    // given
    const { stack, profile, component } = pipeline();
    profile.addComponent(component);

    // when
    new iam.CfnRolePolicy(stack, 'Guard', { roleName: profile.role.roleName, policyName: 'guard', policyDocument: { Statement: [DENY_DOWNLOAD] } });

    // then
    expectUncovered(stack, `${UNCOVERED}.*Stack/Guard`);
  });

  test('an Allow in an iam.CfnRolePolicy of the role covers a path, whether it names the role by reference or by its literal name', () => {
    // given
    const byReference = pipeline();
    const byName = pipeline({ profile: () => ({ roleName: 'BuildRole' }) });

    // when
    for (const { stack, profile } of [byReference, byName]) {
      new iam.CfnRolePolicy(stack, 'Allow', {
        roleName: profile === byName.profile ? 'BuildRole' : profile.role.roleName,
        policyName: 'allow',
        policyDocument: new iam.PolicyDocument({ statements: [allowDownload()] }),
      });
    }

    // then
    expectCovered(byReference.stack);
    expectCovered(byName.stack);
  });

  test('a Deny iam.ManagedPolicy with roles: [role] in a third stack (neither the role\'s nor the profile\'s) is an error naming it', () => {
    // given
    const { app, stack, profile, component } = pipeline();
    profile.addComponent(component);

    // when
    new iam.ManagedPolicy(new Stack(app, 'Guards'), 'Guard', { roles: [profile.role], statements: [denyDownload()] });

    // then
    expectUncovered(stack, `${UNCOVERED}.*Guards/Guard/Resource`);
  });

  test('an Allow iam.Policy with roles: [role] in a third stack covers a path', () => {
    // given
    const { app, stack, profile } = pipeline();

    // when
    new iam.Policy(new Stack(app, 'Grants'), 'Grant', { roles: [profile.role], statements: [allowDownload()] });

    // then
    expectCovered(stack);
  });

  test('a policy of a third stack attached to another role of the same logical id is not read', () => {
    // given: the other stack's own role has the logical id of the profile's role
    const { app, stack, profile } = pipeline();
    const grants = new Stack(app, 'Grants');
    const other = new iam.Role(grants, 'OtherRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    (other.node.defaultChild as iam.CfnRole).overrideLogicalId(stack.getLogicalId(profile.role.node.defaultChild as iam.CfnRole));

    // when
    new iam.Policy(grants, 'Grant', { roles: [other], statements: [allowDownload()] });

    // then
    expectUncovered(stack);
  });

  test('a Deny policy attached in a nested stack is an error naming it; an Allow there covers a path', () => {
    // given
    const denied = pipeline();
    denied.profile.addComponent(denied.component);
    const allowed = pipeline();

    // when
    new iam.Policy(new NestedStack(denied.stack, 'Guards'), 'Guard', { roles: [denied.profile.role], statements: [denyDownload()] });
    new iam.Policy(new NestedStack(allowed.stack, 'Grants'), 'Grant', { roles: [allowed.profile.role], statements: [allowDownload()] });

    // then
    expectUncovered(denied.stack, `${UNCOVERED}.*Stack/Guards/Guard/Resource`);
    expectCovered(allowed.stack);
  });

  test('a role of a nested stack: a Deny policy of the parent stack attached to it is an error', () => {
    // given
    const { stack, profile, component } = pipeline({
      profile: s => ({ role: new iam.Role(new NestedStack(s, 'Roles'), 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') }) }),
    });
    profile.addComponent(component);

    // when
    new iam.Policy(stack, 'Guard', { roles: [profile.role], statements: [denyDownload()] });

    // then
    expectUncovered(stack, `${UNCOVERED}.*Stack/Guard/Resource`);
  });

  test('a property override of the role\'s Policies is read: an inline Allow there covers a path', () => {
    // given
    const { stack, profile } = pipeline();

    // when
    (profile.role.node.defaultChild as iam.CfnRole).addPropertyOverride('Policies', [
      { PolicyName: 'grant', PolicyDocument: new iam.PolicyDocument({ statements: [allowDownload()] }) },
    ]);

    // then
    expectCovered(stack);
  });

  test('a property override of the role\'s ManagedPolicyArns is read: a Deny managed policy there is an error naming it', () => {
    // given
    const { stack, profile, component } = pipeline();
    profile.addComponent(component);
    const guard = new iam.ManagedPolicy(stack, 'Guard', { statements: [denyDownload()] });

    // when
    (profile.role.node.defaultChild as iam.CfnRole).addPropertyOverride('ManagedPolicyArns', [guard.managedPolicyArn]);

    // then
    expectUncovered(stack, `${UNCOVERED}.*Stack/Guard/Resource`);
  });

  test('a Deny policy whose Roles is a parameter, which may name the role, makes a covered path a warning naming it', () => {
    // given
    const { stack, profile, component } = pipeline();
    profile.addComponent(component);

    // when
    new iam.CfnPolicy(stack, 'Guard', { policyName: 'guard', roles: [new CfnParameter(stack, 'GuardedRole').valueAsString], policyDocument: { Statement: [DENY_DOWNLOAD] } });

    // then
    expectUndecided(stack, "it depends on whether 'Stack/Guard' applies to this role \\(it names the role <GuardedRole>");
  });

  test('the finding reaches the cloud assembly from the validation, and a later synthesis reads the app as it is then', () => {
    // given
    const { app, stack, profile, component } = pipeline();
    profile.addComponent(component);
    const errors = () => app.synth({ force: true }).getStackByName('Stack').messages.filter(m => m.level === 'error');
    expect(errors()).toEqual([]);

    // when
    new iam.Policy(stack, 'Guard', { roles: [profile.role], statements: [denyDownload()] });

    // then
    expect(errors().map(m => m.entry.data)).toEqual([expect.stringMatching(/cannot read it.*Stack\/Guard\/Resource/)]);
  });
});

describe('resource policies and the KMS calls services make for the instance', () => {
  const ENV = { account: '111122223333', region: 'us-east-1' };
  const readObject = (resources: string[]) => new iam.PolicyStatement({ actions: ['s3:GetObject'], resources });
  const decryptVia = (service: string, key: kms.IKey) => new iam.PolicyStatement({
    actions: ['kms:Decrypt'], resources: [key.keyArn], conditions: { StringEquals: { 'kms:ViaService': `${service}.${Aws.REGION}.amazonaws.com` } },
  });

  test('reading from an SSE-KMS bucket of the app without kms:Decrypt on its key is an error that names the key', () => {
    // given
    const withoutKey = pipeline();
    new s3.Bucket(withoutKey.stack, 'A', { bucketName: 'team-artifacts', encryption: s3.BucketEncryption.KMS });
    const withKey = pipeline();
    const bucket = new s3.Bucket(withKey.stack, 'A', { bucketName: 'team-artifacts', encryption: s3.BucketEncryption.KMS });

    // when
    withoutKey.profile.addToPrincipalPolicy(readObject(['arn:aws:s3:::team-artifacts/app/install.sh']));
    withKey.profile.addToPrincipalPolicy(readObject(['arn:aws:s3:::team-artifacts/app/install.sh']));
    withKey.profile.addToPrincipalPolicy(decryptVia('s3', bucket.encryptionKey!));

    // then
    expectUncovered(withoutKey.stack, `${UNCOVERED}.*the bucket 'Stack/A' is encrypted with the key 'Stack/A/Key', which needs kms:Decrypt`);
    expectCovered(withKey.stack);
  });

  test('an artifact location and a log location on SSE-KMS buckets of the app cover the read and the log delivery, keys included', () => {
    // given
    const { stack, infrastructure } = pipeline({
      profile: s => ({
        artifactLocations: [{ bucket: new s3.Bucket(s, 'A', { bucketName: 'team-artifacts', encryption: s3.BucketEncryption.KMS }), keyPrefix: 'app' }],
        logLocation: { bucket: new s3.Bucket(s, 'Logs', { encryption: s3.BucketEncryption.KMS, bucketKeyEnabled: true }), keyPrefix: 'logs' },
      }),
    });

    // when
    infrastructure.logging = { s3Logs: { s3BucketName: (stack.node.findChild('Logs') as s3.Bucket).bucketName, s3KeyPrefix: 'logs' } };

    // then
    expectCovered(stack);
  });

  test('kms:Decrypt scoped to another service than S3 does not cover a read from an SSE-KMS bucket', () => {
    const { stack, profile } = pipeline();
    const bucket = new s3.Bucket(stack, 'A', { bucketName: 'team-artifacts', encryption: s3.BucketEncryption.KMS });

    profile.addToPrincipalPolicy(readObject(['arn:aws:s3:::team-artifacts/app/install.sh']));
    profile.addToPrincipalPolicy(decryptVia('ssm', bucket.encryptionKey!));

    expectUncovered(stack, 'which needs kms:Decrypt');
  });

  test('an upload to an SSE-KMS bucket of the app without kms:GenerateDataKey on its key is an error that names the action', () => {
    const { stack, profile } = pipeline({ data: uploadDocument('install-app', '/tmp/out.log', 's3://team-artifacts/out/out.log') });
    const bucket = new s3.Bucket(stack, 'A', { bucketName: 'team-artifacts', encryption: s3.BucketEncryption.KMS });

    profile.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: ['arn:aws:s3:::team-artifacts/out/*'] }));
    profile.addToPrincipalPolicy(decryptVia('s3', bucket.encryptionKey!));

    Annotations.fromStack(stack).hasError('/Stack/Pipeline', Match.stringLikeRegexp(
      "uploads to 's3://team-artifacts/out/out.log', but .*the key 'Stack/A/Key', which needs kms:GenerateDataKey"));
  });

  test('a bucket of the app encrypted with a key the app imports is a warning that names the key, never covered', () => {
    const { stack, profile } = pipeline();
    new s3.Bucket(stack, 'A', { bucketName: 'team-artifacts', encryptionKey: kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-east-1:111122223333:key/k') });

    profile.addToPrincipalPolicy(readObject(['arn:aws:s3:::team-artifacts/app/install.sh']));
    profile.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: ['*'] }));

    expectUndecided(stack, "the bucket 'Stack/A' is encrypted with the key 'arn:aws:kms:us-east-1:111122223333:key/k', whose key policy the app does not hold");
  });

  test('an SSE-S3 bucket and an SSE-KMS bucket with the AWS managed key need no kms grant', () => {
    const sseS3 = pipeline();
    new s3.Bucket(sseS3.stack, 'A', { bucketName: 'team-artifacts', encryption: s3.BucketEncryption.S3_MANAGED });
    const awsManaged = pipeline();
    new s3.Bucket(awsManaged.stack, 'A', { bucketName: 'team-artifacts', encryption: s3.BucketEncryption.KMS_MANAGED });

    sseS3.profile.addToPrincipalPolicy(readObject(['arn:aws:s3:::team-artifacts/app/install.sh']));
    awsManaged.profile.addToPrincipalPolicy(readObject(['arn:aws:s3:::team-artifacts/app/install.sh']));

    expectCovered(sseS3.stack);
    expectCovered(awsManaged.stack);
  });

  test('a secret of the app with a customer managed key, read without kms:Decrypt on the key, is an error', () => {
    // given
    const data = bashDocument('install-app', 'echo {{ aws:ssm:/aws/reference/secretsmanager/prod/db }}');
    const secretOf = (p: Pipeline) => {
      const key = new kms.Key(p.stack, 'SecretKey');
      new secretsmanager.Secret(p.stack, 'Db', { secretName: 'prod/db', encryptionKey: key });
      p.profile.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [p.stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: 'prod/db-??????', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      }));
      return key;
    };
    const withoutKey = pipeline({ data });
    secretOf(withoutKey);
    const withKey = pipeline({ data });

    // when
    withKey.profile.addToPrincipalPolicy(decryptVia('secretsmanager', secretOf(withKey)));

    // then
    expectUncovered(withoutKey.stack, "reads the parameter \\{\\{ aws:ssm:/aws/reference/secretsmanager/prod/db \\}\\}, but the instance profile 'Stack/Profile' "
      + "cannot read it: .*the secret 'Stack/Db' is encrypted with the key 'Stack/SecretKey', which needs kms:Decrypt");
    expectCovered(withKey.stack);
  });

  test('a secret\'s resource policy of the app decides too: an Allow naming the role suffices, a Deny is an error naming it', () => {
    // given
    const data = bashDocument('install-app', 'echo {{ aws:ssm:/aws/reference/secretsmanager/prod/db }}');
    const allowed = pipeline({ data });
    const denied = pipeline({ data });
    const secretOf = (p: Pipeline) => new secretsmanager.Secret(p.stack, 'Db', { secretName: 'prod/db' });

    // when
    secretOf(allowed).addToResourcePolicy(new iam.PolicyStatement({
      principals: [allowed.profile.role], actions: ['secretsmanager:GetSecretValue'], resources: ['*'],
    }));
    denied.profile.addSecret(secretsmanager.Secret.fromSecretNameV2(denied.stack, 'Imported', 'prod/db'));
    secretOf(denied).addToResourcePolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()], actions: ['secretsmanager:GetSecretValue'], resources: ['*'],
    }));

    // then
    expectCovered(allowed.stack);
    expectUncovered(denied.stack, "cannot read it: .*statement 1 of 'Stack/Db/Policy' denies secretsmanager:GetSecretValue");
  });

  test('a secret\'s resource policy that CloudFormation creates only under a Condition, or one of two, proves nothing', () => {
    // given two pipelines whose only grant of the secret is the Allow of its resource policy
    const data = bashDocument('install-app', 'echo {{ aws:ssm:/aws/reference/secretsmanager/prod/db }}');
    const allowedBy = (p: Pipeline) => {
      const secret = new secretsmanager.Secret(p.stack, 'Db', { secretName: 'prod/db' });
      secret.addToResourcePolicy(new iam.PolicyStatement({ principals: [p.profile.role], actions: ['secretsmanager:GetSecretValue'], resources: ['*'] }));
      p.profile.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: ['*'] }));
      return secret;
    };
    const conditioned = pipeline({ data });
    const twice = pipeline({ data });

    // when one policy is created only when IsProd holds, and the other secret has a second resource policy
    const isProd = new CfnCondition(conditioned.stack, 'IsProd', {
      expression: Fn.conditionEquals(new CfnParameter(conditioned.stack, 'Stage').valueAsString, 'prod'),
    });
    (allowedBy(conditioned).node.findChild('Policy').node.defaultChild as secretsmanager.CfnResourcePolicy).cfnOptions.condition = isProd;
    new secretsmanager.CfnResourcePolicy(twice.stack, 'Other', {
      secretId: allowedBy(twice).secretArn, resourcePolicy: { Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999988887777:root' }, Action: 'secretsmanager:DescribeSecret', Resource: '*' }] },
    });

    // then
    for (const [p, why] of [[conditioned, "created only when its Condition 'IsProd' holds"], [twice, 'has two resource policies']] as const) {
      Annotations.fromStack(p.stack).hasNoError('*', Match.anyValue());
      Annotations.fromStack(p.stack).hasWarning('/Stack/Pipeline', Match.stringLikeRegexp(`secretsmanager/prod/db .*cannot be decided at synthesis\\. Why: .*${why}`));
    }
  });

  test('a SecureString the app imports with a key of the app needs kms:Decrypt on it: an error without, covered with addParameter', () => {
    // given
    const data = bashDocument('install-app', 'echo {{ aws:ssm:/team/db-password }}');
    const secureString = (p: Pipeline) => ssm.StringParameter.fromSecureStringParameterAttributes(p.stack, 'Password', {
      parameterName: '/team/db-password', encryptionKey: new kms.Key(p.stack, 'ParameterKey'),
    });
    const withoutKey = pipeline({ data });
    secureString(withoutKey);
    const withKey = pipeline({ data });

    // when
    withKey.profile.addParameter(secureString(withKey));

    // then
    expectUncovered(withoutKey.stack, "reads the parameter \\{\\{ aws:ssm:/team/db-password \\}\\}, but the instance profile 'Stack/Profile' cannot read it: "
      + ".*the SecureString parameter 'team/db-password' is encrypted with the key 'Stack/ParameterKey', which needs kms:Decrypt");
    expectCovered(withKey.stack);
  });

  test('an expectedBucketOwner of another account is a warning: that account\'s bucket policy must allow the read too', () => {
    const data = replaceOnce(DOWNLOAD, '            destination:', '            expectedBucketOwner: 999988887777\n            destination:');
    const { stack, profile, component } = pipeline({ data, stack: { env: ENV } });

    profile.addComponent(component);

    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasWarning('/Stack/Pipeline', Match.stringLikeRegexp(
      `${UNDECIDED}.*the bucket 'team-artifacts' belongs to another account .*whose policy the app does not hold`));
  });

  test('a read from an SSE-KMS bucket of another stack of the app, named by its literal name, is not covered by s3:GetObject alone', () => {
    // given the bucket in another stack of the same environment, encrypted with a key of that stack
    const { app, stack, profile } = pipeline({ stack: { env: ENV } });
    new s3.Bucket(new Stack(app, 'Buckets', { env: ENV }), 'A', { bucketName: 'team-artifacts', encryption: s3.BucketEncryption.KMS });

    // when the role may get the object, but not decrypt with the bucket's key
    profile.addToPrincipalPolicy(readObject(['arn:aws:s3:::team-artifacts/app/*']));

    // then a warning that names the bucket, whose policy and key the check does not read
    expectUndecided(stack, "the bucket 'Buckets/A' is of another stack than the role's");
  });

  test('an expectedBucketOwner of another account on a bucket of the app is an error: S3 refuses a request whose expected owner is not the bucket\'s', () => {
    // given a download from the app's bucket (of the role's account) that expects another account to own it
    const data = replaceOnce(DOWNLOAD, '            destination:', '            expectedBucketOwner: 999988887777\n            destination:');
    const { stack, profile, component } = pipeline({ data, stack: { env: ENV } });
    new s3.Bucket(stack, 'A', { bucketName: 'team-artifacts' });

    // when
    profile.addComponent(component);

    // then
    expectUncovered(stack, `${UNCOVERED}.*the bucket 'Stack/A' belongs to the account 111122223333, not to the expectedBucketOwner 999988887777`);
  });

  test('an upload to an SSE-KMS bucket of the app is not covered without kms:Decrypt, which a multipart upload needs', () => {
    // given a profile that may put the object and make a data key through S3, but not decrypt
    const { stack, profile } = pipeline({ data: uploadDocument('publish', '/tmp/report.tar', 's3://team-artifacts/reports/report.tar'), stack: { env: ENV } });
    const bucket = new s3.Bucket(stack, 'A', { bucketName: 'team-artifacts', encryption: s3.BucketEncryption.KMS });

    // when
    profile.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: ['arn:aws:s3:::team-artifacts/reports/*'] }));
    profile.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [bucket.encryptionKey!.keyArn] }));

    // then a warning that names the missing call, neither covered nor an error (a small file goes up in one request)
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasWarning('/Stack/Pipeline', Match.stringLikeRegexp(
      "uploads to 's3://team-artifacts/reports/report.tar'; whether .* can write it cannot be decided at synthesis\\. Why: .*multipart upload.*kms:Decrypt"));
  });

  test('a log bucket named by a CfnParameter is not taken to be of the role\'s account: a warning, not covered', () => {
    // given
    let name: CfnParameter | undefined;
    const { stack, profile, component, infrastructure } = pipeline({
      profile: s => {
        name = new CfnParameter(s, 'LogBucket');
        return { logLocation: { bucket: s3.Bucket.fromBucketName(s, 'Logs', name.valueAsString), keyPrefix: 'logs' } };
      },
    });
    profile.addComponent(component);

    // when
    infrastructure.logging = { s3Logs: { s3BucketName: name!.valueAsString, s3KeyPrefix: 'logs' } };

    // then
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasWarning('/Stack/Pipeline', Match.stringLikeRegexp(
      "delivers build logs to S3 at 's3://<parameter Stack/LogBucket>/logs/'; whether .* can write there cannot be decided at synthesis\\. Why: "
      + ".*the account that owns the bucket '<parameter Stack/LogBucket>' is not known"));
  });

  test('a bucket policy of the app that allows the role to read is enough, without any identity grant', () => {
    const { stack, profile } = pipeline();
    const bucket = new s3.Bucket(stack, 'A', { bucketName: 'team-artifacts' });

    bucket.addToResourcePolicy(new iam.PolicyStatement({ principals: [profile.role], actions: ['s3:GetObject'], resources: [bucket.arnForObjects('app/*')] }));

    expectCovered(stack);
  });

  test('an explicit Deny in a bucket policy of the app is an error that names it, even where the role\'s policies allow', () => {
    const { stack, profile } = pipeline();
    const bucket = new s3.Bucket(stack, 'A', { bucketName: 'team-artifacts' });
    profile.addToPrincipalPolicy(readObject(['arn:aws:s3:::team-artifacts/app/*']));

    bucket.addToResourcePolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()], actions: ['s3:GetObject'], resources: [bucket.arnForObjects('app/*')],
    }));

    expectUncovered(stack, `${UNCOVERED}.*statement 1 of 'Stack/A/Policy' denies s3:GetObject`);
  });

  test('a key policy of the app that neither allows the role nor lets IAM policies allow is an error, whatever the role\'s policies say', () => {
    const { stack, profile } = pipeline();
    const key = new kms.Key(stack, 'K', {
      policy: new iam.PolicyDocument({
        statements: [new iam.PolicyStatement({ principals: [new iam.ServicePrincipal('logs.amazonaws.com')], actions: ['kms:*'], resources: ['*'] })],
      }),
    });
    new s3.Bucket(stack, 'A', { bucketName: 'team-artifacts', encryptionKey: key });

    profile.addToPrincipalPolicy(readObject(['arn:aws:s3:::team-artifacts/app/install.sh']));
    profile.addToPrincipalPolicy(decryptVia('s3', key));

    expectUncovered(stack, "the key policy of the key 'Stack/K' neither allows the role kms:Decrypt .* nor lets IAM policies of the account allow it");
  });

  test('two bucket policies of one bucket prove nothing: S3 keeps one policy a bucket, and which of the two stays is not known', () => {
    // given the bucket's own policy, which allows the role to read, and another AWS::S3::BucketPolicy of the same bucket
    const { stack, profile } = pipeline();
    const bucket = new s3.Bucket(stack, 'A', { bucketName: 'team-artifacts' });
    bucket.addToResourcePolicy(new iam.PolicyStatement({ principals: [profile.role], actions: ['s3:GetObject'], resources: [bucket.arnForObjects('app/*')] }));

    // when
    new s3.CfnBucketPolicy(stack, 'Other', {
      bucket: bucket.bucketName,
      policyDocument: { Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::team-artifacts/*' }] },
    });

    // then neither the Allow of one nor its absence from the other decides
    expectUndecided(stack, "the bucket 'Stack/A' has two bucket policies .*'Stack/A/Policy'.*'Stack/Other'");
  });

  test('a bucket policy that CloudFormation creates only under a Condition proves neither its Allow nor its Deny', () => {
    // given two pipelines: one whose only grant is a conditioned bucket policy's Allow, one whose role allows but a conditioned bucket policy denies
    const conditioned = (allowedByRole: boolean, effect: iam.Effect) => {
      const { stack, profile } = pipeline();
      const bucket = new s3.Bucket(stack, 'A', { bucketName: 'team-artifacts' });
      if (allowedByRole) {
        profile.addToPrincipalPolicy(readObject(['arn:aws:s3:::team-artifacts/app/*']));
      }
      bucket.addToResourcePolicy(new iam.PolicyStatement({
        effect, principals: [effect === iam.Effect.ALLOW ? profile.role : new iam.AnyPrincipal()], actions: ['s3:GetObject'], resources: [bucket.arnForObjects('app/*')],
      }));
      const isProd = new CfnCondition(stack, 'IsProd', { expression: Fn.conditionEquals(new CfnParameter(stack, 'Stage').valueAsString, 'prod') });
      (bucket.policy!.node.defaultChild as s3.CfnBucketPolicy).cfnOptions.condition = isProd;
      return stack;
    };

    // when
    const onlyAllow = conditioned(false, iam.Effect.ALLOW);
    const onlyDeny = conditioned(true, iam.Effect.DENY);

    // then neither is covered nor an error: each depends on whether the policy is created
    expectUndecided(onlyAllow, "'Stack/A/Policy'.*created only when its Condition 'IsProd' holds");
    expectUndecided(onlyDeny, "'Stack/A/Policy'.*created only when its Condition 'IsProd' holds");
  });
});
describe('a download of the keys that begin with a prefix (s3://bucket/<prefix>*)', () => {
  const PREFIX_DOWNLOAD = downloadDocument('install-app', 's3://team-artifacts/releases/app-*', '/tmp/releases/');

  test('given a profile that gets those objects but cannot list the prefix, when checked, then the listing is an error', () => {
    const { stack, profile } = pipeline({ data: PREFIX_DOWNLOAD });
    profile.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::team-artifacts/releases/app-*'] }));

    expectUncovered(stack, "downloads 's3://team-artifacts/releases/app-\\*', but the instance profile 'Stack/Profile' cannot read it");
  });

  test('given the component is added to the profile, when checked, then the objects and the listing are covered', () => {
    const { stack, profile, component } = pipeline({ data: PREFIX_DOWNLOAD });
    profile.addComponent(component);

    expectCovered(stack);
  });
});

describe('container builds', () => {
  const ENV = { account: '111122223333', region: 'us-east-1' };

  interface ContainerOptions {
    readonly profile?: (stack: Stack, repository: ecr.IRepository) => ImageBuilderInstanceProfileProps;
    readonly parentImage?: string;
    readonly targetRepositoryName?: (repository: ecr.IRepository) => string;
    readonly repositoryName?: string;
    readonly envAgnostic?: boolean;
  }

  function containerPipeline(options: ContainerOptions = {}) {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: options.envAgnostic ? undefined : ENV });
    const repository = new ecr.Repository(stack, 'Images', { repositoryName: 'repositoryName' in options ? options.repositoryName : 'team/images' });
    const profile = new ImageBuilderInstanceProfile(stack, 'Profile', options.profile?.(stack, repository));
    const component = new imagebuilder.CfnComponent(stack, 'Component', {
      name: 'configure', platform: 'Linux', version: '1.0.0', data: bashDocument('configure', 'echo configured'),
    });
    profile.addComponent(component);
    const recipe = new imagebuilder.CfnContainerRecipe(stack, 'Recipe', {
      name: 'recipe',
      version: '1.0.0',
      containerType: 'DOCKER',
      parentImage: options.parentImage ?? 'amazonlinux:latest',
      components: [{ componentArn: component.attrArn }],
      targetRepository: { service: 'ECR', repositoryName: (options.targetRepositoryName ?? (r => r.repositoryName))(repository) },
      dockerfileTemplateData: 'FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:environments }}}\n{{{ imagebuilder:components }}}',
    });
    const infrastructure = new imagebuilder.CfnInfrastructureConfiguration(stack, 'Infrastructure', {
      name: 'infrastructure', instanceProfileName: profile.instanceProfileName,
    });
    new imagebuilder.CfnImagePipeline(stack, 'Pipeline', {
      name: 'pipeline', containerRecipeArn: recipe.attrArn, infrastructureConfigurationArn: infrastructure.attrArn,
    });
    Aspects.of(app).add(new ComponentAccessChecks());
    return { stack, profile, repository };
  }

  test('given a profile with no container repository and no containerBuilds, when checked, then pushing to the target repository is an error naming the recipe, the repository and the fix', () => {
    const { stack } = containerPipeline();

    Annotations.fromStack(stack).hasError('/Stack/Pipeline', Match.stringLikeRegexp(
      "image pipeline 'Stack/Pipeline': its container recipe 'Stack/Recipe' pushes the image to the ECR repository 'team/images' of us-east-1, but the "
      + "instance profile 'Stack/Profile' cannot push there: give the repository to the profile \\(containerRepositories / container_repositories, "
      + 'or its addContainerRepository / add_container_repository\\), or set containerBuilds / container_builds to true'));
  });

  test('given the target repository in containerRepositories, when checked, then pushing is covered', () => {
    const { stack } = containerPipeline({ profile: (_, repository) => ({ containerRepositories: [repository] }) });

    expectCovered(stack);
  });

  test('given a target repository of the app with a generated name in containerRepositories, when checked, then pushing is covered', () => {
    const { stack } = containerPipeline({ repositoryName: undefined, profile: (_, repository) => ({ containerRepositories: [repository] }) });

    expectCovered(stack);
  });

  test('given a stack of unknown region and account, when the target repository is in containerRepositories, then pushing is covered', () => {
    const { stack } = containerPipeline({
      envAgnostic: true, repositoryName: undefined, profile: (_, repository) => ({ containerRepositories: [repository] }),
    });

    expectCovered(stack);
  });

  test('given a target repository of the app with a repository policy, when checked, then pushing is not covered: the policy may deny it', () => {
    // given the target repository in containerRepositories, and a repository policy that denies pushing to everyone
    const { stack, repository } = containerPipeline({ profile: (_, r) => ({ containerRepositories: [r] }) });

    // when
    repository.addToResourcePolicy(new iam.PolicyStatement({ effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()], actions: ['ecr:PutImage'] }));

    // then never covered: a warning that names the repository policy
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasWarning('/Stack/Pipeline', Match.stringLikeRegexp(
      "pushes the image to the ECR repository 'team/images' of us-east-1; whether .* can push there cannot be decided at synthesis\\. Why: "
      + ".*the repository 'Stack/Images' has a repository policy, which the check does not read"));
  });

  test('given another repository in containerRepositories, when checked, then pushing to the target is an error', () => {
    const { stack } = containerPipeline({
      profile: s => ({ containerRepositories: [ecr.Repository.fromRepositoryName(s, 'Other', 'team/other')] }),
    });

    Annotations.fromStack(stack).hasError('/Stack/Pipeline', Match.stringLikeRegexp("pushes the image to the ECR repository 'team/images' of us-east-1, but"));
  });

  test('given containerBuilds, when checked, then pushing is covered by EC2InstanceProfileForImageBuilderECRContainerBuilds', () => {
    const { stack } = containerPipeline({ profile: () => ({ containerBuilds: true }) });

    expectCovered(stack);
  });

  test('given a target repository named by a literal, when it is in containerRepositories by name, then pushing is covered', () => {
    const { stack } = containerPipeline({
      targetRepositoryName: () => 'team/base',
      profile: s => ({ containerRepositories: [ecr.Repository.fromRepositoryName(s, 'Base', 'team/base')] }),
    });

    expectCovered(stack);
  });

  test('given a target repository known only at deployment, when checked, then it is a warning, never an error', () => {
    const { stack } = containerPipeline({ targetRepositoryName: () => Lazy.string({ produce: () => 'team/images' }) });

    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasWarning('/Stack/Pipeline', Match.stringLikeRegexp(
      "its container recipe 'Stack/Recipe' has a target repository that is not an ECR repository named in this app, so pushing the image is not checked"));
  });

  test('given a parent image in an ECR repository of the account that the profile cannot pull, when checked, then it is an error naming the repository', () => {
    const { stack } = containerPipeline({
      parentImage: '111122223333.dkr.ecr.us-east-1.amazonaws.com/team/base:1.0',
      profile: (_, repository) => ({ containerRepositories: [repository] }),
    });

    Annotations.fromStack(stack).hasError('/Stack/Pipeline', Match.stringLikeRegexp(
      "its container recipe 'Stack/Recipe' pulls the parent image '111122223333.dkr.ecr.us-east-1.amazonaws.com/team/base:1.0' from the ECR "
      + "repository 'team/base', but the instance profile 'Stack/Profile' cannot pull it: call the repository's grantPull / grant_pull with the profile, or set containerBuilds / container_builds to true"));
  });

  test('given a parent image in an ECR repository that the profile pulls, when checked, then it is covered', () => {
    const { stack } = containerPipeline({
      parentImage: '111122223333.dkr.ecr.us-east-1.amazonaws.com/team/base:1.0',
      profile: s => ({ containerRepositories: [ecr.Repository.fromRepositoryName(s, 'Base', 'team/base')], containerBuilds: undefined }),
      targetRepositoryName: () => 'team/base',
    });

    expectCovered(stack);
  });

  test('given a parent image of another account that the role may pull, when checked, then the repository policy it needs is a warning', () => {
    const { stack } = containerPipeline({
      parentImage: '999988887777.dkr.ecr.us-east-1.amazonaws.com/shared/base:1.0',
      profile: () => ({ containerBuilds: true }),
    });

    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasWarning('/Stack/Pipeline', Match.stringLikeRegexp('of another account \\(999988887777\\): the role may pull it, but the repository policy'));
  });
});

describe('a pipeline in another region than the profile (cross-region references)', () => {
  const ACCOUNT = '111122223333';
  const DATA = bashDocument('configure', 'echo {{ aws:ssm:/team/app/version }} {{ aws:ssm:/aws/reference/secretsmanager/prod/db }}');

  function crossRegion(grant: (profile: ImageBuilderInstanceProfile, component: imagebuilder.CfnComponent) => void) {
    const app = new App();
    const profiles = new Stack(app, 'Profiles', { env: { account: ACCOUNT, region: 'us-east-1' }, crossRegionReferences: true });
    const profile = new ImageBuilderInstanceProfile(profiles, 'Profile', { readAllParameters: false });
    const pipelines = new Stack(app, 'Pipelines', { env: { account: ACCOUNT, region: 'eu-west-1' }, crossRegionReferences: true });
    const component = new imagebuilder.CfnComponent(pipelines, 'Component', { name: 'configure', platform: 'Linux', version: '1.0.0', data: DATA });
    const recipe = new imagebuilder.CfnImageRecipe(pipelines, 'Recipe', {
      name: 'recipe', version: '1.0.0', parentImage: 'ami-0123456789abcdef0', components: [{ componentArn: component.attrArn }],
    });
    const infrastructure = new imagebuilder.CfnInfrastructureConfiguration(pipelines, 'Infrastructure', {
      name: 'infrastructure', instanceProfileName: profile.instanceProfileName,
    });
    new imagebuilder.CfnImagePipeline(pipelines, 'Pipeline', {
      name: 'pipeline', imageRecipeArn: recipe.attrArn, infrastructureConfigurationArn: infrastructure.attrArn,
    });
    grant(profile, component);
    Aspects.of(app).add(new ComponentAccessChecks());
    const template = Template.fromStack(profiles).toJSON() as any;
    const permissions = EffectivePermissions.ofRole(template, profiles.getLogicalId(profile.role.node.defaultChild as iam.CfnRole));
    return { pipelines, permissions };
  }

  test('given the component added to a profile of us-east-1, when a pipeline of eu-west-1 uses it, then the instances read the parameter and the secret of eu-west-1', async () => {
    const { permissions } = crossRegion((profile, component) => profile.addComponent(component));
    const context = { 'aws:PrincipalAccount': ACCOUNT };

    expect(await permissions.decide('ssm:GetParameter', `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/team/app/version`, context)).toBe('Allowed');
    expect(await permissions.decide('ssm:GetParameter', `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/aws/reference/secretsmanager/prod/db`, context)).toBe('Allowed');
    expect(await permissions.decide('secretsmanager:GetSecretValue', `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:prod/db-AbCdEf`, context)).toBe('Allowed');
    // the profile's own region, and no region where it does not build
    expect(await permissions.decide('ssm:GetParameter', `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/team/app/version`, context)).toBe('Allowed');
    expect(await permissions.decide('ssm:GetParameter', `arn:aws:ssm:ap-south-1:${ACCOUNT}:parameter/team/app/version`, context)).toBe('ImplicitlyDenied');
  });

  test('given the component added, when checked, then the pipeline of eu-west-1 is covered', () => {
    const { pipelines } = crossRegion((profile, component) => profile.addComponent(component));

    Annotations.fromStack(pipelines).hasNoError('*', Match.anyValue());
    Annotations.fromStack(pipelines).hasNoWarning('/Pipelines/Pipeline', Match.anyValue());
  });

  test('given a secret of the profile\'s stack with a customer managed key, when a pipeline of eu-west-1 reads a secret of that name, then it is a warning, not covered', () => {
    // given the secret prod/db of us-east-1, encrypted with a key of the app, and granted with addSecret
    const { pipelines } = crossRegion((profile, component) => {
      profile.addComponent(component);
      const stack = Stack.of(profile);
      profile.addSecret(new secretsmanager.Secret(stack, 'Db', { secretName: 'prod/db', encryptionKey: new kms.Key(stack, 'Key') }));
    });

    // when the pipeline of eu-west-1 reads prod/db: the secret of eu-west-1 (a replica, say), whose key the app does not tell

    // then
    Annotations.fromStack(pipelines).hasNoError('*', Match.anyValue());
    Annotations.fromStack(pipelines).hasWarning('/Pipelines/Pipeline', Match.stringLikeRegexp(
      'reads the parameter \\{\\{ aws:ssm:/aws/reference/secretsmanager/prod/db \\}\\}; whether .* cannot be decided at synthesis\\. Why: '
      + ".*the secret 'Profiles/Db' is of us-east-1, and the build reads the one of that name of eu-west-1"));
  });

  test('given a SecureString that the profile\'s stack imports with its key, when a pipeline of eu-west-1 reads a parameter of that name, then it is a warning, not covered', () => {
    // given /team/app/version imported in us-east-1 with a key of the app, and granted with addParameter
    const { pipelines } = crossRegion((profile, component) => {
      profile.addComponent(component);
      const stack = Stack.of(profile);
      profile.addParameter(ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'Version', {
        parameterName: '/team/app/version', encryptionKey: new kms.Key(stack, 'ParameterKey'),
      }));
    });

    // when the pipeline of eu-west-1 reads /team/app/version: the parameter of eu-west-1, whose key the app does not tell

    // then
    Annotations.fromStack(pipelines).hasNoError('*', Match.anyValue());
    Annotations.fromStack(pipelines).hasWarning('/Pipelines/Pipeline', Match.stringLikeRegexp(
      'reads the parameter \\{\\{ aws:ssm:/team/app/version \\}\\}; whether .* cannot be decided at synthesis\\. Why: '
      + ".*the SecureString parameter 'team/app/version' that the app imports is of us-east-1, and the build reads the one of that name of eu-west-1"));
  });

  test('given grants in us-east-1 only, when a pipeline of eu-west-1 reads the parameter, then the check evaluates eu-west-1 and it is an error', () => {
    const { pipelines } = crossRegion(profile => profile.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ssm:GetParameter', 'secretsmanager:GetSecretValue'],
      resources: [`arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/*`, `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:*`],
    })));

    Annotations.fromStack(pipelines).hasError('/Pipelines/Pipeline', Match.stringLikeRegexp(
      "image pipeline 'Pipelines/Pipeline': component 'configure', step 'build/Configure' \\(ExecuteBash\\) reads the parameter \\{\\{ aws:ssm:/team/app/version \\}\\}, but"));
  });
});

describe('a container pipeline in another region than the profile', () => {
  const ACCOUNT = '111122223333';

  function crossRegionContainer(repositoryArn: string) {
    const app = new App();
    const profiles = new Stack(app, 'Profiles', { env: { account: ACCOUNT, region: 'us-east-1' }, crossRegionReferences: true });
    const profile = new ImageBuilderInstanceProfile(profiles, 'Profile', {
      containerRepositories: [ecr.Repository.fromRepositoryArn(profiles, 'Images', repositoryArn)],
    });
    const pipelines = new Stack(app, 'Pipelines', { env: { account: ACCOUNT, region: 'eu-west-1' }, crossRegionReferences: true });
    const recipe = new imagebuilder.CfnContainerRecipe(pipelines, 'Recipe', {
      name: 'recipe',
      version: '1.0.0',
      containerType: 'DOCKER',
      parentImage: 'amazonlinux:latest',
      components: [],
      targetRepository: { service: 'ECR', repositoryName: 'team/images' },
      dockerfileTemplateData: 'FROM {{{ imagebuilder:parentImage }}}',
    });
    const infrastructure = new imagebuilder.CfnInfrastructureConfiguration(pipelines, 'Infrastructure', {
      name: 'infrastructure', instanceProfileName: profile.instanceProfileName,
    });
    new imagebuilder.CfnImagePipeline(pipelines, 'Pipeline', {
      name: 'pipeline', containerRecipeArn: recipe.attrArn, infrastructureConfigurationArn: infrastructure.attrArn,
    });
    Aspects.of(app).add(new ComponentAccessChecks());
    return pipelines;
  }

  test('given the repository of the pipeline\'s region, when checked, then pushing and reading the recipe of eu-west-1 are covered', () => {
    const pipelines = crossRegionContainer(`arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/team/images`);

    Annotations.fromStack(pipelines).hasNoError('*', Match.anyValue());
    Annotations.fromStack(pipelines).hasNoWarning('/Pipelines/Pipeline', Match.anyValue());
  });

  test('given a repository of that name in the profile\'s region only, when checked, then pushing in eu-west-1 is an error', () => {
    const pipelines = crossRegionContainer(`arn:aws:ecr:us-east-1:${ACCOUNT}:repository/team/images`);

    Annotations.fromStack(pipelines).hasError('/Pipelines/Pipeline', Match.stringLikeRegexp("pushes the image to the ECR repository 'team/images' of eu-west-1, but"));
  });
});
