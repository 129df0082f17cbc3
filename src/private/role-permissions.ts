import { CfnElement, CfnParameter, Reference, Stack, Stage, Token, Tokenization } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { AppTemplates, Located } from './app-templates';
import { AWS_MANAGED_POLICIES } from './aws-managed-policies';
import { cfnToText } from './iam/cfn-text';
import { decide, ResourcePolicyInput } from './iam/decision';
import { EvaluationInput, PolicySource, Verdict } from './iam/policies';
import { EvaluationRequest } from './iam/request-context';
import { concat, display, Hole, Text } from './iam/text';
import { flattenCfnReference } from './nag';
import { findPolicies, FoundDocument, policyStacks } from './role-policies';
import { evaluateUncertain, UncertainPolicy } from './uncertain-policies';

// the AWS managed policy copies name the partition 'aws'; every ARN of the app is read in the same partition
export const PARTITION = 'aws';
// the names of two different buckets of the app never meet (see Hole.distinctGroup)
const BUCKET_NAMES = 'bucket names';
// the synthesized stages that the instances of one synthesis read, each built once for them all
const TEMPLATES = new WeakMap<object, Map<IConstruct, AppTemplates>>();
const REPOSITORY_NAMES = 'repository names';

/**
 * The account, region and ARN of a role as synthesis knows them: literal, or holes for deploy-time values.
 */
export interface Principal {
  readonly account: Text;
  readonly region: Text;
  readonly roleArn: Text;
}

/**
 * What a role may do, as far as the app tells: every policy that CloudFormation attaches to it from any stack of
 * the app, nested ones included (inline, `roles:` on `iam.Policy` and `iam.ManagedPolicy`, `iam.CfnRolePolicy`,
 * its `ManagedPolicyArns`, which include the AWS managed policies whose documents the library carries), and its
 * permissions boundary however it is set, read from what synthesis will write (overrides included). A policy whose
 * document the app does not hold (an imported one, an AWS managed policy without a copy, what an imported role
 * already has) may allow or deny anything, so it makes answers that depend on it unknown; so does a policy of the
 * app that names a role the app cannot tell apart from this one (a parameter), which may or may not apply.
 *
 * Build it once every aspect has run and references are resolved: in a validation.
 */
export class RolePermissions {
  /**
   * One instance a role and a synthesis: building it resolves every policy of the stacks.
   *
   * @param scope the construct that uses the role, whose stack may hold more of its policies; a cache holds the
   * instances for the scopes of one stack
   * @param synthesis an object that lives for one synthesis: the instances built with it share what they read of the
   * app (the cache by default)
   */
  public static of(role: iam.IRole, cache: Map<iam.IRole, RolePermissions>, scope: IConstruct = role, synthesis: object = cache): RolePermissions {
    let permissions = cache.get(role);
    if (!permissions) {
      permissions = new RolePermissions(role, policyStacks(role, scope), templatesOf(role, synthesis));
      cache.set(role, permissions);
    }
    return permissions;
  }

  public readonly principal: Principal;
  public readonly input: EvaluationInput;
  private readonly uncertain: UncertainPolicy[] = [];
  private readonly stack: Stack;
  private readonly elements: Map<string, CfnElement>;
  // the elements of each stack read, by logical id: a Ref means an element of its own stack
  private readonly elementsOf = new Map<Stack, Map<string, CfnElement>>();
  private readonly verdicts = new Map<string, Verdict>();

  private constructor(private readonly role: iam.IRole, stacks: Stack[], private readonly templates: AppTemplates) {
    this.stack = Stack.of(role);
    for (const stack of [this.stack, ...stacks]) {
      if (!this.elementsOf.has(stack)) {
        this.elementsOf.set(stack, elementsOf(stack));
      }
    }
    this.elements = this.elementsOf.get(this.stack)!;
    const account = this.pseudo('AWS::AccountId');
    this.principal = {
      account,
      region: this.pseudo('AWS::Region'),
      roleArn: this.text(role.roleArn) ?? [{ hole: `role ${role.node.path}` }],
    };
    this.input = this.policies();
  }

  /** The Text of a value of the role's stack (a token string, or an object of a resolved template). */
  public text(value: unknown): Text | undefined {
    const resolved = typeof value === 'string' && !Token.isUnresolved(value) ? value : this.stack.resolve(value);
    return cfnToText(resolved, intrinsic => this.expand(intrinsic, this.stack));
  }

  /** The literal name of a bucket of the role's stack whose name is a literal, by that name. */
  public ownsBucketNamed(bucketName: string): boolean {
    for (const element of this.elements.values()) {
      if (element instanceof s3.CfnBucket && element.bucketName === bucketName) {
        return true;
      }
    }
    return false;
  }

