import { Aws, CfnElement, DefaultTokenResolver, IPostProcessor, IResolvable, IResolveContext, Reference, Stack, StringConcat, Token, Tokenization } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { flattenCfnReference } from './nag';
import { elementsOf } from './role-permissions';

/**
 * What the tokens of a component document stand for, as far as the library can follow them.
 */
export interface DocumentTokens {
  /** the bucket of the app whose name the token is, if any */
  bucketOf(token: string): s3.IBucket | undefined;
  /**
   * Whether the token is a value that grants and the check can name exactly: a pseudo parameter
   * (`AWS::AccountId`, `AWS::Region`, `AWS::Partition`, `AWS::URLSuffix`) or the name or ARN of a bucket of
   * the app. It resolves in any template of the app, so grants keep it as it is.
   */
  follows(token: string): boolean;
  /** whether the token is a pseudo parameter, which may stand in a bucket's name */
  isPseudoParameter(token: string): boolean;
  /** the text with each token named for messages: `<AWS::Region>`, `<bucket Stack/Bucket>`, `<Custom.Value>` */
  describe(text: string): string;
}

/**
 * A component document known only at deployment, read as text: literal YAML with a token for each value
 * known at deployment.
 */
export interface TokenizedDocument {
  readonly data: string;
  readonly tokens: DocumentTokens;
}

/** What one token of the document stands for. */
type Meaning = { readonly kind: 'pseudo'; readonly name: string }
| { readonly kind: 'bucket'; readonly bucket: s3.CfnBucket; readonly attribute: 'name' | 'arn' }
| { readonly kind: 'unknown'; readonly intrinsic: unknown };

// the pseudo parameters whose value the check can tell or leave as a hole, and grants can keep as the same token
const PSEUDO: Record<string, string> = {
  'AWS::AccountId': Aws.ACCOUNT_ID,
  'AWS::Region': Aws.REGION,
  'AWS::Partition': Aws.PARTITION,
  'AWS::URLSuffix': Aws.URL_SUFFIX,
};

/**
 * Reads a document that holds tokens (the `data` of a CfnComponent, or what `addComponentData` gets): it is
 * resolved to its CloudFormation form in the stack of `scope` (an `Fn::Join` of literals and intrinsics, or an
 * `Fn::Sub`), and each intrinsic becomes a token again in the literal text: the same pseudo parameter, the
 * `ref` / `attrArn` of a bucket of that stack (which resolve, cross-stack included, in any template of the app),
 * or a new token of that intrinsic for anything else.
 *
 * @returns undefined when the document is a value that is not text with values in it (an `Fn::GetAtt` of a
 *   custom resource, say), which only deployment tells
 */
export function readTokenizedDocument(scope: IConstruct, data: string): TokenizedDocument | undefined {
  const stack = Stack.of(scope);
  let resolved: unknown;
  const recorder = new ReferenceRecorder(stack);
  try {
    // a first pass only records what the references point to: before synthesis prepares the app, a reference
    // to another stack resolves to a Ref of its own stack's logical id, which may be the id of another element here
    Tokenization.resolve(data, { scope, resolver: recorder, preparing: false });
    resolved = stack.resolve(data);
  } catch {
    return undefined;
  }
  const parts: Array<string | { intrinsic: unknown }> = [];
  if (!skeleton(resolved, parts)) {
    return undefined;
  }
  // the elements that references of the data point to; a logical id written in an Fn::Sub is looked up in the stack
  let all: Map<string, CfnElement> | undefined;
  const element = (id: string) => recorder.local.get(id) ?? (all ??= elementsOf(stack)).get(id);
  const meanings = new Map<string, Meaning>();
  const text = parts.map(part => {
    if (typeof part === 'string') {
      return part;
    }
    const { token, meaning } = tokenOf(part.intrinsic, element, recorder.foreign);
    meanings.set(token, meaning);
    return token;
  }).join('');
  return { data: text, tokens: new Tokens(meanings) };
}

/** Flattens a resolved value into literal text and intrinsics; false when it is a lone intrinsic, not text. */
function skeleton(value: unknown, out: Array<string | { intrinsic: unknown }>): boolean {
  if (typeof value === 'string') {
    out.push(value);
    return true;
  }
  if (typeof value === 'number') {
    out.push(String(value));
    return true;
  }
  const join = intrinsicArg(value, 'Fn::Join');
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    const [delimiter, items] = join as [string, unknown[]];
    for (const [i, item] of items.entries()) {
      if (i > 0) {
        out.push(delimiter);
      }
      if (!skeleton(item, out)) {
        out.push({ intrinsic: item });
      }
    }
    return true;
  }
  const sub = intrinsicArg(value, 'Fn::Sub');
  if (sub !== undefined) {
    const [template, variables] = typeof sub === 'string' ? [sub, {}] : Array.isArray(sub) ? sub : [undefined, undefined];
    if (typeof template !== 'string' || typeof variables !== 'object' || variables === null) {
      return false;
    }
    readSub(template, variables as Record<string, unknown>, out);
    return true;
  }
  // a Ref or Fn::GetAtt inside a Join is a value in the text (the caller keeps it); as the whole document, it is no text
  return false;
}

/**
 * An `Fn::Sub` template: `${!x}` is the literal `${x}`, `${Name}` a variable of the map or a Ref, `${Name.Attr}` an `Fn::GetAtt`.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-sub.html
 */
