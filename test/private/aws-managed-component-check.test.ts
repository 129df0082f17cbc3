import { App, Aspects, Aws, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import { ComponentAccessChecks, ImageBuilderInstanceProfile } from '../../src';

const managed = (name: string, version = '/x.x.x') => `arn:${Aws.PARTITION}:imagebuilder:${Aws.REGION}:aws:component/${name}${version}`;

function pipeline(componentArns: string[], grant?: (profile: ImageBuilderInstanceProfile, recipe: imagebuilder.CfnImageRecipe) => void) {
  const app = new App();
  const stack = new Stack(app, 'Stack');
  const profile = new ImageBuilderInstanceProfile(stack, 'Profile');
  const recipe = new imagebuilder.CfnImageRecipe(stack, 'Recipe', {
    name: 'recipe', version: '1.0.0', parentImage: 'ami-0123456789abcdef0', components: componentArns.map(componentArn => ({ componentArn })),
  });
  const infrastructure = new imagebuilder.CfnInfrastructureConfiguration(stack, 'Infrastructure', {
    name: 'infrastructure', instanceProfileName: profile.instanceProfileName,
  });
  new imagebuilder.CfnImagePipeline(stack, 'Pipeline', {
    name: 'pipeline', imageRecipeArn: recipe.attrArn, infrastructureConfigurationArn: infrastructure.attrArn,
  });
  grant?.(profile, recipe);
  Aspects.of(app).add(new ComponentAccessChecks());
  return { stack, profile, recipe };
}

describe('ComponentAccessChecks with AWS-managed components', () => {
  test('given an AWS-managed component with needs that the profile lacks, when synthesized, then an error names the pipeline, the component, the action and the call that fixes it', () => {
    const { stack } = pipeline([managed('ebs-volume-usage-test-linux')]);

    Annotations.fromStack(stack).hasError('/Stack/Pipeline', Match.stringLikeRegexp(
      "^image pipeline 'Stack/Pipeline': its AWS-managed component 'ebs-volume-usage-test-linux' needs ec2:CreateVolume on "
      + "'arn:aws:ec2:<region of Stack>:<account of Stack>:volume/<any volume>'.*but the instance profile 'Stack/Profile' does not allow them: "
      + "call the profile's addAwsManagedComponent / add_aws_managed_component with 'ebs-volume-usage-test-linux', or its addRecipe / add_recipe "
      + "with the recipe 'Stack/Recipe'\\.$"));
  });

  test('given the error, when the profile adds the recipe, then the pipeline is covered', () => {
    const { stack } = pipeline([managed('ebs-volume-usage-test-linux'), managed('eni-attachment-test-windows', ''), managed('hello-world-linux')],
      (profile, recipe) => profile.addRecipe(recipe));

    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasNoWarning('/Stack/Pipeline', Match.anyValue());
  });

  test('given the error, when the profile adds the component by name, then the pipeline is covered', () => {
    const { stack } = pipeline(['arn:aws:imagebuilder:us-east-1:aws:component/distributor-package-windows/1.0.0/1'],
      profile => profile.addAwsManagedComponent('distributor-package-windows'));

    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasNoWarning('/Stack/Pipeline', Match.anyValue());
  });

  test('given another component granted, when synthesized, then the missing one is still an error', () => {
    const { stack } = pipeline([managed('eni-attachment-test-linux')], profile => profile.addAwsManagedComponent('ebs-volume-usage-test-linux'));

    Annotations.fromStack(stack).hasError('/Stack/Pipeline', Match.stringLikeRegexp("'eni-attachment-test-linux' needs ec2:CreateNetworkInterface"));
  });

  test('given a Deny whose condition synthesis cannot decide, when synthesized, then a warning, never covered nor an error', () => {
    const { stack, profile } = pipeline([managed('ebs-volume-usage-test-linux')], p => p.addAwsManagedComponent('ebs-volume-usage-test-linux'));
    // a deny on attaching to instances other than a tagged one: whether the build instance has the tag is not known
    profile.addToPrincipalPolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY, actions: ['ec2:AttachVolume'], resources: ['*'], conditions: { StringNotEquals: { 'aws:ResourceTag/team': 'builds' } },
    }));

    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasWarning('/Stack/Pipeline', Match.stringLikeRegexp(
      "'ebs-volume-usage-test-linux' needs ec2:AttachVolume.*cannot be decided at synthesis"));
  });

  test('given the inspector component granted, when synthesized, then no error, and a warning that AmazonInspectorFullAccess is not known to the check', () => {
    // the library holds no copy of AmazonInspectorFullAccess: it may allow or deny anything, so nothing is proven either way
    const { stack } = pipeline([managed('inspector-test-linux')], profile => profile.addAwsManagedComponent('inspector-test-linux'));

    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasWarning('/Stack/Pipeline', Match.stringLikeRegexp(
      "'inspector-test-linux' needs ssm:SendCommand.*cannot be decided at synthesis\\. Why: the app does not hold the document of the managed policy 'arn:aws:iam::aws:policy/AmazonInspectorFullAccess'\\."));
  });

  test('given the inspector component without its managed policy, when synthesized, then the missing policy is an error', () => {
    const { stack } = pipeline([managed('inspector-test-windows')]);

    Annotations.fromStack(stack).hasError('/Stack/Pipeline', Match.stringLikeRegexp(
      "'inspector-test-windows' needs .*the AWS managed policy AmazonInspectorFullAccess, but the instance profile 'Stack/Profile' does not allow them"));
  });

  test('given the inspector component granted, when an override removes AmazonInspectorFullAccess from the role, then the missing policy is an error', () => {
    // given
    const { stack, profile } = pipeline([managed('inspector-test-linux')], p => p.addAwsManagedComponent('inspector-test-linux'));

    // when the synthesized role keeps only the two policies every build needs (as an aspect of an organization might)
    (profile.role.node.defaultChild as iam.CfnRole).addPropertyOverride('ManagedPolicyArns', [
      'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore', 'arn:aws:iam::aws:policy/EC2InstanceProfileForImageBuilder',
    ]);

    // then
    Annotations.fromStack(stack).hasError('/Stack/Pipeline', Match.stringLikeRegexp(
      "'inspector-test-linux' needs the AWS managed policy AmazonInspectorFullAccess, but the instance profile 'Stack/Profile' does not allow it"));
  });

  test('given an AWS-managed component that the library does not know, when synthesized, then a warning names it', () => {
    const { stack } = pipeline([managed('made-up-component-linux')]);

    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasWarning('/Stack/Pipeline', Match.stringLikeRegexp(
      "AWS-managed component 'arn:<AWS::Partition>:imagebuilder:<AWS::Region>:aws:component/made-up-component-linux/x.x.x' is not one that this library knows"));
  });
});