  /** A request decided with the role's policies alone. */
  public evaluate(request: EvaluationRequest): Verdict {
    return this.decide(request);
  }

  /**
   * A request decided as AWS does, with the role's policies (those the app may or may not attach to it included) and
   * the resource's own policy when one is given. Each is decided once: pipelines that share components make the same
   * requests.
   */
  public decide(request: EvaluationRequest, resource?: ResourcePolicyInput): Verdict {
    const key = JSON.stringify([request, resource && [resource.service, resource.label, resource.owner, resource.policy?.name]]);
    let verdict = this.verdicts.get(key);
    if (!verdict) {
      const caller = this.principal;
      verdict = evaluateUncertain(request, this.input, this.uncertain, (r, input) => decide(r, { ...input, caller, resource }));
      this.verdicts.set(key, verdict);
    }
    return verdict;
  }

  private policies(): EvaluationInput {
    const found = findPolicies(this.role, this.templates, [...this.elementsOf.keys()]);
    const identity: PolicySource[] = found.documents.map(document => this.found(document));
    for (const { document, roleValue, condition } of found.uncertain) {
      const why = condition !== undefined
        ? `CloudFormation creates it only when its Condition ${typeof condition === 'string' ? `'${condition}'` : JSON.stringify(condition)} holds, which is not known until deployment`
        : `it names the role ${flattenCfnReference(roleValue)}, which the app does not tell apart from this one`;
      this.uncertain.push({ policy: this.found(document), why });
    }
    if (found.imported) {
      // an imported role: what it holds outside this app is not known
      const name = `the policies that the imported role '${this.role.node.path}' has outside this app`;
      identity.push({ name, unknown: `the app does not hold ${name}` });
      return { identity };
    }
    identity.push(...found.otherArns.map(arn => this.managedPolicy(arn, 'managed policy')));
    const boundary = found.boundary === undefined ? undefined
      : 'document' in found.boundary ? this.found(found.boundary) : this.managedPolicy(found.boundary, 'permissions boundary');
    return { identity, boundary };
  }

  private found(found: FoundDocument): PolicySource {
    return this.document(found.name, found.document, this.read(found.stack));
  }

  /** A stack whose elements expand the intrinsics of its values. */
  private read(stack: Stack): Stack {
    if (!this.elementsOf.has(stack)) {
      this.elementsOf.set(stack, elementsOf(stack));
    }
    return stack;
  }

  /**
   * A managed policy ARN that is no managed policy of the app: an AWS managed policy whose copy the library holds, or
   * one whose document the app does not hold, named by its ARN with the values known only at deployment as `<...>`.
   */
  private managedPolicy(arn: Located, kind: 'managed policy' | 'permissions boundary'): PolicySource {
    const stack = this.read(arn.stack);
    const text = cfnToText(arn.value, intrinsic => this.expand(intrinsic, stack));
    const literal = typeof text === 'string' ? text : undefined;
    const aws = literal === undefined ? undefined : /^arn:aws:iam::aws:policy\/(?:service-role\/)?([^/]+)$/.exec(literal);
    const copy = aws ? AWS_MANAGED_POLICIES[aws[1]] : undefined;
    if (copy) {
      return { name: aws![1], statements: copy.statements };
    }
    const name = text === undefined ? flattenCfnReference(arn.value) : display(text);
    return { name, unknown: `the app does not hold the document of the ${kind} '${name}'` };
  }

  /** A policy document of `stack`, resolved there. */
  public document(name: string, document: unknown, stack: Stack = this.stack): PolicySource {
    const resolved: any = stack.resolve(document);
    const value: unknown = resolved?.Statement;
    // IAM takes one statement object as well as a list; an object of one key is an intrinsic
    const statements: unknown = value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length !== 1
      ? [value] : value;
    if (!Array.isArray(statements)) {
      return { name, statements: statements === undefined ? [] : undefined };
    }
    return { name, statements: statements.map(statement => this.statement(statement, stack)) };
  }

