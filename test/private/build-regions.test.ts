import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import { BUILD_REGION, buildRegions, inBuildRegions } from '../../src/private/build-regions';

describe('buildRegions', () => {
  function profileWithConfigurations(regions: (string | undefined)[]) {
    const app = new App();
    const stack = new Stack(app, 'Profiles', { env: { region: 'us-east-1' }, crossRegionReferences: true });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const profile = new iam.InstanceProfile(stack, 'Profile', { role });
    const other = new iam.InstanceProfile(stack, 'Other', { role });
    regions.forEach((region, i) => {
      const pipelines = new Stack(app, `Pipelines${i}`, { env: { region }, crossRegionReferences: true });
      new imagebuilder.CfnInfrastructureConfiguration(pipelines, 'Infrastructure', { name: 'i', instanceProfileName: profile.instanceProfileName });
      new imagebuilder.CfnInfrastructureConfiguration(pipelines, 'OtherInfrastructure', { name: 'o', instanceProfileName: other.instanceProfileName });
    });
    // a configuration of another profile only: not a region where this one builds
    const elsewhere = new Stack(app, 'Elsewhere', { env: { region: 'sa-east-1' }, crossRegionReferences: true });
    new imagebuilder.CfnInfrastructureConfiguration(elsewhere, 'Infrastructure', { name: 'e', instanceProfileName: other.instanceProfileName });
    return profile;
  }

  test('given no infrastructure configuration, then only the profile\'s own region', () => {
    expect(buildRegions(profileWithConfigurations([]))).toEqual(['us-east-1']);
  });

  test('given configurations that name the profile in other regions, then those regions once each, in order', () => {
    expect(buildRegions(profileWithConfigurations(['eu-west-1', 'us-east-1', 'eu-west-1', 'ap-south-1']))).toEqual(['us-east-1', 'eu-west-1', 'ap-south-1']);
  });
});

describe('inBuildRegions', () => {
  test('given a pipeline stack added after a first resolution, when resolved again, then its region is included', () => {
    const app = new App();
    const stack = new Stack(app, 'Profiles', { env: { region: 'us-east-1' }, crossRegionReferences: true });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const profile = new iam.InstanceProfile(stack, 'Profile', { role });
    const arns = inBuildRegions(profile, [`arn:aws:ssm:${BUILD_REGION}:111122223333:parameter/team/version`]);
    expect(stack.resolve(arns)).toEqual(['arn:aws:ssm:us-east-1:111122223333:parameter/team/version']);

    const pipelines = new Stack(app, 'Pipelines', { env: { region: 'eu-west-1' }, crossRegionReferences: true });
    new imagebuilder.CfnInfrastructureConfiguration(pipelines, 'Infrastructure', { name: 'i', instanceProfileName: profile.instanceProfileName });

    expect(stack.resolve(arns)).toEqual([
      'arn:aws:ssm:us-east-1:111122223333:parameter/team/version', 'arn:aws:ssm:eu-west-1:111122223333:parameter/team/version',
    ]);
  });
});