describe('ComponentAccessChecks with AWS-managed components of a pipeline in another region than the profile', () => {
  /** A profile of us-east-1, and a pipeline of eu-west-1 that uses it (cross-region references) with ebs-volume-usage-test-linux. */
  function crossRegion(grant: (profile: ImageBuilderInstanceProfile) => void): Stack {
    const app = new App();
    const env = (region: string) => ({ env: { account: '111122223333', region }, crossRegionReferences: true });
    const profiles = new Stack(app, 'Profiles', env('us-east-1'));
    const profile = new ImageBuilderInstanceProfile(profiles, 'Profile');
    grant(profile);
    const pipelines = new Stack(app, 'Pipelines', env('eu-west-1'));
    const recipe = new imagebuilder.CfnImageRecipe(pipelines, 'Recipe', {
      name: 'recipe', version: '1.0.0', parentImage: 'ami-0123456789abcdef0', components: [{ componentArn: managed('ebs-volume-usage-test-linux') }],
    });
    const infrastructure = new imagebuilder.CfnInfrastructureConfiguration(pipelines, 'Infrastructure', {
      name: 'infrastructure', instanceProfileName: profile.instanceProfileName,
    });
    new imagebuilder.CfnImagePipeline(pipelines, 'Pipeline', {
      name: 'pipeline', imageRecipeArn: recipe.attrArn, infrastructureConfigurationArn: infrastructure.attrArn,
    });
    Aspects.of(app).add(new ComponentAccessChecks());
    return pipelines;
  }

  test('given the component\'s calls granted in the profile\'s region only, when a pipeline of another region uses it, then the check evaluates the pipeline\'s region and it is an error', () => {
    // given grants that name us-east-1 only
    const pipelines = crossRegion(profile => profile.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ec2:CreateVolume'], resources: ['arn:aws:ec2:us-east-1:111122223333:volume/*'],
    })));

    // then the build instance of eu-west-1 creates its volume in eu-west-1, which the grants do not name
    Annotations.fromStack(pipelines).hasError('/Pipelines/Pipeline', Match.stringLikeRegexp(
      "'ebs-volume-usage-test-linux' needs ec2:CreateVolume on 'arn:aws:ec2:eu-west-1:111122223333:volume/<any volume>'"));
  });

  test('given addAwsManagedComponent on the profile, when a pipeline of another region uses the component, then its calls there are covered', () => {
    const pipelines = crossRegion(profile => profile.addAwsManagedComponent('ebs-volume-usage-test-linux'));

    Annotations.fromStack(pipelines).hasNoError('*', Match.anyValue());
    Annotations.fromStack(pipelines).hasNoWarning('/Pipelines/Pipeline', Match.anyValue());
  });
});
