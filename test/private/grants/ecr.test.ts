import * as ecr from 'aws-cdk-lib/aws-ecr';
import { fakeProfileGrants } from './helpers';
import { EcrGrants, ECR_PUSH_PULL } from '../../../src/private/grants/ecr';

function setup() {
  const { stack, granted, grants } = fakeProfileGrants();
  return { stack, granted, ecrGrants: new EcrGrants(grants) };
}

describe('EcrGrants', () => {
  test('given two repositories, then each gets push and pull, and the token and recipes are granted once', () => {
    // given
    const { stack, granted, ecrGrants } = setup();

    // when
    ecrGrants.repository('containerRepositories[0]', ecr.Repository.fromRepositoryName(stack, 'A', 'team/a'));
    ecrGrants.repository('containerRepositories[1]', ecr.Repository.fromRepositoryName(stack, 'B', 'team/b'));

    // then
    expect(granted.filter(g => g.actions === ECR_PUSH_PULL).map(g => g.prop)).toEqual(['containerRepositories[0]', 'containerRepositories[1]']);
    expect(granted.filter(g => g.actions.includes('ecr:GetAuthorizationToken'))).toHaveLength(1);
    expect(granted.filter(g => g.actions.includes('imagebuilder:GetContainerRecipe'))).toHaveLength(1);
  });

  test('given a repository name ECR cannot hold, then it is an error naming the prop, and nothing is granted', () => {
    const { stack, granted, ecrGrants } = setup();

    expect(() => ecrGrants.repository('addContainerRepository', ecr.Repository.fromRepositoryName(stack, 'A', 'team/*')))
      .toThrow(/^addContainerRepository: the repository name must be .*got 'team\/\*'$/);
    expect(granted).toEqual([]);
  });
});
