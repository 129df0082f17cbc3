import { Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { BUILD_REGION } from '../build-regions';
import { exactResource, validateName } from './names';
import { ProfileGrants } from './profile-grants';

// what EC2InstanceProfileForImageBuilderECRContainerBuilds (v1) allows on every repository, for one
export const ECR_PUSH_PULL = [
  'ecr:BatchGetImage', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer',
  'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage',
];

/**
 * The grants of the Amazon ECR repositories that container builds push to: push and pull on each, and once the
 * authorization token and the container recipes of the account.
 */
export class EcrGrants {
  private recipesGranted = false;

  constructor(private readonly profile: ProfileGrants) {}

  public repository(prop: string, repository: ecr.IRepository): void {
    validateName(prop, 'repository', repository.repositoryName);
    this.profile.grant(prop, ECR_PUSH_PULL, exactResource(repository.repositoryArn));
    if (this.recipesGranted) {
      return;
    }
    this.recipesGranted = true;
    const scope = this.profile.scope;
    // ECR has no resource-level permission for the authorization token
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html
    const tokenPolicy = this.profile.grant('addContainerRepository', ['ecr:GetAuthorizationToken'], '*');
    this.profile.nag.acknowledgeWildcardResource(tokenPolicy, '*', 'ecr:GetAuthorizationToken has no resource-level permission: ECR accepts only "*" for it, '
      + 'and the token lets the build push and pull only where the other statements allow.');
    const recipes = Stack.of(scope).formatArn({
      service: 'imagebuilder', resource: 'container-recipe', resourceName: '*', region: this.profile.arnScope().region,
    });
    const recipesPolicy = this.profile.grant('addContainerRepository', ['imagebuilder:GetContainerRecipe'], recipes);
    // acknowledged in the profile's own region; the recipes of other build regions stay visible to cdk-nag
    this.profile.nag.acknowledgeWildcardResource(recipesPolicy, recipes.split(BUILD_REGION).join(Stack.of(scope).region),
      'The build instance reads the container recipe that it builds, which the instance profile '
      + 'does not know; this is every container recipe of the account, which EC2InstanceProfileForImageBuilderECRContainerBuilds grants on "*".');
  }
}