function readSub(template: string, variables: Record<string, unknown>, out: Array<string | { intrinsic: unknown }>): void {
  const pattern = /\$\{([^}]*)\}/g;
  let at = 0;
  for (let match = pattern.exec(template); match; match = pattern.exec(template)) {
    out.push(template.slice(at, match.index));
    at = pattern.lastIndex;
    const name = match[1];
    if (name.startsWith('!')) {
      out.push(`\${${name.slice(1)}}`);
    } else if (Object.prototype.hasOwnProperty.call(variables, name)) {
      const value = variables[name];
      if (!skeleton(value, out)) {
        out.push({ intrinsic: value });
      }
    } else if (name.includes('.') && !name.startsWith('AWS::')) {
      const dot = name.indexOf('.');
      out.push({ intrinsic: { 'Fn::GetAtt': [name.slice(0, dot), name.slice(dot + 1)] } });
    } else {
      out.push({ intrinsic: { Ref: name } });
    }
  }
  out.push(template.slice(at));
}

function intrinsicArg(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return undefined;
  }
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === name ? (value as Record<string, unknown>)[name] : undefined;
}

/** The token that stands for an intrinsic in the text, and what it means. */
function tokenOf(intrinsic: unknown, elementOf: (id: string) => CfnElement | undefined, foreign: Set<string>): { token: string; meaning: Meaning } {
  const ref = intrinsicArg(intrinsic, 'Ref');
  if (typeof ref === 'string' && PSEUDO[ref] !== undefined) {
    return { token: PSEUDO[ref], meaning: { kind: 'pseudo', name: ref } };
  }
  const getAtt = intrinsicArg(intrinsic, 'Fn::GetAtt');
  const id = typeof ref === 'string' ? ref : Array.isArray(getAtt) && getAtt[1] === 'Arn' && typeof getAtt[0] === 'string' ? getAtt[0] : undefined;
  const element = id === undefined || foreign.has(id) ? undefined : elementOf(id);
  if (element instanceof s3.CfnBucket) {
    return typeof ref === 'string'
      ? { token: element.ref, meaning: { kind: 'bucket', bucket: element, attribute: 'name' } }
      : { token: element.attrArn, meaning: { kind: 'bucket', bucket: element, attribute: 'arn' } };
  }
  return { token: Token.asString(intrinsic), meaning: { kind: 'unknown', intrinsic } };
}

class Tokens implements DocumentTokens {
  constructor(private readonly meanings: Map<string, Meaning>) {}

  public bucketOf(token: string): s3.IBucket | undefined {
    const meaning = this.meanings.get(token);
    if (meaning?.kind !== 'bucket' || meaning.attribute !== 'name') {
      return undefined;
    }
    const owner = meaning.bucket.node.scope;
    // the L2 around the bucket carries its encryption key, whose grants follow the bucket's
    return owner instanceof s3.Bucket && owner.node.defaultChild === meaning.bucket ? owner : s3.Bucket.fromCfnBucket(meaning.bucket);
  }

  public follows(token: string): boolean {
    const kind = this.meanings.get(token)?.kind;
    return kind === 'pseudo' || kind === 'bucket';
  }

  public isPseudoParameter(token: string): boolean {
    return this.meanings.get(token)?.kind === 'pseudo';
  }

  public describe(text: string): string {
    let out = text;
    for (const [token, meaning] of this.meanings) {
      out = out.split(token).join(describeMeaning(meaning));
    }
    return out;
  }
}

function describeMeaning(meaning: Meaning): string {
  switch (meaning.kind) {
    case 'pseudo': return `<${meaning.name}>`;
    case 'bucket': {
      const name = meaning.bucket.bucketName;
      if (meaning.attribute === 'name' && name !== undefined && !Token.isUnresolved(name)) {
        return name;
      }
      return `<${meaning.attribute === 'name' ? 'bucket' : 'ARN of bucket'} ${pathOfBucket(meaning.bucket)}>`;
    }
    case 'unknown': return flattenCfnReference(meaning.intrinsic);
  }
}

function pathOfBucket(bucket: s3.CfnBucket): string {
  return bucket.node.id === 'Resource' && bucket.node.scope ? bucket.node.scope.node.path : bucket.node.path;
}

/**
 * Records the logical ids that references resolve to: those of elements of the stack, and those of elements of
 * other stacks, which before the app is prepared resolve to a Ref of their own stack's logical id.
 */
class ReferenceRecorder extends DefaultTokenResolver {
  public readonly foreign = new Set<string>();
  public readonly local = new Map<string, CfnElement>();

  constructor(private readonly stack: Stack) {
    // the concatenation of this pass is thrown away: only the references matter
    super(new StringConcat());
  }

  public resolveToken(t: IResolvable, context: IResolveContext, postProcessor: IPostProcessor): any {
    const resolved = super.resolveToken(t, context, postProcessor);
    if (Reference.isReference(t)) {
      const ref = intrinsicArg(resolved, 'Ref');
      const getAtt = intrinsicArg(resolved, 'Fn::GetAtt');
      const id = typeof ref === 'string' ? ref : Array.isArray(getAtt) ? getAtt[0] : undefined;
      if (typeof id === 'string' && Stack.of(t.target) !== this.stack) {
        this.foreign.add(id);
      } else if (typeof id === 'string' && CfnElement.isCfnElement(t.target)) {
        this.local.set(id, t.target);
      }
    }
    return resolved;
  }
}
