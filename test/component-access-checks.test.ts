import { App, Aspects, Aws, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ComponentAccessChecks, ImageBuilderInstanceProfile } from '../src';
import { downloadDocument } from './helpers/component-documents';

const DOWNLOAD = downloadDocument('install-app', 's3://team-artifacts/app/install.sh', '/tmp/install.sh');

interface Pipeline {
  readonly app: App;
  readonly stack: Stack;
  readonly profile: ImageBuilderInstanceProfile;
  readonly component: imagebuilder.CfnComponent;
  readonly recipe: imagebuilder.CfnImageRecipe;
  readonly infrastructure: imagebuilder.CfnInfrastructureConfiguration;
}

function pipeline(options: { data?: string; extraComponentArns?: string[] } = {}): Pipeline {
  const app = new App();
  const stack = new Stack(app, 'Stack');
  const profile = new ImageBuilderInstanceProfile(stack, 'Profile');
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
  + "'s3://team-artifacts/app/install.sh', but the instance profile 'Stack/Profile' cannot read it: call addComponent\\(component\\)";

test('a pipeline whose component reads a path the profile does not cover is an error naming the pipeline, component, step and path', () => {
  const { stack } = pipeline();

  Annotations.fromStack(stack).hasError('/Stack/Pipeline', Match.stringLikeRegexp(UNCOVERED));
});

test('the finding is an error-level message of the cloud assembly, which makes cdk synth fail', () => {
  const { app } = pipeline();

  const messages = app.synth().getStackByName('Stack').messages;
  expect(messages.filter(m => m.level === 'error').map(m => m.entry.data)).toEqual([expect.stringMatching(/cannot read it/)]);
});

test('no error once addComponent is called', () => {
  const { stack, profile, component } = pipeline();

  profile.addComponent(component);

  Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
  Annotations.fromStack(stack).hasNoWarning('/Stack/Pipeline', Match.anyValue());
});

test('a path inside an artifact location is covered', () => {
  const { stack, profile } = pipeline();

  profile.addArtifactLocation({ bucket: s3.Bucket.fromBucketName(stack, 'Artifacts', 'team-artifacts'), keyPrefix: 'app' });

  Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
});

test('a path in another folder of the same bucket is not covered', () => {
  const { stack, profile } = pipeline();

  profile.addArtifactLocation({ bucket: s3.Bucket.fromBucketName(stack, 'Artifacts', 'team-artifacts'), keyPrefix: 'app-other' });

  Annotations.fromStack(stack).hasError('/Stack/Pipeline', Match.stringLikeRegexp(UNCOVERED));
});

test('a role statement with literal ARNs and * wildcards covers a path', () => {
  const { stack, profile } = pipeline();

  profile.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:Get*'], resources: ['arn:aws:s3:::team-*/app/*'] }));

  Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
});

test('a statement for another action does not cover a path', () => {
  const { stack, profile } = pipeline();

  profile.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: ['arn:aws:s3:::team-artifacts/*'] }));

  Annotations.fromStack(stack).hasError('/Stack/Pipeline', Match.stringLikeRegexp(UNCOVERED));
});

test('a statement whose resources are tokens makes a path it might cover a warning, not an error', () => {
  const { stack, profile } = pipeline();
  const bucket = new s3.Bucket(stack, 'Generated');

  bucket.grantRead(profile);

  Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
  Annotations.fromStack(stack).hasWarning('/Stack/Pipeline', Match.stringLikeRegexp("downloads 's3://team-artifacts/app/install.sh'; a statement on the role .* may allow it"));
});

test('AWS-managed components are skipped', () => {
  const { stack, profile, component } = pipeline({
    extraComponentArns: [`arn:${Aws.PARTITION}:imagebuilder:${Aws.REGION}:aws:component/update-linux/x.x.x`],
  });

  profile.addComponent(component);

  Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
  Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
});

test('a component that is not of this app is a warning, never an error', () => {
  const { stack, profile, component } = pipeline({
    extraComponentArns: ['arn:aws:imagebuilder:us-east-1:111122223333:component/shared/1.0.0'],
  });

  profile.addComponent(component);

  Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
  Annotations.fromStack(stack).hasWarning('/Stack/Pipeline',
    Match.stringLikeRegexp("its component 'arn:aws:imagebuilder:us-east-1:111122223333:component/shared/1.0.0' is not a CfnComponent of this app"));
});

test('an imported profile is a warning, never an error', () => {
  const { stack, infrastructure } = pipeline();

  infrastructure.instanceProfileName = ImageBuilderInstanceProfile.fromInstanceProfileName(stack, 'Team', 'TeamRole').instanceProfileName;

  Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
  Annotations.fromStack(stack).hasWarning('/Stack/Pipeline', Match.stringLikeRegexp("its instance profile \\('TeamRole'\\) is not an ImageBuilderInstanceProfile"));
});

test('an imported recipe is a warning, never an error', () => {
  const app = new App();
  const stack = new Stack(app, 'Stack');
  const profile = new ImageBuilderInstanceProfile(stack, 'Profile');
  const infrastructure = new imagebuilder.CfnInfrastructureConfiguration(stack, 'Infrastructure', { name: 'i', instanceProfileName: profile.instanceProfileName });
  new imagebuilder.CfnImagePipeline(stack, 'Pipeline', {
    name: 'p', imageRecipeArn: 'arn:aws:imagebuilder:us-east-1:111122223333:image-recipe/shared/1.0.0', infrastructureConfigurationArn: infrastructure.attrArn,
  });
  Aspects.of(app).add(new ComponentAccessChecks());

  Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
  Annotations.fromStack(stack).hasWarning('/Stack/Pipeline', Match.stringLikeRegexp('its recipe is not a CfnImageRecipe or CfnContainerRecipe of this app'));
});

test('a CfnImage is checked like a pipeline', () => {
  const { stack, recipe, infrastructure } = pipeline();

  new imagebuilder.CfnImage(stack, 'Image', { imageRecipeArn: recipe.attrArn, infrastructureConfigurationArn: infrastructure.attrArn });

  Annotations.fromStack(stack).hasError('/Stack/Image', Match.stringLikeRegexp("image 'Stack/Image': component 'install-app', step 'build/Fetch'"));
});

test('an upload to a folder outside the log location is an error that suggests logLocation', () => {
  const upload = DOWNLOAD.replace('action: S3Download', 'action: S3Upload')
    .replace('source: s3://team-artifacts/app/install.sh', 'source: /var/log/build.log')
    .replace('destination: /tmp/install.sh', 'destination: s3://team-logs/builds/');
  const { stack, profile } = pipeline({ data: upload });
  profile.addArtifactLocation({ bucket: s3.Bucket.fromBucketName(stack, 'Logs', 'team-logs') });

  Annotations.fromStack(stack).hasError('/Stack/Pipeline',
    Match.stringLikeRegexp("uploads to 's3://team-logs/builds/', but .* cannot write it: .* or make its folder the logLocation"));
});
