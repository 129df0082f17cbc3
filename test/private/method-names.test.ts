import { inEveryLanguage, pythonName } from '../../src/private/method-names';

describe('inEveryLanguage', () => {
  test('names a method by its camelCase name, then its Python name', () => {
    expect(inEveryLanguage('addArtifactLocation')).toBe('addArtifactLocation / add_artifact_location');
    expect(inEveryLanguage('addAwsManagedComponent')).toBe('addAwsManagedComponent / add_aws_managed_component');
    expect(inEveryLanguage('containerBuilds')).toBe('containerBuilds / container_builds');
  });

  test('keeps the class of a static method on the camelCase side only', () => {
    expect(inEveryLanguage('ImageBuilderInstanceProfile.fromInstanceProfileAttributes'))
      .toBe('ImageBuilderInstanceProfile.fromInstanceProfileAttributes / from_instance_profile_attributes');
    expect(inEveryLanguage('kms.Key.fromKeyArn')).toBe('kms.Key.fromKeyArn / from_key_arn');
  });
});

describe('pythonName', () => {
  test('gives the snake_case name that jsii gives Python', () => {
    expect(pythonName('addComponent')).toBe('add_component');
    expect(pythonName('addToPrincipalPolicy')).toBe('add_to_principal_policy');
    expect(pythonName('instanceProfileWithoutRole')).toBe('instance_profile_without_role');
    expect(pythonName('s3Key')).toBe('s3_key');
    expect(pythonName('fromKeyARN')).toBe('from_key_arn');
    expect(pythonName('grantPutACLObject')).toBe('grant_put_acl_object');
  });

  test('leaves a name of one lowercase word as it is', () => {
    expect(pythonName('role')).toBe('role');
  });
});
