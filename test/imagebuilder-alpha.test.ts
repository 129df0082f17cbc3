import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ImageBuilderInstanceProfile } from '../src';

// @aws-cdk/aws-imagebuilder-alpha needs aws-cdk-lib 2.270 or newer, far above the floor: it is installed
// only with the newest aws-cdk-lib by .ci/test-aws-cdk-lib-versions.sh, which sets REQUIRE_IMAGEBUILDER_ALPHA so that it cannot be skipped
function loadAlpha(): any {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@aws-cdk/aws-imagebuilder-alpha');
  } catch (e) {
    if (process.env.REQUIRE_IMAGEBUILDER_ALPHA) {
      throw e;
    }
    return undefined;
  }
}
const alpha = loadAlpha();
const testWithAlpha = alpha ? test : test.skip;

testWithAlpha('the alpha InfrastructureConfiguration takes profile.instanceProfile and creates no second role or profile', () => {
  const stack = new Stack(new App(), 'Stack');
  const profile = new ImageBuilderInstanceProfile(stack, 'Profile', { roleName: 'TeamRole' });

  new alpha.InfrastructureConfiguration(stack, 'Infrastructure', { instanceProfile: profile.instanceProfile });

  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::IAM::Role', 1);
  template.resourceCountIs('AWS::IAM::InstanceProfile', 1);
  template.hasResourceProperties('AWS::ImageBuilder::InfrastructureConfiguration', {
    InstanceProfileName: { Ref: stack.getLogicalId(profile.instanceProfile.node.defaultChild as iam.CfnInstanceProfile) },
  });
});
