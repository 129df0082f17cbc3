import { App, ArnFormat, Aws, Lazy, Resource, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import { Construct } from 'constructs';
import { ImageBuilderInstanceProfile } from '../src';
import { downloadDocument } from './helpers/component-documents';
import { awsSolutionsFindings, NAG_V3_PLUGIN_FAILURE } from './helpers/nag';
import { flattenCfnReference } from '../src/private/nag';

const EBS_TEST = `arn:${Aws.PARTITION}:imagebuilder:${Aws.REGION}:aws:component/ebs-volume-usage-test-linux/x.x.x`;

function setup(): { app: App; stack: Stack; profile: ImageBuilderInstanceProfile } {
  const app = new App();
  const stack = new Stack(app, 'Stack');
  return { app, stack, profile: new ImageBuilderInstanceProfile(stack, 'Profile') };
}

/** Every statement of the profile's own managed policies, resolved. */
function statements(stack: Stack): any[] {
  return Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

const actionsOf = (stack: Stack) => new Set(statements(stack).flatMap(s => [s.Action].flat()));

/** What the alpha's AmazonManagedComponent.fromAmazonManagedComponentName returns: a resource with a componentArn only. */
class ManagedComponent extends Resource {
  public readonly componentArn: string;
  constructor(scope: Construct, id: string, name: string) {
    super(scope, id);
    this.componentArn = Stack.of(this).formatArn({ service: 'imagebuilder', account: 'aws', resource: 'component', resourceName: `${name}/x.x.x` });
  }
}

describe('addRecipe', () => {
  test('given an image recipe with an own component and AWS-managed ones by literal and joined ARN, when added, then each is granted', () => {
    const { stack, profile } = setup();
    const component = new imagebuilder.CfnComponent(stack, 'Component', {
      name: 'install-app', platform: 'Linux', version: '1.0.0', data: downloadDocument('install-app', 's3://team-artifacts/app/install.sh', '/tmp/install.sh'),
    });
    const recipe = new imagebuilder.CfnImageRecipe(stack, 'Recipe', {
      name: 'recipe',
      version: '1.0.0',
      parentImage: 'ami-0123456789abcdef0',
      components: [
        { componentArn: component.attrArn },
        { componentArn: EBS_TEST },
        { componentArn: 'arn:aws:imagebuilder:us-east-1:aws:component/eni-attachment-test-linux' },
        { componentArn: `arn:${Aws.PARTITION}:imagebuilder:${Aws.REGION}:aws:component/update-linux/1.0.2/1` },
      ],
    });

    profile.addRecipe(recipe);

    const actions = actionsOf(stack);
    expect(actions).toContain('s3:GetObject');
    expect(actions).toContain('ec2:CreateVolume');
    expect(actions).toContain('ec2:CreateNetworkInterface');
    const downloads = statements(stack).filter(s => s.Action === 's3:GetObject').flatMap(s => [s.Resource].flat().map(flattenCfnReference));
    expect(downloads).toEqual(['arn:<AWS::Partition>:s3:::team-artifacts/app/install.sh']);
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('given a container recipe inside another construct, when added, then its AWS-managed components are granted', () => {
    const { stack, profile } = setup();
    const holder = new Construct(stack, 'Holder');
    new imagebuilder.CfnContainerRecipe(holder, 'Resource', {
      name: 'recipe',
      version: '1.0.0',
      parentImage: 'amazonlinux:latest',
      containerType: 'DOCKER',
      targetRepository: { repositoryName: 'app', service: 'ECR' },
      dockerfileTemplateData: 'FROM {{{ imagebuilder:parentImage }}}',
      components: [{ componentArn: EBS_TEST }],
    });

    profile.addRecipe(holder);

    expect(actionsOf(stack)).toContain('ec2:AttachVolume');
  });

  test('given a construct that is no recipe, when added, then an error names the method and the construct', () => {
    const { stack, profile } = setup();

    expect(() => profile.addRecipe(new Construct(stack, 'NotARecipe'))).toThrow(/addRecipe: 'Stack\/NotARecipe' is not an Image Builder recipe/);
  });

  test('given a component list known only at deployment, when added, then a warning says so and nothing is granted', () => {
    const { stack, profile } = setup();
    const recipe = new imagebuilder.CfnImageRecipe(stack, 'Recipe', {
      name: 'recipe', version: '1.0.0', parentImage: 'ami-0123456789abcdef0', components: Lazy.any({ produce: () => [{ componentArn: EBS_TEST }] }) as any,
    });

    profile.addRecipe(recipe);

    Template.fromStack(stack).resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    Annotations.fromStack(stack).hasWarning('/Stack/Profile', Match.stringLikeRegexp("components of the recipe 'Stack/Recipe' are not a list until deployment"));
  });

  test('given a component list known only at deployment, when added, then the warning says how to grant what the components need', () => {
    const { stack, profile } = setup();
    const recipe = new imagebuilder.CfnImageRecipe(stack, 'Recipe', {
      name: 'recipe', version: '1.0.0', parentImage: 'ami-0123456789abcdef0', components: Lazy.any({ produce: () => [{ componentArn: EBS_TEST }] }) as any,
    });

    profile.addRecipe(recipe);

    expect(Annotations.fromStack(stack).findWarning('/Stack/Profile', Match.anyValue()).map(w => w.entry.data)).toEqual([
      "addRecipe: the components of the recipe 'Stack/Recipe' are not a list until deployment, so nothing was granted for them; give each "
      + 'component of this app to addComponent / add_component, and grant what the others need with addComponentData / add_component_data '
      + "given a document's text, or with addArtifactLocation / add_artifact_location and addParameter / add_parameter "
      + '[ack: cdk-imagebuilder-instance-profile:recipeComponent]',
    ]);
  });

  test('given a component of another account, when added, then nothing is granted, and a warning names it and says how to grant what it needs, in Python too', () => {
    const { stack, profile } = setup();
    const recipe = new imagebuilder.CfnImageRecipe(stack, 'Recipe', {
      name: 'recipe',
      version: '1.0.0',
      parentImage: 'ami-0123456789abcdef0',
      components: [{ componentArn: 'arn:aws:imagebuilder:us-east-1:111122223333:component/shared/1.0.0' }],
    });

    profile.addRecipe(recipe);

    Template.fromStack(stack).resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    expect(Annotations.fromStack(stack).findWarning('/Stack/Profile', Match.anyValue()).map(w => w.entry.data)).toEqual([
      "addRecipe: the component 'arn:aws:imagebuilder:us-east-1:111122223333:component/shared/1.0.0' of the recipe 'Stack/Recipe' is neither "
      + 'a component of this app nor AWS-managed, so nothing was granted for it; grant what it needs with addComponentData / add_component_data '
      + "given its document's text, or with addArtifactLocation / add_artifact_location and addParameter / add_parameter "
      + '[ack: cdk-imagebuilder-instance-profile:recipeComponent]',
    ]);
  });
});

describe('addComponent', () => {
  test('given an AWS-managed component construct, when added, then it is granted as addAwsManagedComponent grants it', () => {
    const { stack, profile } = setup();

    profile.addComponent(new ManagedComponent(stack, 'Ebs', 'ebs-volume-usage-test-linux'));

    const viaComponent = statements(stack);
    const other = setup();
    other.profile.addAwsManagedComponent('ebs-volume-usage-test-linux');
    expect(viaComponent).toEqual(statements(other.stack));
    expect(viaComponent.length).toBeGreaterThan(0);
  });

  test('given a construct with an ARN of another kind, when added, then it is still an error', () => {
    const { stack, profile } = setup();
    const imported = new (class extends Resource {
      public readonly componentArn = Stack.of(this).formatArn({ service: 'imagebuilder', resource: 'component', resourceName: 'mine/1.0.0', arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    })(stack, 'Imported');

    expect(() => profile.addComponent(imported)).toThrow(/addComponent: 'Stack\/Imported' is not an Image Builder component/);
  });
});

describe('cdk-nag', () => {
  const whenNagRuns = NAG_V3_PLUGIN_FAILURE === undefined ? test : test.skip;

  whenNagRuns('given every AWS-managed component with needs, when AwsSolutions runs, then it reports nothing about the profile', () => {
    const { app, profile } = setup();
    for (const name of ['ebs-volume-usage-test-linux', 'eni-attachment-test-linux', 'inspector-test-linux', 'distributor-package-windows', 'stig-build-linux']) {
      profile.addAwsManagedComponent(name);
    }

    const findings = awsSolutionsFindings(app).filter(f => f.includes('Stack/Profile/'));

    expect(findings).toEqual([]);
  });
});
