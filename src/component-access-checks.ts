import { Annotations, IAspect, Reference, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { ImageBuilderInstanceProfile } from './image-builder-instance-profile';
import { keyPattern, readComponentDocument, S3Need } from './private/component-document';
import { flattenCfnReference } from './private/nag';

const WARNING = 'cdk-imagebuilder-instance-profile:componentAccessCheck';

/**
 * Checks at synthesis that the build and test instances of every image and image pipeline of the app can
 * reach the S3 paths of their components.
 *
 * For every `CfnImagePipeline` and `CfnImage`, it follows the infrastructure configuration to its instance
 * profile and the recipe to its components. Where the profile is an `ImageBuilderInstanceProfile`, every
 * `S3Download` source and `S3Upload` destination of those components that the profile does not cover is an
 * error (so `cdk synth` fails) that names the pipeline, the component, the step and the path. A path is
 * covered when it lies in an artifact location, the log location or a component grant of the profile, or
 * when a statement on the role with literal resources allows it; a statement whose resources are not
 * known until deployment makes it a warning instead. AWS-managed components are skipped; links that
 * cannot be followed (imported recipes, components or profiles) are warnings.
 *
 * @example
 * declare const app: App;
 * Aspects.of(app).add(new ComponentAccessChecks());
 */
export class ComponentAccessChecks implements IAspect {
  public visit(node: IConstruct): void {
    if (node instanceof imagebuilder.CfnImagePipeline) {
      this.check(node, `image pipeline '${node.node.path}'`, node.infrastructureConfigurationArn, node.imageRecipeArn ?? node.containerRecipeArn);
    } else if (node instanceof imagebuilder.CfnImage) {
      this.check(node, `image '${node.node.path}'`, node.infrastructureConfigurationArn, node.imageRecipeArn ?? node.containerRecipeArn);
    }
  }

  private check(image: IConstruct, label: string, infrastructureArn: string, recipeArn: string | undefined): void {
    const warn = (message: string) => Annotations.of(image).addWarningV2(WARNING, `${label}: ${message}`);

    const infrastructure = targetOf(infrastructureArn);
    if (!(infrastructure instanceof imagebuilder.CfnInfrastructureConfiguration)) {
      warn('its infrastructure configuration is not one of this app, so the S3 access of its components is not checked');
      return;
    }
    const profile = profileOf(targetOf(infrastructure.instanceProfileName));
    if (!profile) {
      warn(`its instance profile ('${infrastructure.instanceProfileName}') is not an ImageBuilderInstanceProfile of this app, `
        + 'so the S3 access of its components is not checked');
      return;
    }
    const recipe = recipeArn === undefined ? undefined : targetOf(recipeArn);
    if (!(recipe instanceof imagebuilder.CfnImageRecipe || recipe instanceof imagebuilder.CfnContainerRecipe)) {
      warn('its recipe is not a CfnImageRecipe or CfnContainerRecipe of this app, so the S3 access of its components is not checked');
      return;
    }

    if (!Array.isArray(recipe.components)) {
      warn('the components of its recipe are not known until deployment, so their S3 access is not checked');
      return;
    }
    for (const entry of recipe.components) {
      const arn: unknown = (entry as imagebuilder.CfnImageRecipe.ComponentConfigurationProperty).componentArn;
      if (typeof arn !== 'string') {
        continue;
      }
      if (isAwsManaged(recipe, arn)) {
        continue;
      }
      const component = targetOf(arn);
      if (!(component instanceof imagebuilder.CfnComponent)) {
        warn(`its component '${flattenCfnReference(Stack.of(recipe).resolve(arn))}' is not a CfnComponent of this app, so its S3 access is not checked`);
        continue;
      }
      const name = Token.isUnresolved(component.name) ? component.node.path : component.name;
      if (component.data === undefined || Token.isUnresolved(component.data)) {
        warn(`its component '${name}' has no inline data, so its S3 access is not checked`);
        continue;
      }
      for (const access of readComponentDocument(component.data, `component '${name}'`).s3) {
        const coverage = coverageOf(profile, access);
        const need = `${access.step} ${access.access === 'read' ? 'downloads' : 'uploads to'} '${access.uri}'`;
        if (coverage === 'uncovered') {
          Annotations.of(image).addError(`${label}: ${need}, but the instance profile '${profile.node.path}' cannot `
            + `${access.access} it: call addComponent(component) on the profile for component '${name}', or `
            + `${access.access === 'read' ? 'add an artifact location (addArtifactLocation) that holds it' : 'make its folder the logLocation'}`);
        } else if (coverage === 'unknown') {
          warn(`${need}; a statement on the role of '${profile.node.path}' may allow it, but its resources are not known until deployment`);
        }
      }
    }
  }
}

/** The construct that a token (a Ref or Fn::GetAtt) points at. */
function targetOf(value: string): IConstruct | undefined {
  if (!Token.isUnresolved(value)) {
    return undefined;
  }
  const token = Tokenization.reverseString(value).firstToken;
  return token instanceof Reference ? token.target : undefined;
}

function profileOf(target: IConstruct | undefined): ImageBuilderInstanceProfile | undefined {
  return target?.node.scopes.slice().reverse().find((scope): scope is ImageBuilderInstanceProfile => scope instanceof ImageBuilderInstanceProfile);
}

function isAwsManaged(scope: IConstruct, arn: string): boolean {
  // the region may be a token, flattened to <AWS::Region>
  return /:imagebuilder:(?:<[^>]*>|[^:]*):aws:component\//.test(flattenCfnReference(Stack.of(scope).resolve(arn)));
}

type Coverage = 'covered' | 'unknown' | 'uncovered';

function coverageOf(profile: ImageBuilderInstanceProfile, access: S3Need): Coverage {
  let unknown = false;
  for (const grant of profile._s3Grants) {
    if (grant.access !== access.access) {
      continue;
    }
    const bucketName = literalBucketName(grant.bucket);
    if (bucketName === undefined) {
      unknown = true;
    } else if (bucketName === access.bucketName
      && (grant.folder ? insideFolder(grant.keyPattern, access) : !access.folder && grant.keyPattern === keyPattern(access.key))) {
      return 'covered';
    }
  }
  // the AWS managed policy EC2InstanceProfileForImageBuilder reads AWS's own ec2imagebuilder* buckets
  if (access.access === 'read' && access.bucketName.startsWith('ec2imagebuilder')) {
    return 'covered';
  }
  const action = access.access === 'read' ? 's3:GetObject' : 's3:PutObject';
  for (const statement of roleStatements(profile.role)) {
    if (statement.Effect !== 'Allow' || !asArray(statement.Action).some(a => typeof a === 'string' && globMatches(a, action, true))) {
      continue;
    }
    for (const resource of asArray(statement.Resource)) {
      const verdict = resourceCovers(flattenCfnReference(resource), access);
      if (verdict === 'covered') {
        return 'covered';
      }
      unknown ||= verdict === 'unknown';
    }
  }
  return unknown ? 'unknown' : 'uncovered';
}

function insideFolder(prefix: string, access: S3Need): boolean {
  const key = keyPattern(access.key);
  return prefix === '' || key === prefix || key.startsWith(`${prefix}/`);
}

function literalBucketName(bucket: s3.IBucket): string | undefined {
  if (!Token.isUnresolved(bucket.bucketName)) {
    return bucket.bucketName;
  }
  const cfn = bucket.node.defaultChild;
  return cfn instanceof s3.CfnBucket && cfn.bucketName !== undefined && !Token.isUnresolved(cfn.bucketName) ? cfn.bucketName : undefined;
}

/** The statements of the policies that CloudFormation attaches to the role from this app. */
function roleStatements(role: iam.IRole): any[] {
  const documents = role.node.findAll()
    .filter((c): c is iam.CfnPolicy | iam.CfnManagedPolicy => c instanceof iam.CfnPolicy || c instanceof iam.CfnManagedPolicy)
    .map(c => c.policyDocument);
  const cfnRole = role.node.defaultChild;
  if (cfnRole instanceof iam.CfnRole) {
    for (const arn of asArray(cfnRole.managedPolicyArns)) {
      const policy = typeof arn === 'string' ? targetOf(arn) : undefined;
      if (policy instanceof iam.CfnManagedPolicy) {
        documents.push(policy.policyDocument);
      }
    }
  }
  return documents.flatMap(document => asArray(Stack.of(role).resolve(document)?.Statement));
}

function resourceCovers(resource: string, access: S3Need): Coverage {
  if (resource === '*') {
    return 'covered';
  }
  const match = /^arn:(?:aws[a-z-]*|\*|<AWS::Partition>):s3:::(.*)$/.exec(resource);
  if (!match) {
    // a token (a bucket ARN, an imported value) may be anything; a literal ARN of another service is not S3
    return resource.includes('<') ? 'unknown' : 'uncovered';
  }
  const path = match[1];
  if (path.includes('<')) {
    return 'unknown';
  }
  const target = `${access.bucketName}/${keyPattern(access.key)}`;
  if (!access.folder) {
    return globMatches(path, target) ? 'covered' : 'uncovered';
  }
  // every key under the folder: the pattern must be a literal prefix of it followed by '*'
  const literal = path.slice(0, -1);
  const folder = access.key.length === 0 ? `${access.bucketName}/` : `${target}/`;
  return path.endsWith('*') && !/[*?]/.test(literal) && folder.startsWith(literal) ? 'covered' : 'uncovered';
}

// IAM's wildcards: actions match regardless of case, resources (S3 keys) do not
function globMatches(pattern: string, value: string, ignoreCase = false): boolean {
  const regex = pattern.split('').map(c => c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')).join('');
  return new RegExp(`^${regex}$`, ignoreCase ? 'i' : '').test(value);
}

function asArray(value: unknown): any[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