  /** A statement of `stack` with every string value a Text: a value that is a list stays a list of Texts. */
  private statement(value: unknown, stack: Stack, inList = false): unknown {
    if (typeof value === 'string') {
      return value;
    }
    if (Array.isArray(value)) {
      return value.map(element => this.statement(element, stack, true));
    }
    if (value === null || typeof value !== 'object') {
      return value;
    }
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
      const text = cfnToText(value, intrinsic => this.expand(intrinsic, stack)) ?? [{ hole: JSON.stringify(value) }];
      // a Text of parts where one string is expected must not read as a list of strings
      return typeof text === 'string' || inList ? text : [text];
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.statement(v, stack)]));
  }

  /** What an intrinsic of `stack` stands for: literal where synthesis knows it, else holes. */
  private expand(intrinsic: Record<string, unknown>, stack: Stack): Text | undefined {
    const elements = this.elementsOf.get(stack)!;
    const ref = intrinsic.Ref;
    if (typeof ref === 'string') {
      if (ref.startsWith('AWS::')) {
        return this.pseudo(ref, stack);
      }
      const element = elements.get(ref);
      if (element instanceof s3.CfnBucket) {
        return this.bucketName(element);
      }
      if (element instanceof CfnParameter) {
        return [{ hole: `parameter ${element.node.path}` }];
      }
      if (element instanceof ecr.CfnRepository) {
        return repositoryName(element);
      }
      return undefined;
    }
    const getAtt = intrinsic['Fn::GetAtt'];
    if (Array.isArray(getAtt) && getAtt[1] === 'Arn' && typeof getAtt[0] === 'string') {
      const element = elements.get(getAtt[0]);
      if (element instanceof s3.CfnBucket) {
        return concat([`arn:${PARTITION}:s3:::`, this.bucketName(element)]);
      }
      if (element instanceof ecr.CfnRepository) {
        return concat([`arn:${PARTITION}:ecr:`, this.pseudo('AWS::Region', stack), ':', this.pseudo('AWS::AccountId', stack), ':repository/', repositoryName(element)]);
      }
      if (element instanceof kms.CfnKey) {
        return concat([`arn:${PARTITION}:kms:`, this.pseudo('AWS::Region', stack), ':', this.pseudo('AWS::AccountId', stack), [':key/', { hole: `key ${element.node.path}` }]]);
      }
    }
    return undefined;
  }

  private bucketName(bucket: s3.CfnBucket): Text {
    if (bucket.bucketName !== undefined && !Token.isUnresolved(bucket.bucketName)) {
      return bucket.bucketName;
    }
    return [{ hole: `bucket ${bucket.node.path}`, distinctGroup: BUCKET_NAMES }];
  }

  /** A pseudo parameter of `stack`. */
  private pseudo(name: string, stack: Stack = this.stack): Text {
    // IAM attaches a policy only to a role of its own account, so every stack read deploys to the role's account
    const roleStack = this.stack;
    switch (name) {
      case 'AWS::Partition': return PARTITION;
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::AccountId': return Token.isUnresolved(roleStack.account) ? [{ hole: `account of ${roleStack.node.path}` }] : roleStack.account;
      case 'AWS::Region':
        if (!Token.isUnresolved(stack.region)) {
          return stack.region;
        }
        // stacks of unknown region that reference each other deploy to one region: exports do not cross regions
        return [{ hole: `region of ${(Token.isUnresolved(roleStack.region) ? roleStack : stack).node.path}` }];
      default: return [{ hole: `${name} of ${stack.node.path}` }];
    }
  }
}

/** The templates of the stage of `role`, built once for a synthesis. */
function templatesOf(role: iam.IRole, synthesis: object): AppTemplates {
  let stages = TEMPLATES.get(synthesis);
  if (!stages) {
    stages = new Map();
    TEMPLATES.set(synthesis, stages);
  }
  const stage = Stage.of(role) ?? role.node.root;
  let templates = stages.get(stage);
  if (!templates) {
    templates = AppTemplates.of(stage);
    stages.set(stage, templates);
  }
  return templates;
}

/** The name of an ECR repository of the app: literal when synthesis knows it, else a hole of its own. */
export function repositoryName(repository: ecr.CfnRepository): Text {
  if (repository.repositoryName !== undefined && !Token.isUnresolved(repository.repositoryName)) {
    return repository.repositoryName;
  }
  return [{ hole: `repository ${repository.node.path}`, distinctGroup: REPOSITORY_NAMES }];
}

/** The elements of a stack (not of its nested stacks) by logical id. */
export function elementsOf(stack: Stack): Map<string, CfnElement> {
  const elements = new Map<string, CfnElement>();
  for (const construct of stack.node.findAll()) {
    if (CfnElement.isCfnElement(construct) && Stack.of(construct) === stack) {
      elements.set(stack.resolve(construct.logicalId), construct);
    }
  }
  return elements;
}

/** A hole for "any value" of something a request names, such as any key under a folder. */
export function anyValue(what: string): Hole {
  return { hole: `any ${what}` };
}

/** The construct that a token (a Ref or Fn::GetAtt) points at. */
export function constructOf(value: unknown): IConstruct | undefined {
  if (typeof value !== 'string' || !Token.isUnresolved(value)) {
    return undefined;
  }
  const token = Tokenization.reverseString(value).firstToken;
  return token instanceof Reference ? token.target : undefined;
}
