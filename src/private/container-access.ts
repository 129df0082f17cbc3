import { Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import { pathOf } from './component-source';
import { Verdict } from './iam/policies';
import { EvaluationRequest } from './iam/request-context';
import { concat, display, Text } from './iam/text';
import { inEveryLanguage } from './method-names';
import { flattenCfnReference } from './nag';
import { all } from './request-verdicts';
import { anyValue, constructOf, repositoryName } from './role-permissions';
import { ArnScope } from './ssm-references';

// what a container build does with its target repository: Image Builder pushes the image there, and pulls from it;
// the actions of EC2InstanceProfileForImageBuilderECRContainerBuilds (v1), which the Image Builder guide requires
// https://docs.aws.amazon.com/imagebuilder/latest/userguide/security-iam-awsmanpol.html
const PUSH_PULL = [
  'ecr:BatchGetImage', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer',
  'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage',
];
// what pulling the parent image needs (with ecr:GetAuthorizationToken), as AmazonEC2ContainerRegistryPullOnly allows
// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonEC2ContainerRegistryPullOnly.html
const PULL = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];
// <account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>[:tag][@digest]
const ECR_URI = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9][a-z0-9._/-]*)(?::[\w.-]+)?(?:@[\w:]+)?$/;

/**
 * What the container check of one image or pipeline needs from `ComponentAccessChecks`: its evaluation, the context
 * a request of the instances carries, where it builds, and how it reports.
 */
export interface ContainerCheck {
  readonly evaluate: (request: EvaluationRequest) => Verdict;
  readonly context: Record<string, Text>;
  /** the region and account where the pipeline builds (see buildScope) */
  readonly scope: ArnScope<Text>;
  readonly report: (verdict: Verdict, what: string, access: string, fix: string) => void;
  readonly warn: (message: string) => void;
}

/**
 * Checks that the instances of a container build can push to the recipe's target repository (and pull from it),
 * read the recipe, and pull the parent image when it is in ECR.
 */
export function checkContainerAccess(recipe: imagebuilder.CfnContainerRecipe, check: ContainerCheck): void {
  const { scope } = check;
  const recipePath = pathOf(recipe);
  const builds = `set ${inEveryLanguage('containerBuilds')} to true`;
  const fix = `give the repository to the profile (${inEveryLanguage('containerRepositories')}, or its `
    + `${inEveryLanguage('addContainerRepository')}), or ${builds}`;
  const token = evaluateAll(check, ['ecr:GetAuthorizationToken'], '*');
  const recipeArn = concat([`arn:${scope.partition}:imagebuilder:`, scope.region, ':', scope.account, ':container-recipe/', [anyValue('recipe name and version')]]);
  const readRecipe = evaluateAll(check, ['imagebuilder:GetContainerRecipe'], recipeArn);

  const target = targetRepositoryName(recipe);
  if (target === undefined) {
    check.warn(`its container recipe '${recipePath}' has a target repository that is not an ECR repository named in this app, so pushing the image is not checked`);
  } else {
    const arn = concat([`arn:${scope.partition}:ecr:`, scope.region, ':', scope.account, ':repository/', target]);
    check.report(all([token, readRecipe, evaluateAll(check, PUSH_PULL, arn), repositoryPolicy(recipe)]),
      `its container recipe '${recipePath}' pushes the image to the ECR repository '${display(target)}'${typeof scope.region === 'string' ? ` of ${scope.region}` : ''}`,
      'push there', fix);
  }

  const parent: unknown = Stack.of(recipe).resolve(recipe.parentImage);
  if (typeof parent !== 'string') {
    check.warn(`its container recipe '${recipePath}' has a parent image known only at deployment ('${flattenCfnReference(parent)}'), so pulling it is not checked`);
    return;
  }
  const uri = ECR_URI.exec(parent);
  if (!uri) {
    // not in ECR (Docker Hub, an Image Builder image ARN): no permission of the role is involved
    return;
  }
  const [, account, region, repository] = uri;
  const arn = `arn:${scope.partition}:ecr:${region}:${account}:repository/${repository}`;
  const what = `its container recipe '${recipePath}' pulls the parent image '${parent}' from the ECR repository '${repository}'`;
  const pull = all([token, evaluateAll(check, PULL, arn)]);
  if (pull.decision === 'allowed' && account !== scope.account) {
    // the repository's own policy, in its account, must allow the pull too: the check cannot see it
    const whose = typeof scope.account === 'string' ? `of another account (${account})` : `of the account ${account}, which may not be the pipeline's`;
    check.warn(`${what}, ${whose}: the role may pull it, but the repository policy of that account must allow it too, which is not checked`);
    return;
  }
  check.report(pull, what, 'pull it', `call the repository's ${inEveryLanguage('grantPull')} with the profile, or ${builds}`);
}

/** The name of the recipe's target ECR repository: literal, or that of a repository of the app. */
function targetRepositoryName(recipe: imagebuilder.CfnContainerRecipe): Text | undefined {
  const target: any = recipe.targetRepository;
  if (Token.isUnresolved(target) || target?.service !== 'ECR') {
    return undefined;
  }
  const name: unknown = target.repositoryName;
  if (typeof name === 'string' && !Token.isUnresolved(name)) {
    return name;
  }
  const repository = constructOf(name);
  const cfn = repository instanceof ecr.CfnRepository ? repository : repository?.node.defaultChild;
  return cfn instanceof ecr.CfnRepository ? repositoryName(cfn) : undefined;
}

/**
 * A target repository of the app with a repository policy: the policy may deny the push (an explicit Deny wins), and
 * the check does not evaluate it, so the push is unknown.
 */
function repositoryPolicy(recipe: imagebuilder.CfnContainerRecipe): Verdict {
  const repository = targetRepository(recipe);
  // the L2 writes its policy as a Lazy that resolves to nothing when it has no statement
  if (!repository || Stack.of(repository).resolve(repository.repositoryPolicyText) === undefined) {
    return { decision: 'allowed', reasons: [] };
  }
  return { decision: 'unknown', reasons: [`the repository '${pathOf(repository)}' has a repository policy, which the check does not read`] };
}

/** The recipe's target repository when it is one of the app: by reference, or by literal name in the recipe's stack. */
function targetRepository(recipe: imagebuilder.CfnContainerRecipe): ecr.CfnRepository | undefined {
  const name: unknown = (recipe.targetRepository as any)?.repositoryName;
  if (typeof name === 'string' && !Token.isUnresolved(name)) {
    return Stack.of(recipe).node.findAll().find((c): c is ecr.CfnRepository => c instanceof ecr.CfnRepository && c.repositoryName === name);
  }
  const repository = constructOf(name);
  const cfn = repository instanceof ecr.CfnRepository ? repository : repository?.node.defaultChild;
  return cfn instanceof ecr.CfnRepository ? cfn : undefined;
}

function evaluateAll(check: ContainerCheck, actions: string[], resource: Text): Verdict {
  return all(actions.map(action => check.evaluate({ action, resource, context: check.context })));
}

