import { Annotations, IAspect, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { ImageBuilderInstanceProfile } from './image-builder-instance-profile';
import { checkAwsManagedComponent } from './private/aws-managed-component-check';
import { buildScope } from './private/build-scope';
import { ComponentNeeds, forMessages, KeyPart, readComponentDocument, S3Need } from './private/component-document';
import { cfnComponentOf, ComponentSource, componentSource, pathOf } from './private/component-source';
import { checkContainerAccess } from './private/container-access';
import { ResourcePolicyInput } from './private/iam/decision';
import { parameterKeyRequest, s3KeyRequest, secretKeyRequest } from './private/iam/kms-paths';
import { Verdict } from './private/iam/policies';
import { sameText } from './private/iam/principals';
import { EvaluationRequest } from './private/iam/request-context';
import { AppResources, KeyOf } from './private/iam/resource-policies';
import { concat, display, Text } from './private/iam/text';
import { inEveryLanguage } from './private/method-names';
import { flattenCfnReference } from './private/nag';
import { all, bucketOfAnotherStack, expectedOwner, multipartUpload, sameRegion, withOrWithoutPolicy } from './private/request-verdicts';
import { anyValue, constructOf, PARTITION, Principal, RolePermissions } from './private/role-permissions';
import { ArnScope, parameterArnParts, parameterTarget, secretArnParts } from './private/ssm-references';

const WARNING = 'cdk-imagebuilder-instance-profile:componentAccessCheck';

type Access = 'covered' | 'unknown' | 'uncovered';

/**
 * Checks at synthesis that the build and test instances of every image and image pipeline of the app can
 * reach what their components need, and can deliver their logs.
 *
 * For every `CfnImagePipeline` and `CfnImage` (the `ImagePipeline` and `Image` of `@aws-cdk/aws-imagebuilder-alpha`
 * create these too), it follows the infrastructure configuration to its instance profile and the recipe to its
 * components. Where the profile is an `ImageBuilderInstanceProfile`, it evaluates, with an IAM policy evaluator,
 * every policy that the app attaches to the role in any stack of the app, nested ones included (however attached,
 * read as synthesis writes them, overrides included), the AWS managed policies it attaches (from copies of their
 * documents) and the permissions boundary however it is set (`PermissionsBoundary.of` too), for each
 * `S3Download` source (and the listing of a folder), each `S3Upload` destination, each `{{ aws:ssm:... }}`
 * parameter and secret, and the `logging.s3Logs` folder of the infrastructure configuration. Each one is:
 * - covered, when the policies allow it whatever the values known only at deployment or build time are;
 * - an error (so `cdk synth` fails), when they allow it for none of those values: it names the pipeline, the
 *   component, the step and the path, and says what to add;
 * - a warning otherwise: a statement with a condition that synthesis cannot decide, a policy whose document the
 *   app does not hold, a bucket whose owner is not known, and so on. The warning says which.
 *
 * It decides with the bucket, key and secret policies of the role's stack as AWS does (within one account an Allow
 * of the identity or of the bucket or secret policy suffices, across accounts both must allow, a key policy must
 * always allow, an explicit Deny anywhere wins), and with the KMS calls that S3, Parameter Store and Secrets
 * Manager make for the instance: `kms:Decrypt` (or `kms:GenerateDataKey` to write) on the key of an SSE-KMS
 * bucket of the app, and `kms:Decrypt` on the customer managed key of a secret of the app or of a SecureString
 * that the app imports with its key.
 *
 * What the check cannot see: service control and resource control policies, VPC endpoint policies, the policies
 * of buckets, keys and secrets that the app does not hold, the key of a SecureString that the app does not import,
 * and the permissions of a role imported into the app, which may allow or deny more. A bucket of another account
 * or of an owner not known, and a key that the app imports, are warnings; a bucket named by a literal that the app
 * does not hold is taken to be of the role's account, with a bucket policy that denies nothing.
 * Links that cannot be followed (imported recipes, components or profiles) are warnings, never errors.
 *
 * @example
 * declare const app: App;
 * Aspects.of(app).add(new ComponentAccessChecks());
 */
export class ComponentAccessChecks implements IAspect {
  // one cache a stack of profiles: a role's permissions include the policies of the profile's stack
  private permissions = new Map<Stack, Map<iam.IRole, RolePermissions>>();
  // each component document read once a synthesis, however many recipes hold it
  private documents = new Map<imagebuilder.CfnComponent, ComponentReading>();
  private readonly deferred = new WeakSet<IConstruct>();
  // set once a check ran: the next visit belongs to another synthesis, whose app may have changed
  private checked = false;

  public visit(node: IConstruct): void {
    if (this.checked) {
      this.permissions = new Map();
      this.documents = new Map();
      this.checked = false;
    }
    if (!(node instanceof imagebuilder.CfnImagePipeline || node instanceof imagebuilder.CfnImage) || this.deferred.has(node)) {
      return;
    }
    // decide once every aspect has run (PermissionsBoundary.of is one) and references between stacks are resolved;
    // annotations added in a validation still reach the assembly, which synthesis collects after validating
    this.deferred.add(node);
    node.node.addValidation({
      validate: () => {
        this.checked = true;
        if (node instanceof imagebuilder.CfnImagePipeline) {
          this.check(node, `image pipeline '${pathOf(node)}'`, node.infrastructureConfigurationArn, node.imageRecipeArn ?? node.containerRecipeArn);
        } else {
          this.check(node, `image '${pathOf(node)}'`, node.infrastructureConfigurationArn, node.imageRecipeArn ?? node.containerRecipeArn);
        }
        return [];
      },
    });
  }

  private check(image: IConstruct, label: string, infrastructureArn: string | undefined, recipeArn: string | undefined): void {
    const warn = (message: string) => Annotations.of(image).addWarningV2(WARNING, `${label}: ${message}`);

    const infrastructure = constructOf(infrastructureArn);
    if (!(infrastructure instanceof imagebuilder.CfnInfrastructureConfiguration)) {
      warn('its infrastructure configuration is not one of this app, so what its components need is not checked');
      return;
    }
    const profile = profileOf(constructOf(infrastructure.instanceProfileName));
    if (!profile) {
      warn(`its instance profile ('${flattenCfnReference(Stack.of(infrastructure).resolve(infrastructure.instanceProfileName))}') is not `
        + 'created by an ImageBuilderInstanceProfile of this app (an imported or existing profile, such as one from '
        + `${inEveryLanguage('ImageBuilderInstanceProfile.fromInstanceProfileAttributes')}), whose policies synthesis cannot see, `
        + 'so what its components need is not checked');
      return;
    }
    const check = new ProfileCheck(image, label, profile, this.permissionsOf(profile), component => this.read(component));
    check.logs(infrastructure);

    const recipe = recipeArn === undefined ? undefined : constructOf(recipeArn);
    if (!(recipe instanceof imagebuilder.CfnImageRecipe || recipe instanceof imagebuilder.CfnContainerRecipe)) {
      warn('its recipe is not an image or container recipe of this app, so what its components need is not checked');
      return;
    }
    if (recipe instanceof imagebuilder.CfnContainerRecipe) {
      check.container(recipe);
    }
    // a token (a Lazy, say) may resolve to a list, but its entries are then no longer tokens that lead to constructs
    const entries: unknown = recipe.components;
    if (!Array.isArray(entries)) {
      warn(`the components of its recipe '${pathOf(recipe)}' are not a list until deployment, so what they need is not checked`);
      return;
    }
    for (const entry of entries) {
      const arn: unknown = entry?.componentArn;
      if (isAwsManaged(recipe, arn)) {
        checkAwsManagedComponent(flattenCfnReference(Stack.of(recipe).resolve(arn)),
          { image, label, profile, role: profile.role, recipe, permissions: this.permissionsOf(profile) });
        continue;
      }
      const target = constructOf(arn);
      const component = target ? cfnComponentOf(target) : undefined;
      if (!component) {
        warn(`its component '${flattenCfnReference(Stack.of(recipe).resolve(arn))}' is not a component of this app, so what it needs is not checked`);
        continue;
      }
      check.component(component);
    }
  }

  private read(component: imagebuilder.CfnComponent): ComponentReading {
    let reading = this.documents.get(component);
    if (!reading) {
      const source = componentSource(component);
      reading = { source, needs: source.data === undefined ? undefined : readComponentDocument(source.data, source.label, source.tokens) };
      this.documents.set(component, reading);
    }
    return reading;
  }

  private permissionsOf(profile: ImageBuilderInstanceProfile): RolePermissions {
    const stack = Stack.of(profile);
    let cache = this.permissions.get(stack);
    if (!cache) {
      cache = new Map();
      this.permissions.set(stack, cache);
    }
    // the caches of one synthesis share what they read of the app
    return RolePermissions.of(profile.role, cache, profile, this.permissions);
  }
}

/** A component's document and what it needs, or why it cannot be read. */
interface ComponentReading {
  readonly source: ComponentSource;
  readonly needs?: ComponentNeeds;
}

/** The checks of one image or pipeline against one profile. */
class ProfileCheck {
  private readonly principal: Principal;
  private resources_?: AppResources;

  constructor(
    private readonly image: IConstruct,
    private readonly label: string,
    private readonly profile: ImageBuilderInstanceProfile,
    private readonly permissions: RolePermissions,
    private readonly read: (component: imagebuilder.CfnComponent) => ComponentReading) {
    this.principal = permissions.principal;
  }

  /** The infrastructure configuration's logging.s3Logs: the instances write the build logs there. */
  public logs(infrastructure: imagebuilder.CfnInfrastructureConfiguration): void {
    const logging: any = Stack.of(infrastructure).resolve(infrastructure.logging);
    const s3Logs = logging?.s3Logs ?? logging?.S3Logs;
    const bucketName: unknown = s3Logs?.s3BucketName ?? s3Logs?.S3BucketName;
    if (bucketName === undefined) {
      return;
    }
    const what = `its infrastructure configuration '${pathOf(infrastructure)}' delivers build logs to S3`;
    if (Stack.of(infrastructure) !== Stack.of(this.profile.role)) {
      this.warn(`${what}, from another stack than the role's, so log delivery is not checked`);
      return;
    }
    const bucket = this.permissions.text(bucketName);
    const rawPrefix: unknown = s3Logs?.s3KeyPrefix ?? s3Logs?.S3KeyPrefix ?? '';
    const prefix = this.permissions.text(rawPrefix);
    if (bucket === undefined || prefix === undefined) {
      this.warn(`${what}, but its bucket or prefix is not a string, so log delivery is not checked`);
      return;
    }
    const folder = concat([typeof prefix === 'string' ? prefix.replace(/^\/+|\/+$/g, '') : prefix]);
    const objects = folderObjects(folder, 'log key');
    const where = `s3://${display(bucket)}/${display(folder)}${folder === '' ? '' : '/'}`;
    const verdict = this.s3(['s3:PutObject'], concat([bucket]), objects, { owner: this.ownerOf(bucket) });
    this.report(verdict, `${what} at '${where}'`, 'write there', `make that folder the profile's ${inEveryLanguage('logLocation')}`);
  }

  public component(cfn: imagebuilder.CfnComponent): void {
    const { source, needs } = this.read(cfn);
    if (needs === undefined) {
      this.warn(`its ${source.label} ${source.problem}, so what it needs is not checked`);
      return;
    }
    for (const warning of needs.warnings) {
      this.warn(warning);
    }
    for (const need of needs.s3) {
      this.s3Need(source.label, need, Stack.of(cfn) === Stack.of(this.profile.role));
    }
    const parameters = new Set<string>();
    for (const need of needs.parameters) {
      if (!parameters.has(need.name)) {
        parameters.add(need.name);
        this.parameterNeed(need.step, need.name, need.reference);
      }
    }
  }

  /** The container build: pushing to the recipe's target repository, pulling its parent image. */
  public container(recipe: imagebuilder.CfnContainerRecipe): void {
    checkContainerAccess(recipe, {
      evaluate: request => this.evaluate(request),
      context: this.context(),
      scope: buildScope(this.image, this.principal),
      report: (verdict, what, access, fix) => this.report(verdict, what, access, fix),
      warn: message => this.warn(message),
    });
  }

  /** @param sameStack whether the component is of the role's stack, where its tokens resolve as the role's policies read them */
  private s3Need(component: string, need: S3Need, sameStack: boolean): void {
    const deployed = (token: string) => (sameStack ? this.permissions.text(token) : undefined) ?? [{ hole: `deploy-time value ${forMessages(token)}` }];
    // a name with pseudo parameters in it is known at deployment, and need not be a bucket of the app
    const bucket = need.appBucket ? this.appBucketText(need.appBucket)
      : Token.isUnresolved(need.bucketName) ? deployed(need.bucketName) : need.bucketName;
    const key = keyText(need.key, deployed);
    const owner = need.expectedBucketOwner ?? (need.appBucket || typeof bucket === 'string' ? this.ownerOf(bucket) : undefined);
    const what = `${need.step} ${need.access === 'read' ? 'downloads' : 'uploads to'} '${need.uri}'`;
    let verdict: Verdict;
    if (need.access === 'write') {
      verdict = this.s3(['s3:PutObject'], bucket, need.folder ? folderObjects(key) : key, { owner });
    } else if (!need.folder) {
      verdict = this.s3(['s3:GetObject'], bucket, key, { owner });
      if (listsPrefix(need)) {
        // a download of the keys that begin with a prefix lists that prefix, then gets each object
        verdict = all([verdict, this.s3(['s3:ListBucket'], bucket, undefined, { owner, prefix: keyText(need.key.slice(0, -1), deployed) })]);
      }
    } else {
      // a folder download lists the folder, then gets every object under it
      const objects = this.s3(['s3:GetObject'], bucket, folderObjects(key), { owner });
      const listing = this.s3(['s3:ListBucket'], bucket, undefined, { owner, prefix: concat([key, key === '' ? '' : '/']) });
      verdict = all([objects, listing]);
    }
    const location = need.access === 'read'
      ? `an artifact location (${inEveryLanguage('addArtifactLocation')})`
      : `an upload location (${inEveryLanguage('addUploadLocation')})`;
    const fix = `call the profile's ${inEveryLanguage('addComponent')} for ${component}, or add ${location} that holds it`;
    this.report(verdict, what, `${need.access} it`, fix);
  }

  /**
   * The name of a bucket of the app as the role's policies read it (a hole of the bucket names when it is
   * known only at deployment), so that a grant on that bucket proves a request and a grant on another does not.
   */
  private appBucketText(bucket: s3.IBucket): Text {
    const text = Stack.of(bucket) === Stack.of(this.profile.role) ? this.permissions.text(bucket.bucketName) : undefined;
    return text ?? [{ hole: `bucket ${bucket.node.path}` }];
  }

  private parameterNeed(step: string, name: string, reference: string): void {
    const what = `${step} reads the parameter ${reference}`;
    const target = parameterTarget(name);
    // the parameters and secrets of the region and account where the pipeline builds, not the role's
    const scope: ArnScope<Text> = buildScope(this.image, this.principal);
    let verdict: Verdict;
    switch (target.kind) {
      case 'invalid':
        // the reader warns about it
        return;
      case 'arn':
        verdict = this.evaluate({ action: 'ssm:GetParameter', resource: target.arn, context: this.context() });
        break;
      case 'parameter': {
        const parameterArn = concat(parameterArnParts(target.resourceName, target.publicParameter, scope));
        verdict = this.evaluate({ action: 'ssm:GetParameter', resource: parameterArn, context: this.context() });
        // a SecureString the app imports with its key: Parameter Store decrypts with it on the caller's behalf
        const key = target.publicParameter ? undefined : this.resources.secureString(target.resourceName);
        const label = `the SecureString parameter '${target.resourceName}' that the app imports`;
        // a pipeline of another region reads the parameter of its own region, whose key the app does not tell
        const region = key && sameRegion(label, this.principal.region, scope.region);
        const decrypt = key && region?.decision === 'allowed' ? this.keyVerdict(key, `the SecureString parameter '${target.resourceName}' is encrypted with`,
          arn => parameterKeyRequest(arn, this.principal, parameterArn)) : region;
        verdict = all([verdict, ...decrypt ? [decrypt] : []]);
        break;
      }
      case 'secret': {
        const parameter = this.evaluate({
          action: 'ssm:GetParameter',
          resource: concat(parameterArnParts(target.resourceName, false, scope)),
          context: this.context(),
        });
        // the six random characters that Secrets Manager appends to a secret's name, unless the ARN holds them
        const suffix: Text = ['-', ...Array.from({ length: 6 }, (_, i) => ({ hole: `suffix ${i}`, singleCharacter: true }))];
        const secretArn = concat(secretArnParts(target.secretId, target.byArn, scope, suffix));
        const appSecret = target.byArn ? undefined : this.resources.secret(target.secretId);
        // a pipeline of another region reads the secret of its own region, whose key and policy the app does not tell
        const region = appSecret && sameRegion(appSecret.label, this.principal.region, scope.region);
        const secret = region?.decision === 'allowed' ? appSecret : undefined;
        const read = this.decideMaybe({ action: 'secretsmanager:GetSecretValue', resource: secretArn, context: this.context() },
          secret && { service: 'secretsmanager', label: secret.label, policy: secret.policy, owner: this.principal.account }, secret?.policyCondition);
        // a customer managed key: Secrets Manager decrypts with it on the caller's behalf
        const key = secret ? this.keyVerdict(secret.key, `${secret.label} is encrypted with`,
          arn => secretKeyRequest(arn, this.principal, secretArn)) : undefined;
        verdict = all([parameter, read, ...key ? [key] : [], ...region && !secret ? [region] : []]);
        break;
      }
    }
    this.report(verdict, what, 'read it', `call the profile's ${inEveryLanguage('addParameter')} or ${inEveryLanguage('addSecret')}, `
      + `or its ${inEveryLanguage('addComponent')} for its component`);
  }

  private s3(actions: string[], bucket: Text, key: Text | undefined, options: { owner?: Text; prefix?: Text }): Verdict {
    const bucketArn = concat([`arn:${PARTITION}:s3:::`, bucket]);
    const resource = key === undefined ? bucketArn : concat([`arn:${PARTITION}:s3:::`, bucket, '/', key]);
    const context: Record<string, Text> = this.context();
    if (options.owner !== undefined) {
      context['s3:ResourceAccount'] = options.owner;
    }
    if (options.prefix !== undefined) {
      context['s3:prefix'] = options.prefix;
    }
    const appBucket = this.resources.bucket(bucket);
    const policy = appBucket
      ? { service: 's3' as const, label: appBucket.label, policy: appBucket.policy, owner: this.principal.account }
      : this.unseenBucket(bucket, options.owner);
    const verdicts = actions.map(action => this.decideMaybe({
      action, resource, context, absentKeys: options.prefix === undefined ? ['s3:prefix', 's3:delimiter', 's3:max-keys'] : [],
    }, policy, appBucket?.policyCondition));
    // SSE-KMS: S3 decrypts (reads) or makes a data key (writes) with the bucket's key on the caller's behalf
    for (const action of actions.filter(a => a === 's3:GetObject' || a === 's3:PutObject')) {
      const kms = appBucket && key !== undefined ? this.keyVerdict(appBucket.key, `${appBucket.label} is encrypted with`,
        arn => s3KeyRequest(action === 's3:GetObject' ? 'read' : 'write', arn, this.principal, resource, bucketArn, appBucket.bucketKey)) : undefined;
      if (kms) {
        verdicts.push(kms);
      }
      if (kms?.decision === 'allowed' && action === 's3:PutObject') {
        verdicts.push(multipartUpload(this.keyVerdict(appBucket!.key, `${appBucket!.label} is encrypted with`,
          arn => s3KeyRequest('read', arn, this.principal, resource, bucketArn, appBucket!.bucketKey))));
      }
    }
    if (appBucket && options.owner !== undefined) {
      verdicts.push(expectedOwner(appBucket.label, this.principal.account, options.owner));
    }
    const elsewhere = !appBucket && typeof bucket === 'string' ? bucketOfAnotherStack(this.permissions, this.profile, bucket) : undefined;
    return all([...verdicts, ...elsewhere ? [elsewhere] : []]);
  }

  /**
   * The policy of a bucket the app does not hold, where it decides: a bucket of another account, or of an account
   * not known (a name given by a parameter); undefined for a bucket named by a literal and of no known other owner.
   */
  private unseenBucket(bucket: Text, owner: Text | undefined): ResourcePolicyInput | undefined {
    const otherOwner = owner !== undefined && sameText(owner, this.principal.account) !== true;
    if (!otherOwner && (owner !== undefined || typeof bucket === 'string')) {
      return undefined;
    }
    const label = `the bucket '${display(bucket)}'`;
    return { service: 's3', label, policy: { name: `the bucket policy of '${display(bucket)}'` }, owner };
  }

  /** The KMS request a service makes for the caller with a key, decided with the key policy; undefined when none is needed. */
  private keyVerdict(key: KeyOf, encrypted: string, requestOf: (keyArn: Text) => EvaluationRequest): Verdict | undefined {
    switch (key.kind) {
      case 'none':
      case 'aws-managed':
        // SSE-S3 needs no key; an AWS managed key's policy allows use through the service for the account's principals
        return undefined;
      case 'imported':
        return { decision: 'unknown', reasons: [`${encrypted} ${key.label}, whose key policy the app does not hold`] };
      case 'app': {
        const request = requestOf(key.arn);
        const verdict = this.decide({ ...request, context: { ...this.context(), ...request.context } },
          { service: 'kms', label: key.label, policy: key.policy, owner: this.principal.account });
        return verdict.decision === 'allowed' ? verdict
          : { decision: verdict.decision, reasons: verdict.reasons.map(r => `${encrypted} ${key.label}, which needs ${request.action}: ${r}`) };
      }
    }
  }

  /** A request decided with a resource policy that CloudFormation creates only under `condition`: with and without it. */
  private decideMaybe(request: EvaluationRequest, resource: ResourcePolicyInput | undefined, condition: string | undefined): Verdict {
    const verdict = this.decide(request, resource);
    return condition === undefined || !resource?.policy ? verdict
      : withOrWithoutPolicy(verdict, this.decide(request, { ...resource, policy: undefined }), resource.policy.name, condition);
  }

  private decide(request: EvaluationRequest, resource: ResourcePolicyInput | undefined): Verdict {
    return this.permissions.decide(request, resource);
  }

  private get resources(): AppResources {
    this.resources_ ??= AppResources.of(this.permissions, Stack.of(this.profile.role));
    return this.resources_;
  }

  private context(): Record<string, Text> {
    // what the request of an instance carries for certain: the role's account and ARN, HTTPS
    return {
      'aws:PrincipalAccount': this.principal.account,
      'aws:PrincipalArn': this.principal.roleArn,
      'aws:PrincipalType': 'AssumedRole',
      'aws:SecureTransport': 'true',
    };
  }

  private evaluate(request: EvaluationRequest): Verdict {
    return this.permissions.evaluate(request);
  }

  /** The account that owns a bucket, when the app tells: a bucket of the role's stack. */
  private ownerOf(bucket: Text): Text | undefined {
    // a name given by a parameter (or any value not of a bucket of the app) may be of any account
    return this.resources.bucket(bucket) ? this.principal.account : undefined;
  }

  /** Reports a verdict; `access` is what the profile must do, such as 'read it' or 'write there'. */
  private report(verdict: Verdict, what: string, access: string, fix: string): void {
    const access_ = accessOf(verdict);
    const profile = this.profile.node.path;
    // the CDK CLI reads a message's trailing '(...)' as a rule name and cuts the message there: the reasons come
    // as a sentence of their own, never in parentheses at the end
    const why = verdict.reasons.length > 0 ? ` Why: ${verdict.reasons.join('; ')}.` : '';
    if (access_ === 'uncovered') {
      Annotations.of(this.image).addError(`${this.label}: ${what}, but the instance profile '${profile}' cannot ${access}: ${fix}.${why}`);
    } else if (access_ === 'unknown') {
      this.warn(`${what}; whether the instance profile '${profile}' can ${access} cannot be decided at synthesis.${why}`);
    }
  }

  private warn(message: string): void {
    Annotations.of(this.image).addWarningV2(WARNING, `${this.label}: ${message}`);
  }
}

function accessOf(verdict: Verdict): Access {
  return verdict.decision === 'allowed' ? 'covered' : verdict.decision === 'denied' ? 'uncovered' : 'unknown';
}

/**
 * The key of a need: literal parts, a hole for each value known only when the build runs, and what a token that
 * the reader follows stands for.
 */
function keyText(key: readonly KeyPart[], followed: (token: string) => Text): Text {
  return concat(key.map((part, i) => typeof part === 'string' ? part
    : part.followed ? followed(part.variable) : [{ hole: `build-time value ${i}: ${forMessages(part.variable)}` }]));
}

/** Whether a download reads the keys that begin with a prefix (`s3://bucket/<prefix>*`), which AWSTOE lists first. */
function listsPrefix(need: S3Need): boolean {
  const last = need.key[need.key.length - 1];
  return need.access === 'read' && !need.folder && typeof last === 'object' && last.variable === '*';
}

/** Any object under a folder: any key of the bucket for the empty prefix. */
function folderObjects(prefix: Text, key = 'key'): Text {
  return prefix === '' ? [anyValue(key)] : concat([prefix, '/', [anyValue(key)]]);
}

function profileOf(target: IConstruct | undefined): ImageBuilderInstanceProfile | undefined {
  return target?.node.scopes.slice().reverse().find((scope): scope is ImageBuilderInstanceProfile => scope instanceof ImageBuilderInstanceProfile);
}

function isAwsManaged(scope: IConstruct, arn: unknown): boolean {
  // the region may be a token, flattened to <AWS::Region>
  return /:imagebuilder:(?:<[^>]*>|[^:]*):aws:component\//.test(flattenCfnReference(Stack.of(scope).resolve(arn)));
}

