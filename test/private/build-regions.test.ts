import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import { buildRegions } from '../../src/private/build-regions';

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
