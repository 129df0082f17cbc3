import { Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { parseDocument } from 'yaml';
import { DocumentTokens } from './component-tokens';
import { escapeIamPattern } from './iam-pattern';
import { inEveryLanguage } from './method-names';

/**
 * Literal text, or a value known only when the build runs (a `{{ parameter }}`, an `{{ aws:... }}` reference).
 *
 * A variable holds the expression as written (for example `'{{ version }}'`), a CDK token (known at
 * deployment), or `'*'` for the wildcard that AWSTOE reads at the end of an S3Download source. `followed` marks a
 * token that the library follows (a pseudo parameter, the name of a bucket of the app): grants keep it as it is.
 */
export type KeyPart = string | { readonly variable: string; readonly followed?: boolean };

/**
 * One S3 path that an S3Download or S3Upload input of a component document reads or writes.
 */
export interface S3Need {
  readonly access: 'read' | 'write';
  /**
   * a literal, valid S3 bucket name; the token of `appBucket`'s name when there is one; a name with pseudo
   * parameters (`Aws.ACCOUNT_ID`, ...) in it, as tokens, when the document names the bucket so
   */
  readonly bucketName: string;
  /** the bucket of the app that the document names by a token of its name */
  readonly appBucket?: s3.IBucket;
  /** the object key; for a folder its prefix without the trailing slash; [] is the whole bucket */
  readonly key: readonly KeyPart[];
  /** every key under `key` */
  readonly folder: boolean;
  /** the input's expectedBucketOwner, when it is a literal 12-digit account id */
  readonly expectedBucketOwner?: string;
  /** for example "component 'x', step 'build/Fetch' (S3Download)", with ", input 2" when the step has several */
  readonly step: string;
  /** the source (S3Download) or destination (S3Upload) as written */
  readonly uri: string;
}

/**
 * One `{{ aws:ssm:NAME }}` reference of a step.
 */
export interface ParameterNeed {
  /** the name as written after `aws:ssm:`, trimmed */
  readonly name: string;
  readonly step: string;
  /** the whole `{{ ... }}` as written */
  readonly reference: string;
}

/**
 * What a component document needs, and what could not be read from it.
 */
export interface ComponentNeeds {
  readonly s3: readonly S3Need[];
  readonly parameters: readonly ParameterNeed[];
  /** what could not be read: nothing was derived from it */
  readonly warnings: readonly string[];
  /** needs derived from what is known only when the build runs, and the wider grant they get */
  readonly grantNotes: readonly string[];
}

// the AWSTOE documentation these rules follow:
// - S3Download / S3Upload: https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-action-modules.html#action-modules-s3download
// - {{ parameters }} and {{ aws:ssm:... }}: https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-user-defined-variables.html
// - bucket names: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html

const S3_DOWNLOAD = 'S3Download';
const S3_UPLOAD = 'S3Upload';
const SSM_PREFIX = 'aws:ssm:';

// the two forms of a string token that Token.isUnresolved recognises (aws-cdk-lib core/lib/private/encoding)
const TOKEN = /\$\{Token\[[a-zA-Z0-9:._-]+\]\}|-1\.\d{10,16}e\+289/g;

// longest value quoted in a warning
const MAX_SHOWN = 200;

/**
 * Reads what the steps of an AWSTOE component document (schema 1.0) need: the S3 paths of its S3Download
 * sources and S3Upload destinations, and the Systems Manager parameters of its `{{ aws:ssm:NAME }}` references.
 *
 * Never throws and never guesses: what cannot be read exactly is a warning that names the component, the step,
 * the input and the value, and says what was (not) granted and what to do instead.
 *
 * @param data the component document (YAML)
 * @param component how warnings name the component, for example "component 'my-component'"
 * @param tokens what the tokens of `data` stand for, when it was read from a document known at deployment
 * @see https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-action-modules.html#action-modules-s3download
 */
export function readComponentDocument(data: string, component: string, tokens?: DocumentTokens): ComponentNeeds {
  const reader = new DocumentReader(component, tokens);
  try {
    reader.read(data);
  } catch (e) {
    // a safety net: what was read before stays, and the failure is a warning like any other problem
    reader.warn(`${component}: the component document could not be read to the end (${firstLine(e)}), so what follows the failure was not granted; `
      + `grant its S3 folders with ${inEveryLanguage('addArtifactLocation')} and its parameters with ${inEveryLanguage('addToPrincipalPolicy')}`);
  }
  const shown = (text: string) => forMessages(tokens ? tokens.describe(text) : text);
  return {
    s3: reader.s3.map(need => ({ ...need, step: shown(need.step), uri: shown(need.uri) })),
    parameters: reader.parameters.map(need => ({ ...need, step: shown(need.step), reference: shown(need.reference) })),
    warnings: reader.warnings.map(shown),
    grantNotes: reader.grantNotes.map(shown),
  };
}

/**
 * Text of a document as it may stand in a message or cdk-nag reason: aws-cdk-lib resolves the metadata that holds
 * those, and text shaped like one of its tokens (`${Token[...]}`, `#{Token[...]}`, a number such as
 * `-1.8881545897087968e+289`) would then be looked up as a token and fail the synthesis.
 */
export function forMessages(text: string): string {
  return text.replace(/[$#]\{Token\[[^\]]*\]\}/g, '<a value known at deployment>').replace(/-1\.\d{10,16}e\+289/g, '<a number known at deployment>');
}

/**
 * The IAM resource pattern of a key: literal `*`, `?` and `$` are escaped as `${*}`, `${?}` and `${$}`, and each
 * variable becomes `*`.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-specialchars
 */
export function keyPattern(key: readonly KeyPart[]): string {
  return key.map(part => typeof part === 'string' ? escapeIamPattern(part) : part.followed ? part.variable : '*').join('');
}

type Folder = 'yes' | 'no' | 'maybe';

class DocumentReader {
  public readonly s3: S3Need[] = [];
  public readonly parameters: ParameterNeed[] = [];
  public readonly warnings: string[] = [];
  public readonly grantNotes: string[] = [];
  private readonly seenParameters = new Set<string>();

  constructor(private readonly component: string, private readonly tokens?: DocumentTokens) {}

  public warn(message: string): void {
    this.warnings.push(message);
  }

  public read(data: string): void {
    const c = this.component;
    if (typeof data !== 'string') {
      this.warn(`${c}: the component document is not a string (got ${describe(data)}), so nothing was granted for it`);
      return;
    }
    // the failsafe schema keeps every scalar as written: an unquoted 012345678901 stays that text, not a number;
    // logLevel 'error' keeps errors (a 'silent' document drops the one about a second document) and prints nothing
    const parsed = parseDocument(data, { schema: 'failsafe', merge: true, logLevel: 'error', prettyErrors: false });
    if (parsed.errors.length > 0) {
      this.warn(`${c}: the component document is not valid YAML (${firstLine(parsed.errors[0])}), so nothing was granted for it; `
        + 'fix the document (AWSTOE rejects it too)');
      return;
    }
    let document: unknown;
    try {
      // the default alias limit stops documents that expand exponentially through aliases
      document = parsed.toJS({ maxAliasCount: 100 });
    } catch (e) {
      this.warn(`${c}: the component document could not be expanded (${firstLine(e)}), so nothing was granted for it`);
      return;
    }
    const phases = isMap(document) ? document.phases : undefined;
    if (!Array.isArray(phases)) {
      this.warn(`${c}: the component document has no list of phases (got ${describe(isMap(document) ? phases : document)}), `
        + 'so nothing was granted for it; AWSTOE documents list their steps under phases');
      return;
    }
    phases.forEach((phase, p) => {
      if (!isMap(phase)) {
        this.warn(`${c}: phase ${p + 1} is not a map with a name and steps (got ${describe(phase)}), so nothing was granted for it`);
        return;
      }
      const phaseName = nameOf(phase.name, p);
      if (!Array.isArray(phase.steps)) {
        this.warn(`${c}: phase '${phaseName}' has no list of steps (got ${describe(phase.steps)}), so nothing was granted for it`);
        return;
      }
      phase.steps.forEach((step, s) => {
        if (!isMap(step)) {
          this.warn(`${c}: step ${s + 1} of phase '${phaseName}' is not a map with a name, an action and inputs (got ${describe(step)}), `
            + 'so nothing was granted for it');
          return;
        }
        this.readStep(phaseName, step, s);
      });
    });
  }

  private readStep(phaseName: string, step: Record<string, unknown>, index: number): void {
    const action = actionOf(step.action);
    const at = `${this.component}, step '${phaseName}/${nameOf(step.name, index)}' (${action === undefined ? 'no action' : show(action)})`;
    // AWSTOE resolves variables in the inputs and the loop of a step
    this.readReferences(at, [step.inputs, step.loop]);
    if (action !== S3_DOWNLOAD && action !== S3_UPLOAD) {
      return;
    }
    const inputs = Array.isArray(step.inputs) ? step.inputs : step.inputs === undefined || step.inputs === '' ? [] : [step.inputs];
    if (inputs.length === 0) {
      this.warn(`${at}: the step has no inputs, so nothing was granted for it; give it a list of inputs`);
    }
    inputs.forEach((input: unknown, i: number) => {
      const where = inputs.length > 1 ? `${at}, input ${i + 1}` : at;
      if (action === S3_DOWNLOAD) {
        this.readDownload(where, input);
      } else {
        this.readUpload(where, input);
      }
    });
  }

  private readDownload(at: string, input: unknown): void {
    const uri = this.uriOf(at, input, 'source');
    if (uri === undefined) {
      return;
    }
    const path = this.readS3Uri(at, uri, 'read');
    if (!path) {
      return;
    }
    let key = path.key;
    let folder = false;
    const last = key[key.length - 1];
    // AWSTOE documents one wildcard in an S3 source: a key prefix followed by '*', written '<prefix>/*' to
    // download a folder; a '*' anywhere else in a key is part of the key
    if (typeof last === 'string' && last.endsWith('*')) {
      const rest = normalize([...key.slice(0, -1), last.slice(0, -1)]);
      const restLast = rest[rest.length - 1];
      if (rest.length === 0) {
        folder = true;
        key = [];
      } else if (typeof restLast === 'string' && restLast.endsWith('/')) {
        folder = true;
        key = normalize([...rest.slice(0, -1), restLast.slice(0, -1)]);
        if (key.length === 0) {
          this.warn(`${at}: '${show(uri)}' downloads the keys that begin with '/', which is not a folder that IAM can name apart from `
            + `the whole bucket, so nothing was granted for it; add the folder with ${inEveryLanguage('addArtifactLocation')} instead`);
          return;
        }
      } else {
        key = [...rest, { variable: '*' }];
      }
    }
    this.addNeed(at, uri, path.bucketName, key, folder ? 'yes' : 'no', 'read', this.ownerOf(at, input, uri), undefined, path.appBucket);
  }

  private readUpload(at: string, input: unknown): void {
    const uri = this.uriOf(at, input, 'destination');
    if (uri === undefined) {
      return;
    }
    const source = (input as Record<string, unknown>).source;
    if (typeof source !== 'string') {
      this.warn(`${at}: the input has no local source string (got ${describe(source)}), so nothing was granted for '${show(uri)}'; `
        + 'AWSTOE needs the source to upload');
      return;
    }
    const path = this.readS3Uri(at, uri, 'write');
    if (!path) {
      return;
    }
    let key = path.key;
    const slash = uri.endsWith('/');
    const last = key[key.length - 1];
    if (slash && typeof last === 'string') {
      // one slash ends the folder; any before it are part of the prefix
      key = normalize([...key.slice(0, -1), last.slice(0, -1)]);
      if (key.length === 0) {
        this.warn(`${at}: '${show(uri)}' uploads under the prefix '/', which is not a folder that IAM can name apart from the whole `
          + `bucket, so nothing was granted for it; add the folder with ${inEveryLanguage('addUploadLocation')} instead`);
        return;
      }
    }
    // a '*' in the local source, or recurse, uploads several files under the destination (a key prefix)
    const sourceParts = splitVariables(source);
    const sourceWildcard = sourceParts.some(part => typeof part === 'string' && part.includes('*'));
    const sourceVariable = sourceParts.some(part => typeof part !== 'string');
    const recurse = recurseOf(input as Record<string, unknown>);
    const folder: Folder = slash || sourceWildcard || recurse === 'yes' ? 'yes'
      : sourceVariable || recurse === 'maybe' ? 'maybe' : 'no';
    const maybeWhy = folder !== 'maybe' ? undefined
      : recurse === 'maybe' ? `its recurse (${describe((input as Record<string, unknown>).recurse)}) is not 'true' or 'false'`
        : `its local source '${show(source)}' is known only when the build runs`;
    this.addNeed(at, uri, path.bucketName, key, folder, 'write', this.ownerOf(at, input, uri), maybeWhy, path.appBucket);
  }

  /** The source or destination string of an input, or a warning. */
  private uriOf(at: string, input: unknown, field: 'source' | 'destination'): string | undefined {
    if (!isMap(input)) {
      this.warn(`${at}: the input is not a map with a ${field} (got ${describe(input)}), so nothing was granted for it`);
      return undefined;
    }
    const uri = input[field];
    if (typeof uri !== 'string') {
      this.warn(`${at}: the input has no ${field} string (got ${describe(uri)}), so nothing was granted for it; `
        + `give it an s3:// ${field}`);
      return undefined;
    }
    return uri;
  }

  /** The literal bucket (or a bucket of the app named by a token) and the key parts of an s3:// URI, or a warning. */
  private readS3Uri(at: string, uri: string, access: 'read' | 'write'): { bucketName: string; key: KeyPart[]; appBucket?: s3.IBucket } | undefined {
    const instead = access === 'read'
      ? `add its folder with ${inEveryLanguage('addArtifactLocation')} instead`
      : `add its folder with ${inEveryLanguage('addUploadLocation')} instead`;
    if (!uri.startsWith('s3://')) {
      // a URI that starts with a variable may be an s3:// URI once the build runs
      const unknown = typeof splitVariables(uri)[0] === 'object';
      this.warn(`${at}: '${show(uri)}' ${unknown ? 'is known only when the build runs' : 'is not an s3:// URI'}, so nothing was granted for it; `
        + `write it as s3://bucket/key, or ${instead}`);
      return undefined;
    }
    const parts = splitVariables(uri.slice('s3://'.length));
    // the bucket ends at the first literal slash
    const slashPart = parts.findIndex(part => typeof part === 'string' && part.includes('/'));
    const bucketParts = slashPart < 0 ? parts : [...parts.slice(0, slashPart), (parts[slashPart] as string).split('/')[0]];
    const keyParts = slashPart < 0 ? [] : [(parts[slashPart] as string).slice((parts[slashPart] as string).indexOf('/') + 1), ...parts.slice(slashPart + 1)];

    const variables = bucketParts.filter((part): part is { variable: string } => typeof part !== 'string');
    const named = normalize(bucketParts);
    const appBucket = named.length === 1 && typeof named[0] !== 'string' ? this.tokens?.bucketOf(named[0].variable) : undefined;
    if (appBucket) {
      // the token resolves to that bucket's name at deployment: it is never checked as a literal name
      return { bucketName: (named[0] as { variable: string }).variable, key: this.followed(keyParts), appBucket };
    }
    const tokens = this.tokens;
    if (variables.length > 0 && tokens && variables.every(v => tokens.isPseudoParameter(v.variable))) {
      // a name such as artifacts-${AWS::AccountId}: the tokens resolve at deployment, only the text around them is checked
      const literal = bucketParts.filter((part): part is string => typeof part === 'string').join('');
      if (!/^[a-z0-9.-]*$/.test(literal)) {
        this.warn(`${at}: the bucket of '${show(uri)}' is not a valid S3 bucket name (only lowercase letters, digits, dots and hyphens are allowed), `
          + `so nothing was granted for it; fix the bucket name, or ${instead}`);
        return undefined;
      }
      return { bucketName: bucketParts.map(part => typeof part === 'string' ? part : part.variable).join(''), key: this.followed(keyParts) };
    }
    if (variables.length > 0) {
      const when = variables.every(v => isToken(v.variable)) ? 'deployment' : 'the build runs';
      this.warn(`${at}: the bucket of '${show(uri)}' is not known until ${when}, so nothing was granted for it; ${instead}`);
      return undefined;
    }
    const bucketName = bucketParts.join('');
    const problem = bucketNameProblem(bucketName);
    if (problem) {
      this.warn(`${at}: '${show(bucketName)}' in '${show(uri)}' is not a valid S3 bucket name (${problem}), so nothing was granted for it; `
        + `fix the bucket name, or ${instead}`);
      return undefined;
    }
    return { bucketName, key: this.followed(keyParts) };
  }

  /** The key parts normalized, with each token that the library follows marked. */
  private followed(key: KeyPart[]): KeyPart[] {
    const tokens = this.tokens;
    return normalize(tokens ? key.map(part => typeof part !== 'string' && tokens.follows(part.variable) ? { ...part, followed: true } : part) : key);
  }

  private ownerOf(at: string, input: unknown, uri: string): string | undefined {
    const owner = (input as Record<string, unknown>).expectedBucketOwner;
    if (owner === undefined || owner === '') {
      return undefined;
    }
    if (typeof owner === 'string' && /^\d{12}$/.test(owner)) {
      return owner;
    }
    const variables = typeof owner === 'string' ? splitVariables(owner).filter((part): part is { variable: string } => typeof part !== 'string') : [];
    // a CDK token is filled in by CloudFormation; a {{ }} group by AWSTOE as the build runs
    const when = variables.length > 0 && variables.every(v => isToken(v.variable)) ? 'at deployment' : 'when the build runs';
    this.warn(`${at}: the expectedBucketOwner ${describe(owner)} of '${show(uri)}' is ${variables.length > 0 ? `known only ${when}` : 'not a 12-digit account id'}, `
      + 'so the grant is not limited to the bucket owner\'s account; write the owner as a literal 12-digit account id');
    return undefined;
  }

  private addNeed(at: string, uri: string, bucketName: string, key: KeyPart[], folder: Folder, access: 'read' | 'write',
    expectedBucketOwner: string | undefined, maybeWhy?: string, appBucket?: s3.IBucket): void {
    const verb = access === 'read' ? 'read' : 'write';
    const folders = folder === 'yes' ? [true] : folder === 'no' ? [false] : [false, true];
    if (folders.includes(false) && key.length === 0) {
      this.warn(`${at}: '${show(uri)}' names no object, so nothing was granted for ${folder === 'maybe' ? 'a single file' : 'it'}; `
        + 'write the object key after the bucket name');
      folders.splice(folders.indexOf(false), 1);
    }
    if (folders.length === 0) {
      return;
    }
    if (maybeWhy) {
      this.grantNotes.push(`${at}: ${maybeWhy}, so it may upload one file to '${show(uri)}' or several under it; write access to `
        + `${folders.map(f => `'${patternOf(key, f)}'`).join(' and ')} in bucket '${bucketName}' was granted; `
        + "write recurse as 'true' or 'false' and the source as a literal path to grant only one");
    }

    const variables = key.filter((part): part is { variable: string } => typeof part !== 'string' && !part.followed);
    if (variables.length > 0) {
      // each parameter once, however often the key repeats it
      const named = [...new Set(variables.map(v => v.variable === '*'
        ? "a '*' at the end (AWSTOE reads it as a key prefix)"
        : `'${show(v.variable)}'${isToken(v.variable) ? ' (known at deployment)' : ''}`))];
      const names = andList(named);
      const patterns = folders.map(f => `'${patternOf(key, f)}'`).join(' and ');
      if (variables.length === key.length) {
        this.grantNotes.push(`${at}: the key of '${show(uri)}' is only ${names}, known when the build runs, so ${verb} access to the whole bucket `
          + `'${bucketName}' was granted (${patterns}); write a literal folder before it (s3://${bucketName}/folder/...) to narrow the grant`);
      } else {
        // the grant comes from addComponent or addComponentData: a folder of the profile covers the component only without them
        const folderMethods = access === 'read'
          ? `${inEveryLanguage('artifactLocations')} or ${inEveryLanguage('addArtifactLocation')}`
          : inEveryLanguage('addUploadLocation');
        this.grantNotes.push(`${at}: the key of '${show(uri)}' depends on ${names}, so ${verb} access to ${patterns} in bucket '${bucketName}' `
          + `was granted; write the key without ${named.length === 1 ? 'it' : 'them'} to grant only what it names, or declare its folder with `
          + `${folderMethods} and leave the component out of ${inEveryLanguage('addComponent')} and ${inEveryLanguage('addComponentData')}, `
          + `for ComponentAccessChecks to check against that folder, or acknowledge this warning when ${patterns} `
          + `${folders.length === 1 ? 'is' : 'are'} what you want granted`);
      }
    }
    const literalStar = key.some(part => typeof part === 'string' && part.includes('*'));
    if (literalStar) {
      this.grantNotes.push(`${at}: the '*' in the key of '${show(uri)}' is read as a literal character (AWSTOE reads '*' as a wildcard only at `
        + 'the end of an S3Download source and in the local source of an S3Upload), so only keys with that character were granted; '
        + (access === 'read' ? 'end the source with /* to download a folder' : 'end the destination with / to upload into a folder'));
    }
    for (const f of folders) {
      this.s3.push({
        access,
        bucketName,
        ...(appBucket === undefined ? {} : { appBucket }),
        key,
        folder: f,
        ...(expectedBucketOwner === undefined ? {} : { expectedBucketOwner }),
        step: at,
        uri,
      });
    }
  }

  /** Every `{{ aws:ssm:NAME }}` in the strings (values and keys) under the given values. */
  private readReferences(at: string, roots: unknown[]): void {
    const stack = [...roots];
    // aliases can make a value hold itself
    const seen = new Set<object>();
    while (stack.length > 0) {
      const value = stack.pop();
      if (typeof value === 'string') {
        this.readReferencesIn(at, value);
      } else if (typeof value === 'object' && value !== null && !seen.has(value)) {
        seen.add(value);
        if (Array.isArray(value)) {
          // one at a time: spreading a list of 100,000 values overflows the call stack
          for (const item of value) {
            stack.push(item);
          }
        } else {
          for (const [k, v] of Object.entries(value)) {
            stack.push(k, v);
          }
        }
      }
    }
  }

  private readReferencesIn(at: string, text: string): void {
    if (!text.includes('{{')) {
      return;
    }
    const { groups, unclosed } = findGroups(text);
    for (const [start, end] of groups) {
      const reference = text.slice(start, end);
      const inner = text.slice(start + 2, end - 2).trim();
      if (!inner.startsWith(SSM_PREFIX)) {
        if (/aws:ssm:/i.test(inner)) {
          this.warn(`${at}: '${show(reference)}' holds an aws:ssm: reference that is not of the form {{ aws:ssm:NAME }}, so no parameter `
            + `was granted for it; write it as {{ aws:ssm:/parameter/name }}, or grant ssm:GetParameter with ${inEveryLanguage('addToPrincipalPolicy')}`);
        }
        continue;
      }
      const name = inner.slice(SSM_PREFIX.length).trim();
      const problem = name === '' ? 'names no parameter'
        : /^resolve\s*\(/.test(name) ? 'names its parameter only when the build runs (resolve)'
          : name.includes('{{') || name.includes('}}') ? 'names its parameter with another {{ }} reference, known only when the build runs'
            : isToken(name) ? 'names its parameter with a token, known only at deployment'
              : undefined;
      if (problem) {
        this.warn(`${at}: '${show(reference)}' ${problem}, so no ssm:GetParameter was granted for it; `
          + 'reference the parameter by its literal name, or grant ssm:GetParameter on the parameters it may name with '
          + `${inEveryLanguage('addToPrincipalPolicy')}`);
        continue;
      }
      const seenKey = `${at}\u0000${name}`;
      if (!this.seenParameters.has(seenKey)) {
        this.seenParameters.add(seenKey);
        this.parameters.push({ name, step: at, reference });
      }
    }
    if (unclosed >= 0 && text.slice(unclosed).includes(SSM_PREFIX)) {
      this.warn(`${at}: '${show(text.slice(unclosed))}' opens a {{ aws:ssm: reference that is never closed with }}, so no parameter `
        + 'was granted for it; close the reference');
    }
  }
}

/**
 * The outermost `{{ ... }}` groups of a text (as [start, end) pairs, nested braces included), and where the
 * first `{{` that is never closed starts (-1 when none). Linear in the length of the text.
 */
function findGroups(text: string): { groups: Array<[number, number]>; unclosed: number } {
  const open: number[] = [];
  const groups: Array<[number, number]> = [];
  let i = 0;
  while (i < text.length - 1) {
    if (text[i] === '{' && text[i + 1] === '{') {
      open.push(i);
      i += 2;
    } else if (text[i] === '}' && text[i + 1] === '}' && open.length > 0) {
      const start = open.pop()!;
      i += 2;
      // a closed group inside a group that is closed later is dropped below; keep the outermost ones
      while (groups.length > 0 && groups[groups.length - 1][0] > start) {
        groups.pop();
      }
      groups.push([start, i]);
    } else {
      i += 1;
    }
  }
  // an opener left unclosed is literal text; the groups it would have held stay groups
  return { groups, unclosed: open.length > 0 ? open[0] : -1 };
}

/** A text split into literal parts and variables: `{{ ... }}` groups and CDK string tokens. */
function splitVariables(text: string): KeyPart[] {
  const parts: KeyPart[] = [];
  const { groups } = text.includes('{{') ? findGroups(text) : { groups: [] };
  let at = 0;
  for (const [start, end] of groups) {
    pushLiteral(parts, text.slice(at, start));
    parts.push({ variable: text.slice(start, end) });
    at = end;
  }
  pushLiteral(parts, text.slice(at));
  return parts;
}

function pushLiteral(parts: KeyPart[], text: string): void {
  if (text === '') {
    return;
  }
  TOKEN.lastIndex = 0;
  let at = 0;
  for (let match = TOKEN.exec(text); match; match = TOKEN.exec(text)) {
    parts.push(text.slice(at, match.index));
    parts.push({ variable: match[0] });
    at = TOKEN.lastIndex;
  }
  parts.push(text.slice(at));
}

/** Adjacent literals joined, empty literals dropped. */
function normalize(key: readonly KeyPart[]): KeyPart[] {
  const out: KeyPart[] = [];
  for (const part of key) {
    if (part === '') {
      continue;
    }
    const last = out[out.length - 1];
    if (typeof part === 'string' && typeof last === 'string') {
      out[out.length - 1] = last + part;
    } else {
      out.push(part);
    }
  }
  return out;
}

function patternOf(key: readonly KeyPart[], folder: boolean): string {
  if (!folder) {
    return keyPattern(key);
  }
  return key.length === 0 ? '*' : `${keyPattern(key)}/*`;
}

/**
 * Why a name is not a valid name of a general purpose bucket, or undefined when it is.
 *
 * Names of buckets created in us-east-1 before March 1, 2018 may break these rules; they are not read.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
function bucketNameProblem(name: string): string | undefined {
  if (name === '') {
    return 'it is empty';
  }
  if (name.length < 3 || name.length > 63) {
    return `it has ${name.length} characters, not 3-63`;
  }
  if (!/^[a-z0-9.-]+$/.test(name)) {
    return 'only lowercase letters, digits, dots and hyphens are allowed';
  }
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) {
    return 'it must begin and end with a letter or digit';
  }
  if (name.includes('..')) {
    return 'it has two adjacent dots';
  }
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) {
    return 'it is formatted as an IP address';
  }
  const prefix = ['xn--', 'sthree-', 'amzn-s3-demo-'].find(p => name.startsWith(p));
  if (prefix) {
    return `the prefix '${prefix}' is reserved`;
  }
  // access point aliases, Object Lambda access points, Multi-Region Access Points, directory and table buckets
  const suffix = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'].find(s => name.endsWith(s));
  if (suffix) {
    return `the suffix '${suffix}' is reserved for other kinds of S3 resources`;
  }
  return undefined;
}

function recurseOf(input: Record<string, unknown>): Folder {
  const recurse = input.recurse;
  if (recurse === undefined || recurse === '') {
    return 'no';
  }
  if (typeof recurse === 'string' && /^(true|false)$/i.test(recurse.trim())) {
    return recurse.trim().toLowerCase() === 'true' ? 'yes' : 'no';
  }
  return 'maybe';
}

function actionOf(action: unknown): string | undefined {
  if (typeof action !== 'string') {
    return undefined;
  }
  const lower = action.trim().toLowerCase();
  return lower === S3_DOWNLOAD.toLowerCase() ? S3_DOWNLOAD : lower === S3_UPLOAD.toLowerCase() ? S3_UPLOAD : action;
}

function nameOf(name: unknown, index: number): string {
  return typeof name === 'string' && name !== '' ? show(name) : `#${index + 1}`;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isToken(text: string): boolean {
  return Token.isUnresolved(text);
}

/** A value for a warning, cut to a readable length. */
function show(value: unknown): string {
  let text: string;
  if (typeof value === 'string') {
    text = value;
  } else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      // a value that holds itself through an alias
      text = Array.isArray(value) ? '[...]' : '{...}';
    }
  }
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}...` : text;
}

function describe(value: unknown): string {
  if (value === undefined) {
    return 'nothing';
  }
  if (value === null) {
    return 'an empty document';
  }
  if (typeof value === 'string') {
    return `'${show(value)}'`;
  }
  return `${Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'a map' : typeof value} ${show(value)}`;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return show(message.split('\n')[0]);
}

/** 'a', 'a and b', 'a, b and c' */
function andList(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
